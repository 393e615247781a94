// What only the PostgreSQL log has (the shared rules are the conformance suite's, which runs on
// it as well): its URL and the password it never shows, schema versions, wake-ups by
// LISTEN/NOTIFY, the server's clock, and surviving a lost connection.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/openexecutionlog.h>
#include <ergon/postgresexecutionlog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {

/// The test server's URL with a query item added (another schema, an application name...).
QString withQuery(const QString &url, const QString &key, const QString &value)
{
    QUrl parsed(url);
    QUrlQuery query(parsed);
    query.addQueryItem(key, value);
    parsed.setQuery(query);
    return parsed.toString();
}

/// A connection of its own to the schema, through Qt Sql directly, for what the log must not
/// do itself (tampering with the version, terminating connections).
class RawConnection
{
public:
    explicit RawConnection(const QString &schema)
        : m_name(u"raw-%1"_s.arg(++s_count))
    {
        const QUrl url(postgresTestUrl());
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, m_name);
        db.setHostName(url.host());
        db.setPort(url.port());
        db.setUserName(url.userName());
        db.setDatabaseName(url.path().mid(1));
        if (db.open() && !schema.isEmpty())
            QSqlQuery(db).exec(u"SET search_path TO %1"_s.arg(schema));
    }
    ~RawConnection() { QSqlDatabase::removeDatabase(m_name); }

    bool exec(const QString &sql)
    {
        QSqlQuery query(QSqlDatabase::database(m_name));
        if (!query.exec(sql)) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            return false;
        }
        return true;
    }
    QVariant value(const QString &sql)
    {
        QSqlQuery query(QSqlDatabase::database(m_name));
        if (!query.exec(sql) || !query.next())
            return {};
        return query.value(0);
    }

private:
    static inline int s_count = 0;
    QString m_name;
};

NewFlow newFlow(const QDateTime &runAt = {})
{
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    flow.runAt = runAt;
    return flow;
}

} // namespace

class TestPostgresExecutionLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void url_data();
    void url();
    void passwordIsNeverShown();
    void malformedUrl();

    void initTestCase();
    void openExecutionLog_choosesTheBackend();
    void unreachableServer_isAClearError();
    void newerSchema_isRefusedAndLeftUntouched();
    void foreignSchema_isRefused();
    void olderSchema_isMigrated();
    void schema3IsMigratedTo4();
    void schema3_workersByName_becomeRuns();
    void schema4_pendingSignals_areKeptAndDelivered();
    void concurrentOpens_migrateOnce();
    void notify_wakesAListener();
    void serverNow_isTheServersClock();
    void lostConnection_reconnects();
};

void TestPostgresExecutionLog::url_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("shown");
    QTest::newRow("user, host, port, database")
        << u"postgresql://ergon@db.example.org:5433/flows"_s << u"postgresql://ergon@db.example.org:5433/flows"_s;
    QTest::newRow("password dropped") << u"postgresql://ergon:s3cret@db:5432/flows"_s
                                      << u"postgresql://ergon@db:5432/flows"_s;
    QTest::newRow("postgres scheme") << u"postgres://ergon@db/flows"_s << u"postgresql://ergon@db/flows"_s;
    QTest::newRow("schema and libpq options") << u"postgresql://ergon@db/flows?schema=team_a&sslmode=require"_s
                                              << u"postgresql://ergon@db/flows?schema=team_a&sslmode=require"_s;
    QTest::newRow("password as a parameter") << u"postgresql://ergon@db/flows?password=s3cret&sslmode=disable"_s
                                             << u"postgresql://ergon@db/flows?sslmode=disable"_s;
    QTest::newRow("socket folder") << u"postgresql://ergon@/flows?host=/run/postgresql"_s
                                   << u"postgresql://ergon@/flows?host=/run/postgresql"_s;
    QTest::newRow("a path is a path") << u"/var/lib/ergon/ergon.db"_s << u"/var/lib/ergon/ergon.db"_s;
}

void TestPostgresExecutionLog::url()
{
    QFETCH(QString, url);
    QFETCH(QString, shown);
    QCOMPARE(isDatabaseUrl(url), !url.startsWith(u'/'));
    QCOMPARE(displayLocation(url), shown);
}

