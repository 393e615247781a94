// SqliteExecutionLog and files it must not take: corrupt files, a newer schema, another
// application's database, a read-only file. Each is a clear error, and the file keeps its bytes.
// Also closing after commits, and first opens racing; the commit path is tst_sqlitecommit's.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowregistry.h>
#include <ergon/sqliteexecutionlog.h>

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <functional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {
const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &byte : bytes)
        byte = char(generator.bounded(256));
    return bytes;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

/// Runs statements on a plain QSqlDatabase connection (what another program would do).
QString runRawSql(const QString &path, const QStringList &statements)
{
    const QString name = u"raw-"_s + path;
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            for (const QString &sql : statements) {
                if (!query.exec(sql)) {
                    error = sql + u": "_s + query.lastError().text();
                    break;
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

QStringList filesIn(const QTemporaryDir &dir)
{
    return QDir(dir.path()).entryList(QDir::Files, QDir::Name);
}
} // namespace

class TestSqliteExecutionLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void createsAndReopens();
    void olderSchema_isMigratedKeepingTheRecords();
    void schema3_workersByName_becomeRuns();
    void schema4_pendingSignals_areKeptAndDelivered();
    void refusesWhatItCannotOpen_data();
    void refusesWhatItCannotOpen();
    void missingFolder();
    void readOnlyFile_readsWork();
    void readOnlyFile_writesFailClearly();
    void closesCleanlyAfterCommits();
    void concurrentFirstOpensCreateTheSchemaOnce();

private:
    /// An Ergon database with a completed, a failed and a pending flow; returns the ids.
    QList<qint64> createErgonDatabase(const QString &path);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSqliteExecutionLog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QList<qint64> TestSqliteExecutionLog::createErgonDatabase(const QString &path)
{
    auto log = SqliteExecutionLog::open(path);
    if (!log) {
        qWarning("creating %s: %s", qPrintable(path), qPrintable(log.errorString()));
        return {};
    }
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    flow.arguments = {{u"order"_s, u"A-1"_s}};
    auto ids = (*log)->scheduleFlows({flow, flow, flow}, t0);
    if (!ids)
        return {};
    for (int i = 0; i < 2; ++i) {
        const qint64 id = ids->at(i);
        if (!claimInCommit(**log, id, u"w1"_s, t0, t0.addSecs(60)).value_or(false))
            return {};
        StepRecord step;
        step.flowId = id;
        step.seq = 0;
        step.name = u"charge"_s;
        step.status = i == 0 ? StepStatus::Completed : StepStatus::Failed;
        step.resultJson = i == 0 ? QByteArray("\"p-1\"") : QByteArray();
        step.error = i == 0 ? QString() : u"declined"_s;
        step.attempts = 1;
        FlowUpdate update;
        update.flowId = id;
        update.leaseOwner = u"w1"_s;
        update.status = i == 0 ? FlowStatus::Completed : FlowStatus::Failed;
        update.resultJson = step.resultJson;
        update.error = i == 0 ? QString() : u"step 'charge' failed: declined"_s;
        update.updated = t0.addSecs(1);
        update.releaseLease = true;
        LogBatch batch;
        batch.flows.append(update);
        batch.steps.append(step);
        batch.attempts.append(AttemptWrite{id, 0, AttemptRecord{1, t0, t0.addSecs(1), step.error, u"w1"_s}});
        if (!(*log)->write(batch))
            return {};
    }
    return *ids;
}

void TestSqliteExecutionLog::createsAndReopens()
{
    const QString path = m_dir->filePath(u"ergon.db"_s);
    const QList<qint64> ids = createErgonDatabase(path);
    QCOMPARE(ids.size(), 3);
    ERGON_TRY(log, SqliteExecutionLog::open(path));
    QVERIFY(!log->isReadOnly());
    QCOMPARE(log->location(), path);
    ERGON_TRY(counts, log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Completed), 1);
    QCOMPARE(counts.value(FlowStatus::Failed), 1);
    QCOMPARE(counts.value(FlowStatus::Pending), 1);

    // The schema version is recorded for later builds to migrate from.
    log.reset();
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"check-version"_s);
    db.setDatabaseName(path);
    QVERIFY(db.open());
    {
        QSqlQuery query(db);
        QVERIFY(query.exec(u"PRAGMA user_version"_s) && query.next());
        QCOMPARE(query.value(0).toInt(), SqliteExecutionLog::schemaVersion);
    }
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(u"check-version"_s);
}