void TestPostgresExecutionLog::passwordIsNeverShown()
{
    // Nothing listens on port 1: the error must still not show the password.
    const QString url = u"postgresql://ergon:hunter2@127.0.0.1:1/flows?connect_timeout=2"_s;
    auto log = openExecutionLog(url);
    QVERIFY(!log);
    QVERIFY2(!log.errorString().contains(u"hunter2"_s), qPrintable(log.errorString()));
    QVERIFY2(log.errorString().contains(u"postgresql://ergon@127.0.0.1:1/flows"_s), qPrintable(log.errorString()));
    QCOMPARE(log.error().kind(), u"connection"_s);
    // Even a URL that cannot be parsed is masked.
    QVERIFY(!displayLocation(u"postgresql://ergon:hunter2@[bad/flows"_s).contains(u"hunter2"_s));
}

void TestPostgresExecutionLog::malformedUrl()
{
    auto log = PostgresExecutionLog::open(u"postgresql://ergon@db/a/b"_s);
    QVERIFY(!log);
    QCOMPARE(log.error().kind(), u"invalid-location"_s);
    QVERIFY2(log.errorString().contains(u"postgresql://user@host:port/dbname"_s), qPrintable(log.errorString()));
}

void TestPostgresExecutionLog::initTestCase()
{
    // The tests above need no server; those below do.
}

void TestPostgresExecutionLog::openExecutionLog_choosesTheBackend()
{
    QTemporaryDir dir;
    ERGON_TRY(sqlite, openExecutionLog(dir.filePath(u"ergon.db"_s)));
    QVERIFY(dynamic_cast<SqliteExecutionLog *>(sqlite.get()));

    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    ERGON_TRY(postgres, openExecutionLog(schema.url()));
    QVERIFY(dynamic_cast<PostgresExecutionLog *>(postgres.get()));
    QCOMPARE(postgres->location(), displayLocation(schema.url()));
}

void TestPostgresExecutionLog::unreachableServer_isAClearError()
{
    auto log = openExecutionLog(u"postgresql://ergon@127.0.0.1:1/flows?connect_timeout=2"_s);
    QVERIFY(!log);
    QVERIFY2(log.errorString().startsWith(u"cannot connect to postgresql://ergon@127.0.0.1:1/flows"_s),
             qPrintable(log.errorString()));
}

void TestPostgresExecutionLog::newerSchema_isRefusedAndLeftUntouched()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    {
        ERGON_TRY(log, PostgresExecutionLog::open(schema.url()));
        ERGON_TRY(ids, log->scheduleFlows({newFlow()}, QDateTime::currentDateTimeUtc()));
        QCOMPARE(ids.size(), 1);
    }
    RawConnection raw(schema.name());
    QVERIFY(raw.exec(u"UPDATE schema_version SET version = 99"_s));

    auto refused = PostgresExecutionLog::open(schema.url());
    QVERIFY(!refused);
    QCOMPARE(refused.error().kind(), u"newer-schema"_s);
    QVERIFY2(refused.errorString().contains(u"99"_s) && refused.errorString().contains(u"untouched"_s),
             qPrintable(refused.errorString()));
    QCOMPARE(raw.value(u"SELECT version FROM schema_version"_s).toInt(), 99);
    QCOMPARE(raw.value(u"SELECT count(*) FROM flows"_s).toInt(), 1);
}

void TestPostgresExecutionLog::foreignSchema_isRefused()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    RawConnection raw(schema.name());
    QVERIFY(raw.exec(u"CREATE TABLE invoices (id integer)"_s));
    auto refused = PostgresExecutionLog::open(schema.url());
    QVERIFY(!refused);
    QCOMPARE(refused.error().kind(), u"foreign-database"_s);
    QVERIFY2(refused.errorString().contains(u"another application"_s), qPrintable(refused.errorString()));
    QVERIFY(!raw.value(u"SELECT to_regclass('flows')"_s).isValid() ||
            raw.value(u"SELECT to_regclass('flows')"_s).isNull());
}

void TestPostgresExecutionLog::olderSchema_isMigrated()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    {
        ERGON_TRY(log, PostgresExecutionLog::open(schema.url()));
        ERGON_VERIFY_OK(log->scheduleFlows({newFlow()}, QDateTime::currentDateTimeUtc()));
    }
    // Back to what version 1 wrote.
    RawConnection raw(schema.name());
    QVERIFY(raw.exec(u"DROP INDEX flows_status"_s));
    QVERIFY(raw.exec(u"DROP INDEX flows_pending"_s));
    QVERIFY(raw.exec(u"DROP INDEX flows_waiting"_s));
    QVERIFY(raw.exec(u"CREATE INDEX flows_queue ON flows (status, priority DESC, run_at)"_s));
    QVERIFY(raw.exec(u"ALTER TABLE flows DROP COLUMN plugin"_s)); // schema 4
    QVERIFY(raw.exec(u"DROP INDEX signals_pending"_s));           // schema 5
    QVERIFY(raw.exec(u"ALTER TABLE signals DROP COLUMN consumed_seq"_s));
    QVERIFY(raw.exec(u"DROP INDEX workers_name"_s)); // and a workers table keyed by name
    QVERIFY(raw.exec(u"ALTER TABLE workers DROP COLUMN id"_s));
    QVERIFY(raw.exec(u"ALTER TABLE workers ADD PRIMARY KEY (name)"_s));
    QVERIFY(raw.exec(u"UPDATE schema_version SET version = 1"_s));

    ERGON_TRY(log, PostgresExecutionLog::open(schema.url()));
    QCOMPARE(raw.value(u"SELECT version FROM schema_version"_s).toInt(), PostgresExecutionLog::schemaVersion);
    for (const QString &index : {u"flows_status"_s, u"flows_pending"_s, u"flows_waiting"_s})
        QVERIFY2(!raw.value(u"SELECT to_regclass('%1')::text"_s.arg(index)).toString().isEmpty(), qPrintable(index));
    QVERIFY(raw.value(u"SELECT to_regclass('flows_queue')::text"_s).toString().isEmpty());
    ERGON_TRY(counts, log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Pending), 1); // the records stay
    // Schema 4: the flows stored before have no plugin recorded; new ones have theirs.
    ERGON_TRY(flows, log->flows(FlowQuery{}));
    QCOMPARE(flows.first().plugin, QString());
    NewFlow withPlugin = newFlow();
    withPlugin.plugin = u"orders"_s;
    ERGON_TRY(added, log->scheduleFlows({withPlugin}, QDateTime::currentDateTimeUtc()));
    ERGON_TRY(stored, log->flow(added.first()));
    QCOMPARE(stored->plugin, u"orders"_s);
}

void TestPostgresExecutionLog::schema3IsMigratedTo4()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    {
        ERGON_TRY(log, PostgresExecutionLog::open(schema.url()));
        ERGON_VERIFY_OK(log->scheduleFlows({newFlow()}, QDateTime::currentDateTimeUtc()));
    }
    // Back to what version 3 wrote: no plugin column, workers keyed by name.
    RawConnection raw(schema.name());
    QVERIFY(raw.exec(u"DROP INDEX signals_pending"_s));
    QVERIFY(raw.exec(u"ALTER TABLE signals DROP COLUMN consumed_seq"_s));
    QVERIFY(raw.exec(u"ALTER TABLE flows DROP COLUMN plugin"_s));
    QVERIFY(raw.exec(u"DROP INDEX workers_name"_s));
    QVERIFY(raw.exec(u"ALTER TABLE workers DROP COLUMN id"_s));
    QVERIFY(raw.exec(u"ALTER TABLE workers ADD PRIMARY KEY (name)"_s));
    QVERIFY(raw.exec(u"UPDATE schema_version SET version = 3"_s));

    ERGON_TRY(log, PostgresExecutionLog::open(schema.url()));
    QCOMPARE(raw.value(u"SELECT version FROM schema_version"_s).toInt(), PostgresExecutionLog::schemaVersion);
    ERGON_TRY(flows, log->flows(FlowQuery{}));
    QCOMPARE(flows.size(), 1);
    QCOMPARE(flows.first().plugin, QString());
    // Any worker of the type takes it; a flow recorded with another plugin stays.
    NewFlow foreign = newFlow();
    foreign.plugin = u"other"_s;
    ERGON_TRY(added, log->scheduleFlows({foreign}, QDateTime::currentDateTimeUtc()));
    ClaimFilter filter;
    filter.add(flows.first().type, u"mine"_s);
    ERGON_TRY(claimed,
              log->claimDue(u"w"_s, QDateTime::currentDateTimeUtc().addSecs(1),
                            QDateTime::currentDateTimeUtc().addSecs(61), 10, filter));
    QCOMPARE(claimed, QList<qint64>{flows.first().id});
    QVERIFY(!claimed.contains(added.first()));
}