void TestSqliteExecutionLog::olderSchema_isMigratedKeepingTheRecords()
{
    const QString path = m_dir->filePath(u"old.db"_s);
    createErgonDatabase(path);
    // Back to what version 1 wrote: one queue index over every status, no flows_status.
    QCOMPARE(runRawSql(path,
                       {u"DROP INDEX flows_status"_s, u"DROP INDEX flows_pending"_s, u"DROP INDEX flows_waiting"_s,
                        u"CREATE INDEX flows_queue ON flows (status, priority DESC, run_at)"_s,
                        u"ALTER TABLE flows DROP COLUMN plugin"_s, u"DROP INDEX signals_pending"_s,
                        u"ALTER TABLE signals DROP COLUMN consumed_seq"_s, u"PRAGMA user_version = 1"_s}),
             QString());

    ERGON_TRY(log, SqliteExecutionLog::open(path));
    ERGON_TRY(counts, log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Completed), 1);
    QCOMPARE(counts.value(FlowStatus::Failed), 1);
    QCOMPARE(counts.value(FlowStatus::Pending), 1);
    // The pending flow is still claimable, now through the partial index.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    ERGON_TRY(claimed, log->claimDue(u"w"_s, now, now.addSecs(60), 10, {}));
    QCOMPARE(claimed.size(), 1);
    log.reset();

    const QString name = u"check-migrated"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(u"PRAGMA user_version"_s) && query.next());
        QCOMPARE(query.value(0).toInt(), SqliteExecutionLog::schemaVersion);
        QVERIFY(query.exec(u"SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'flows_%'"
                           u" ORDER BY name"_s));
        QStringList indexes;
        while (query.next())
            indexes.append(query.value(0).toString());
        QVERIFY2(indexes.contains(u"flows_pending"_s) && indexes.contains(u"flows_waiting"_s) &&
                     indexes.contains(u"flows_status"_s) && !indexes.contains(u"flows_queue"_s),
                 qPrintable(indexes.join(u", "_s)));
        // The claim's query reads its ordered index, not a sort over every flow of the status.
        QVERIFY(query.exec(u"EXPLAIN QUERY PLAN SELECT id, priority, run_at FROM flows WHERE status = 'pending'"
                           u" AND type = 'orders.Process' AND run_at <= 0 ORDER BY priority DESC, run_at LIMIT 10"_s));
        QStringList plan;
        while (query.next())
            plan.append(query.value(3).toString());
        QVERIFY2(plan.join(u"; "_s).contains(u"flows_pending"_s), qPrintable(plan.join(u"; "_s)));
        QVERIFY2(!plan.join(u"; "_s).contains(u"TEMP B-TREE"_s), qPrintable(plan.join(u"; "_s)));
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

void TestSqliteExecutionLog::schema3_workersByName_becomeRuns()
{
    const QString path = m_dir->filePath(u"v3.db"_s);
    createErgonDatabase(path);
    // Back to version 3: no plugin column, and a workers table of one row per name, the name its
    // primary key.
    QCOMPARE(runRawSql(path,
                       {u"ALTER TABLE flows DROP COLUMN plugin"_s, u"DROP INDEX signals_pending"_s,
                        u"ALTER TABLE signals DROP COLUMN consumed_seq"_s, u"DROP TABLE workers"_s,
                        u"CREATE TABLE workers (name TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL,"
                        " started INTEGER NOT NULL, heartbeat INTEGER NOT NULL, concurrency INTEGER NOT NULL DEFAULT 1,"
                        " lease_ms INTEGER NOT NULL DEFAULT 30000, in_flight INTEGER NOT NULL DEFAULT 0,"
                        " completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
                        " steals INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'alive')"_s,
                        u"INSERT INTO workers VALUES ('vm-1', 'vm', 24686, 2000, 9000, 4, 30000, 0, 147, 3, 1,"
                        " 'stopped')"_s,
                        u"INSERT INTO workers VALUES ('a-1', 'a', 11, 1000, 9500, 2, 30000, 0, 5, 0, 0, 'stopped')"_s,
                        u"PRAGMA user_version = 3"_s}),
             QString());

    ERGON_TRY(log, SqliteExecutionLog::open(path));
    ERGON_TRY(migrated, log->workers());
    QCOMPARE(migrated.size(), 2);
    QCOMPARE(migrated[0].name, u"a-1"_s);
    QCOMPARE(migrated[0].id, 1); // numbered in the order they started
    QCOMPARE(migrated[1].name, u"vm-1"_s);
    QCOMPARE(migrated[1].id, 2);
    QCOMPARE(migrated[1].pid, 24686);
    QCOMPARE(migrated[1].started, QDateTime::fromMSecsSinceEpoch(2000, Qt::UTC));
    QCOMPARE(migrated[1].heartbeat, QDateTime::fromMSecsSinceEpoch(9000, Qt::UTC));
    QCOMPARE(migrated[1].concurrency, 4);
    QCOMPARE(migrated[1].completed, 147);
    QCOMPARE(migrated[1].failed, 3);
    QCOMPARE(migrated[1].steals, 1);
    QCOMPARE(migrated[1].status, WorkerStatus::Stopped);

    // The name used again: a new run, the old one's history kept.
    WorkerRecord again = migrated[1];
    again.completed = 0;
    again.failed = 0;
    again.steals = 0;
    again.status = WorkerStatus::Alive;
    ERGON_TRY(run, log->registerWorker(again));
    QCOMPARE(run, 3);
    ERGON_TRY(after, log->workers());
    QCOMPARE(after.size(), 3);
    QCOMPARE(after[1].completed, 147);
    QCOMPARE(after[2].id, 3);
    QCOMPARE(after[2].completed, 0);
    log.reset();
    QCOMPARE(runRawSql(path, {u"SELECT 1 FROM workers INDEXED BY workers_name WHERE name = 'vm-1'"_s}), QString());
}

void TestSqliteExecutionLog::schema4_pendingSignals_areKeptAndDelivered()
{
    const QString path = m_dir->filePath(u"v4.db"_s);
    const QList<qint64> ids = createErgonDatabase(path);
    QCOMPARE(ids.size(), 3);
    const qint64 id = ids[2]; // the pending one
    // Back to version 4: signals without the wait step that took them; one pending, sent then.
    QCOMPARE(
        runRawSql(path,
                  {u"DROP INDEX signals_pending"_s, u"ALTER TABLE signals DROP COLUMN consumed_seq"_s,
                   u"INSERT INTO signals (flow_id, name, payload, created) VALUES (%1, 'approve', '7', 1000)"_s.arg(id),
                   u"PRAGMA user_version = 4"_s}),
        QString());

    ERGON_TRY(log, SqliteExecutionLog::open(path));
    ERGON_TRY(kept, log->flowSignals(id));
    QCOMPARE(kept.size(), 1);
    QCOMPARE(kept[0].name, u"approve"_s);
    QCOMPARE(kept[0].payloadJson, QByteArray("7"));
    QCOMPARE(kept[0].consumedSeq, -1);
    // A wait takes it, and records which.
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
    log.reset();
    QCOMPARE(runRawSql(path,
                       {u"SELECT 1 FROM signals INDEXED BY signals_pending WHERE flow_id = 1 AND name = 'a'"
                        u" AND consumed IS NULL"_s}),
             QString());
}

void TestSqliteExecutionLog::refusesWhatItCannotOpen_data()
{
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("mentions");

    QTest::newRow("random bytes") << u"random"_s << u"corrupt"_s << QStringList{u"not an SQLite database"_s};
    QTest::newRow("a text file") << u"text"_s << u"corrupt"_s << QStringList{u"not an SQLite database"_s};
    QTest::newRow("SQLite header, then garbage") << u"header+garbage"_s << u"corrupt"_s << QStringList{u"corrupt"_s};
    QTest::newRow("newer schema") << u"newer"_s << u"newer-schema"_s
                                  << QStringList{u"newer"_s, u"99"_s,
                                                 QString::number(SqliteExecutionLog::schemaVersion)};
    QTest::newRow("newer schema, WAL") << u"newer-wal"_s << u"newer-schema"_s << QStringList{u"newer"_s, u"99"_s};
    QTest::newRow("another application's database")
        << u"foreign"_s << u"foreign-database"_s << QStringList{u"another application"_s};
}