void TestPostgresExecutionLog::schema3_workersByName_becomeRuns()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    {
        ERGON_VERIFY_OK(PostgresExecutionLog::open(schema.url()));
    }
    // Back to version 3: no plugin column, and a workers table of one row per name, the name its
    // primary key.
    RawConnection raw(schema.name());
    QVERIFY(raw.exec(u"DROP INDEX signals_pending"_s));
    QVERIFY(raw.exec(u"ALTER TABLE signals DROP COLUMN consumed_seq"_s));
    QVERIFY(raw.exec(u"ALTER TABLE flows DROP COLUMN plugin"_s));
    QVERIFY(raw.exec(u"DROP TABLE workers"_s));
    QVERIFY(raw.exec(u"CREATE TABLE workers (name TEXT PRIMARY KEY, host TEXT NOT NULL, pid BIGINT NOT NULL,"
                     " started BIGINT NOT NULL, heartbeat BIGINT NOT NULL, concurrency INTEGER NOT NULL DEFAULT 1,"
                     " lease_ms BIGINT NOT NULL DEFAULT 30000, in_flight INTEGER NOT NULL DEFAULT 0,"
                     " completed BIGINT NOT NULL DEFAULT 0, failed BIGINT NOT NULL DEFAULT 0,"
                     " steals BIGINT NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'alive')"_s));
    QVERIFY(raw.exec(u"INSERT INTO workers VALUES ('vm-1', 'vm', 24686, 2000, 9000, 4, 30000, 0, 147, 3, 1,"
                     " 'stopped')"_s));
    QVERIFY(raw.exec(u"UPDATE schema_version SET version = 3"_s));

    ERGON_TRY(log, PostgresExecutionLog::open(schema.url()));
    QCOMPARE(raw.value(u"SELECT version FROM schema_version"_s).toInt(), PostgresExecutionLog::schemaVersion);
    ERGON_TRY(migrated, log->workers());
    QCOMPARE(migrated.size(), 1);
    QVERIFY(migrated[0].id > 0);
    QCOMPARE(migrated[0].name, u"vm-1"_s);
    QCOMPARE(migrated[0].completed, 147);
    QCOMPARE(migrated[0].failed, 3);
    QCOMPARE(migrated[0].steals, 1);
    QCOMPARE(migrated[0].status, WorkerStatus::Stopped);
    // The name used again: a new run, the old one's history kept.
    WorkerRecord again = migrated[0];
    again.completed = 0;
    again.status = WorkerStatus::Alive;
    ERGON_TRY(run, log->registerWorker(again));
    QVERIFY(run > migrated[0].id);
    ERGON_TRY(after, log->workers());
    QCOMPARE(after.size(), 2);
    QCOMPARE(after[0].completed, 147);
    QCOMPARE(after[1].id, run);
    QVERIFY(!raw.value(u"SELECT to_regclass('workers_name')::text"_s).toString().isEmpty());
}

void TestPostgresExecutionLog::schema4_pendingSignals_areKeptAndDelivered()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    qint64 id = 0;
    {
        ERGON_TRY(log, PostgresExecutionLog::open(schema.url()));
        ERGON_TRY(ids, log->scheduleFlows({newFlow()}, QDateTime::currentDateTimeUtc()));
        id = ids.first();
    }
    // Back to version 4: signals without the wait step that took them; one pending, sent then.
    RawConnection raw(schema.name());
    QVERIFY(raw.exec(u"DROP INDEX signals_pending"_s));
    QVERIFY(raw.exec(u"ALTER TABLE signals DROP COLUMN consumed_seq"_s));
    QVERIFY(
        raw.exec(u"INSERT INTO signals (flow_id, name, payload, created) VALUES (%1, 'approve', '7', 1000)"_s.arg(id)));
    QVERIFY(raw.exec(u"UPDATE schema_version SET version = 4"_s));

    ERGON_TRY(log, PostgresExecutionLog::open(schema.url()));
    QCOMPARE(raw.value(u"SELECT version FROM schema_version"_s).toInt(), PostgresExecutionLog::schemaVersion);
    QVERIFY(!raw.value(u"SELECT to_regclass('signals_pending')::text"_s).toString().isEmpty());
    ERGON_TRY(kept, log->flowSignals(id));
    QCOMPARE(kept.size(), 1);
    QCOMPARE(kept[0].payloadJson, QByteArray("7"));
    QCOMPARE(kept[0].consumedSeq, -1);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    ERGON_TRY(claimed, claimInCommit(*log, id, u"w"_s, now, now.addSecs(60)));
    QVERIFY(claimed);
    LogBatch batch;
    SignalWait wait;
    wait.step.flowId = id;
    wait.step.name = u"approve"_s;
    wait.step.kind = StepKind::Signal;
    wait.step.worker = u"w"_s;
    wait.now = now;
    batch.signalWaits.append(wait);
    ERGON_TRY(outcome, log->commit(batch));
    QCOMPARE(outcome.settled.value(id).resultJson, QByteArray(R"({"payload":7})"));
    ERGON_TRY(delivered, log->flowSignals(id));
    QCOMPARE(delivered[0].consumedSeq, 0);
}

void TestPostgresExecutionLog::concurrentOpens_migrateOnce()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    // Two connections opening an empty schema: the advisory lock makes the second wait and then
    // find the schema current.
    ERGON_VERIFY_OK(PostgresExecutionLog::open(schema.url()));
    ERGON_VERIFY_OK(PostgresExecutionLog::open(schema.url()));
    RawConnection raw(schema.name());
    QCOMPARE(raw.value(u"SELECT count(*) FROM schema_version"_s).toInt(), 1);
    QCOMPARE(raw.value(u"SELECT version FROM schema_version"_s).toInt(), PostgresExecutionLog::schemaVersion);
}

void TestPostgresExecutionLog::notify_wakesAListener()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    ERGON_TRY(listening, PostgresExecutionLog::open(schema.url()));
    ERGON_TRY(scheduler, PostgresExecutionLog::open(schema.url()));
    QList<QDateTime> wakeUps;
    listening->setWorkListener([&wakeUps](const QDateTime &due) { wakeUps.append(due); });

    const QDateTime now = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
    ERGON_VERIFY_OK(scheduler->scheduleFlows({newFlow(now.addSecs(5)), newFlow(now.addSecs(2))}, now));
    QTRY_COMPARE_WITH_TIMEOUT(wakeUps.size(), 1, 5000);
    QCOMPARE(wakeUps.first(), now.addSecs(2)); // the earliest due time of the batch

    // Another schema of the same database (another deployment) wakes nobody here.
    PostgresTestSchema otherSchema;
    QVERIFY(PostgresExecutionLog::notificationChannel(schema.name()) !=
            PostgresExecutionLog::notificationChannel(otherSchema.name()));
    ERGON_TRY(elsewhere, PostgresExecutionLog::open(otherSchema.url()));
    ERGON_VERIFY_OK(elsewhere->scheduleFlows({newFlow(now.addSecs(3))}, now));
    // A barrier rather than a wait: the server delivers notifications in the order their
    // transactions committed, so once this later one (due in 7 s) has arrived, the other
    // schema's would have come first had it been sent here.
    ERGON_VERIFY_OK(scheduler->scheduleFlows({newFlow(now.addSecs(7))}, now));
    QTRY_COMPARE_WITH_TIMEOUT(wakeUps.size(), 2, 30000);
    QCOMPARE(wakeUps.last(), now.addSecs(7));

    // Handing flows back wakes the others as well.
    ERGON_TRY(claimed, scheduler->claimDue(u"w1"_s, now.addSecs(10), now.addSecs(70), 10, {}));
    QCOMPARE(claimed.size(), 3);
    ERGON_TRY(released, scheduler->releaseFlows(u"w1"_s, now.addSecs(11), true));
    QCOMPARE(released, 3);
    QTRY_COMPARE_WITH_TIMEOUT(wakeUps.size(), 3, 30000);
    QVERIFY(!wakeUps.last().isValid());

    // Without a listener, nothing is called any more: a listener set afterwards receives the
    // next notification (the barrier, due in 9 s), and the removed one has received nothing.
    listening->setWorkListener({});
    ERGON_VERIFY_OK(scheduler->scheduleFlows({newFlow(now.addSecs(8))}, now));
    QList<QDateTime> later;
    listening->setWorkListener([&later](const QDateTime &due) { later.append(due); });
    ERGON_VERIFY_OK(scheduler->scheduleFlows({newFlow(now.addSecs(9))}, now));
    QTRY_VERIFY_WITH_TIMEOUT(later.contains(now.addSecs(9)), 30000);
    QCOMPARE(wakeUps.size(), 3);
}