void TestSqliteExecutionLog::refusesWhatItCannotOpen()
{
    QFETCH(QString, content);
    QFETCH(QString, kind);
    QFETCH(QStringList, mentions);

    const QString path = m_dir->filePath(u"orders.db"_s);
    if (content == u"random"_s) {
        QVERIFY(writeFile(path, randomBytes(64 * 1024, 7)));
    } else if (content == u"text"_s) {
        QVERIFY(writeFile(path, "order_id,amount\nA-1,12\n"));
    } else if (content == u"header+garbage"_s) {
        QVERIFY(writeFile(path, QByteArray("SQLite format 3\0", 16) + randomBytes(8 * 1024 - 16, 11)));
    } else if (content == u"newer"_s) {
        // A file from a future version: its own tables, user_version 99 (rollback journal).
        QCOMPARE(runRawSql(path,
                           {u"CREATE TABLE flows_v99 (id INTEGER PRIMARY KEY, payload BLOB)"_s,
                            u"INSERT INTO flows_v99 (payload) VALUES (x'00ff')"_s, u"PRAGMA user_version = 99"_s}),
                 QString());
    } else if (content == u"newer-wal"_s) {
        QCOMPARE(createErgonDatabase(path).size(), 3);
        QCOMPARE(runRawSql(path, {u"PRAGMA user_version = 99"_s}), QString());
    } else if (content == u"foreign"_s) {
        QCOMPARE(runRawSql(path,
                           {u"CREATE TABLE contacts (name TEXT, phone TEXT)"_s,
                            u"INSERT INTO contacts VALUES ('Ada', '555-0100')"_s}),
                 QString());
    }
    const QByteArray hashBefore = fileHash(path);
    const QStringList filesBefore = filesIn(*m_dir);

    auto log = SqliteExecutionLog::open(path);
    QVERIFY2(!log, "the file was opened");
    QCOMPARE(log.error().kind(), kind);
    const QString message = log.errorString();
    QVERIFY2(message.contains(u"orders.db"_s), qPrintable(message)); // names the file
    for (const QString &mention : mentions)
        QVERIFY2(message.contains(mention), qPrintable(u"'%1' not in: %2"_s.arg(mention, message)));

    // Untouched: same bytes, no journal or WAL left beside it.
    QCOMPARE(fileHash(path), hashBefore);
    QCOMPARE(filesIn(*m_dir), filesBefore);

    // And it stays refused (nothing was half-migrated).
    auto again = SqliteExecutionLog::open(path);
    QVERIFY(!again);
    QCOMPARE(again.error().kind(), kind);
}

void TestSqliteExecutionLog::missingFolder()
{
    const QString path = m_dir->filePath(u"no/such/folder/ergon.db"_s);
    auto log = SqliteExecutionLog::open(path);
    QVERIFY(!log);
    QCOMPARE(log.error().kind(), u"io"_s);
    QVERIFY2(log.errorString().contains(u"does not exist"_s), qPrintable(log.errorString()));
    QVERIFY(!QFile::exists(path));
}

void TestSqliteExecutionLog::readOnlyFile_readsWork()
{
    const QString path = m_dir->filePath(u"ergon.db"_s);
    const QList<qint64> ids = createErgonDatabase(path);
    QCOMPARE(ids.size(), 3);
    QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther)); // 0444
    const QByteArray hashBefore = fileHash(path);

    {
        ERGON_TRY(log, SqliteExecutionLog::open(path));
        QVERIFY(log->isReadOnly());
        ERGON_TRY(flow, log->flow(ids[0]));
        QVERIFY(flow.has_value());
        QCOMPARE(flow->status, FlowStatus::Completed);
        QCOMPARE(flow->resultJson, QByteArray("\"p-1\""));
        ERGON_TRY(steps, log->steps(ids[1], true));
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps.first().error, u"declined"_s);
        QCOMPARE(steps.first().attemptLog.size(), 1);
        ERGON_TRY(flows, log->flows(FlowQuery()));
        QCOMPARE(flows.size(), 3);
        ERGON_TRY(counts, log->countByStatus());
        QCOMPARE(counts.value(FlowStatus::Pending), 1);
    }
    QCOMPARE(fileHash(path), hashBefore);
}