void TestPostgresExecutionLog::serverNow_isTheServersClock()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    ERGON_TRY(log, PostgresExecutionLog::open(schema.url()));
    const auto server = log->serverNow();
    QVERIFY(server);
    // The test server runs on this host: its clock is this host's.
    QVERIFY2(qAbs(server->msecsTo(QDateTime::currentDateTimeUtc())) < 2000,
             qPrintable(server->toString(Qt::ISODateWithMs)));
    QCOMPARE(server->timeSpec(), Qt::UTC);
}

void TestPostgresExecutionLog::lostConnection_reconnects()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    const QString application = u"ergon-test-lost-%1"_s.arg(QCoreApplication::applicationPid());
    ERGON_TRY(log, PostgresExecutionLog::open(withQuery(schema.url(), u"application_name"_s, application)));
    // Each notification is told apart by its due time: the wake-ups that a reconnection adds
    // ("look now", no due time) may come at any moment, and are counted apart.
    QList<QDateTime> wakeUps;
    log->setWorkListener([&wakeUps](const QDateTime &due) { wakeUps.append(due); });
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
    ERGON_TRY(ids, log->scheduleFlows({newFlow(now.addSecs(1))}, now));
    QTRY_VERIFY_WITH_TIMEOUT(wakeUps.contains(now.addSecs(1)), 30000);

    // The server ends the connection (as a restart or a network cut would).
    RawConnection raw(schema.name());
    QVERIFY(raw.exec(
        u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '%1'"_s.arg(application)));
    QTest::qWait(200);
    // The first call after the loss fails with a connection error, unless the loss was seen
    // while waiting for notifications (then it connects again at once).
    const auto first = log->flow(ids.first());
    if (!first)
        QCOMPARE(first.error().kind(), u"connection"_s);

    // Calls connect again: reads, writes and wake-ups work as before.
    ERGON_TRY(found, log->flow(ids.first()));
    QVERIFY(found.has_value());
    QTRY_VERIFY_WITH_TIMEOUT(wakeUps.contains(QDateTime()), 30000); // "look now": work may have come meanwhile
    ERGON_TRY(other, PostgresExecutionLog::open(schema.url()));
    ERGON_VERIFY_OK(other->scheduleFlows({newFlow(now.addSecs(2))}, now));
    QTRY_VERIFY_WITH_TIMEOUT(wakeUps.contains(now.addSecs(2)), 30000);

    // Again, but the loss is found by a statement, before the event loop sees the socket close.
    QVERIFY(raw.exec(
        u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '%1'"_s.arg(application)));
    const auto cut = log->countByStatus();
    if (!cut)
        QCOMPARE(cut.error().kind(), u"connection"_s);
    ERGON_TRY(counted, log->countByStatus());
    QCOMPARE(counted.value(FlowStatus::Pending), 2);
    // Listening again after the second loss: another connection's notification arrives.
    ERGON_VERIFY_OK(other->scheduleFlows({newFlow(now.addSecs(3))}, now));
    QTRY_VERIFY_WITH_TIMEOUT(wakeUps.contains(now.addSecs(3)), 30000);
    for (const QDateTime &due : std::as_const(wakeUps)) // nothing but the three and "look now"
        QVERIFY2(!due.isValid() || due == now.addSecs(1) || due == now.addSecs(2) || due == now.addSecs(3),
                 qPrintable(due.toString(Qt::ISODateWithMs)));
}

QTEST_GUILESS_MAIN(TestPostgresExecutionLog)
#include "tst_postgresexecutionlog.moc"