void TestSqliteExecutionLog::readOnlyFile_writesFailClearly()
{
    const QString path = m_dir->filePath(u"ergon.db"_s);
    const QList<qint64> ids = createErgonDatabase(path);
    QCOMPARE(ids.size(), 3);
    QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther));
    const QByteArray hashBefore = fileHash(path);

    ERGON_TRY(log, SqliteExecutionLog::open(path));
    QVERIFY(log->isReadOnly());
    ERGON_TRY(flowsBefore, log->flows(FlowQuery()));

    const auto expectReadOnly = [](const auto &result, const char *what) {
        QVERIFY2(!result.ok(), what);
        QVERIFY2(result.error().kind() == u"read-only"_s, qPrintable(result.errorString()));
        QVERIFY2(result.errorString().contains(u"read-only"_s), qPrintable(result.errorString()));
        QVERIFY2(result.errorString().contains(u"ergon.db"_s), qPrintable(result.errorString()));
    };
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    expectReadOnly(log->scheduleFlows({flow}, t0), "scheduleFlows");
    expectReadOnly(claimInCommit(*log, ids[2], u"w2"_s, t0.addSecs(5), t0.addSecs(65)), "claimFlow");
    LogBatch batch;
    StepRecord step;
    step.flowId = ids[2];
    step.name = u"x"_s;
    batch.steps.append(step);
    expectReadOnly(log->write(batch), "write");
    expectReadOnly(log->retryFlow(ids[1], QString(), t0.addSecs(5)), "retryFlow");
    expectReadOnly(log->cancelFlow(ids[2], t0.addSecs(5)), "cancelFlow");
    if (QTest::currentTestFailed())
        return;

    // An executor on it fails the same way, and leaves nothing behind.
    FlowRegistry registry;
    FlowTypeInfo info;
    info.name = u"orders.Process"_s;
    class NothingFlow final : public Flow
    {
    public:
        QCoro::Task<QJsonValue> run(FlowContext &) override { co_return QJsonValue(); }
    };
    ERGON_VERIFY_OK(registry.add(info, [](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
        return std::unique_ptr<Flow>(std::make_unique<NothingFlow>());
    }));
    FakeClock clock;
    FlowExecutor executor(*log, registry, clock);
    ERGON_AWAIT_RESULT(outcome, executor.runNew(u"orders.Process"_s, {}));
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().kind(), u"read-only"_s);

    ERGON_TRY(flowsAfter, log->flows(FlowQuery()));
    QCOMPARE(flowsAfter.size(), flowsBefore.size());
    for (int i = 0; i < flowsAfter.size(); ++i)
        QCOMPARE(describe(flowsAfter[i]), describe(flowsBefore[i]));
    log.reset();
    QCOMPARE(fileHash(path), hashBefore);
}

// The native statements are finalized before the connection closes: SQLite then closes it for
// real, checkpoints and removes the WAL file.
void TestSqliteExecutionLog::closesCleanlyAfterCommits()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    const QString path = m_dir->filePath(u"ergon.db"_s);
    QCOMPARE(createErgonDatabase(path).size(), 3); // claims, steps, attempts and flow updates
    QVERIFY(!QFile::exists(path + u"-wal"_s));
    QVERIFY(!QFile::exists(path + u"-shm"_s));
    ERGON_TRY(log, SqliteExecutionLog::open(path));
    ERGON_TRY(counts, log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Completed), 1);
}

// A console and its workers open a new database file at the same moment: every connection
// must end up on the schema, none may fail with "table flows already exists".
void TestSqliteExecutionLog::concurrentFirstOpensCreateTheSchemaOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    constexpr int files = 10;
    constexpr int openers = 6;
    for (int file = 0; file < files; ++file) {
        const QString path = dir.filePath(u"race-%1.db"_s.arg(file));
        QSemaphore start;
        QList<QString> errors(openers);
        QList<QThread *> threads;
        for (int i = 0; i < openers; ++i) {
            threads.append(QThread::create([&, i] {
                start.acquire();
                auto log = ergon::SqliteExecutionLog::open(path);
                if (!log)
                    errors[i] = log.errorString();
                else if (auto counts = (*log)->countByStatus(); !counts)
                    errors[i] = counts.errorString();
            }));
            threads.last()->start();
        }
        start.release(openers);
        for (QThread *thread : std::as_const(threads)) {
            QVERIFY(thread->wait(30000));
            delete thread;
        }
        for (const QString &error : std::as_const(errors))
            QVERIFY2(error.isEmpty(), qPrintable(error));
    }
}

QTEST_GUILESS_MAIN(TestSqliteExecutionLog)
#include "tst_sqliteexecutionlog.moc"
