// A flow records the plugin that provided its type where it was scheduled, and claims take a
// type's flows of the claiming worker's plugin only, or of none recorded (issue 11, defect 5:
// two plugins declaring one type; a flow scheduled by one was claimed by a worker with the other
// and failed for good). On every backend: pending flows, flows under an expired lease, the
// started claims; and schema 4 on SQLite, which adds the column to a database of schema 3
// keeping its flows, which any worker of their type may take.

#include "ergontest.h"
#include "logfixture.h"
#include "storage/sqlite/sqliteschema.h"

#include <ergon/sqliteexecutionlog.h>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace ergon;
using namespace ergon::test;
using namespace Qt::StringLiterals;

namespace {

const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

QDateTime at(int seconds)
{
    return t0.addSecs(seconds);
}

NewFlow flowOf(const QString &plugin, const QString &type = u"orders.OrderProcessor"_s)
{
    NewFlow flow;
    flow.type = type;
    flow.plugin = plugin;
    return flow;
}

ClaimFilter ordersFrom(const QString &plugin)
{
    ClaimFilter filter;
    filter.add(u"orders.OrderProcessor"_s, plugin);
    filter.add(u"orders.TimedOrderProcessor"_s, u"orders"_s);
    return filter;
}

} // namespace

class TestClaimFilter : public QObject
{
    Q_OBJECT

    std::unique_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }

    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_fixture = makeLogFixture(backend);
        QVERIFY(m_fixture);
        auto log = m_fixture->open();
        QVERIFY2(log, qPrintable(log.errorString()));
        m_log = log.take();
    }

    void cleanup()
    {
        m_log.reset();
        m_fixture.reset();
    }

    void thePluginIsStoredWithTheFlow()
    {
        ERGON_TRY(ids, m_log->scheduleFlows({flowOf(u"orders"_s), flowOf(QString())}, t0));
        ERGON_TRY(first, m_log->flow(ids.at(0)));
        QVERIFY(first.has_value());
        QCOMPARE(first->plugin, u"orders"_s);
        ERGON_TRY(listed, m_log->flows(FlowQuery{}));
        QCOMPARE(listed.size(), 2);
        for (const FlowRecord &flow : std::as_const(listed))
            QCOMPARE(flow.plugin, flow.id == ids.at(0) ? u"orders"_s : QString());
    }

    void claimsTakeTheirOwnPluginsFlowsOnly()
    {
        ERGON_TRY(ids,
                  m_log->scheduleFlows({flowOf(u"orders"_s), flowOf(u"shadowing"_s), flowOf(QString()),
                                        flowOf(u"orders"_s, u"orders.TimedOrderProcessor"_s)},
                                       t0));
        const qint64 ofOrders = ids.at(0), ofShadowing = ids.at(1), unrecorded = ids.at(2), timed = ids.at(3);

        // A worker that resolves orders.OrderProcessor to "shadowing".
        ERGON_TRY(shadowing, m_log->claimDue(u"w-shadowing"_s, at(1), at(61), 10, ordersFrom(u"shadowing"_s)));
        std::sort(shadowing.begin(), shadowing.end());
        QCOMPARE(shadowing, (QList<qint64>{ofShadowing, unrecorded, timed}));
        // The orders plugin's flow was left alone: pending, no lease.
        ERGON_TRY(left, m_log->flow(ofOrders));
        QCOMPARE(left->status, FlowStatus::Pending);
        QVERIFY(left->leaseOwner.isEmpty());

        // A worker with the orders plugin takes it, started.
        ERGON_TRY(started, m_log->claimDueStarted(u"w-orders"_s, at(2), at(62), 10, ordersFrom(u"orders"_s)));
        QCOMPARE(started.size(), 1);
        QCOMPARE(started.first().record.id, ofOrders);
    }

    void anExpiredLeaseGoesToAWorkerOfTheSamePlugin()
    {
        ERGON_TRY(ids, m_log->scheduleFlows({flowOf(u"orders"_s)}, t0));
        ERGON_TRY(claimed, claimInCommit(*m_log, ids.first(), u"w-dead"_s, t0, at(10)));
        QVERIFY(claimed);
        ERGON_TRY(foreign, m_log->claimDue(u"w-shadowing"_s, at(20), at(80), 10, ordersFrom(u"shadowing"_s)));
        QVERIFY(foreign.isEmpty());
        ERGON_TRY(own, m_log->claimDue(u"w-orders"_s, at(21), at(81), 10, ordersFrom(u"orders"_s)));
        QCOMPARE(own, QList<qint64>{ids.first()});
    }

    void stealingTakesTheThiefsPluginsFlowsOnly()
    {
        ERGON_TRY(ids,
                  m_log->scheduleFlows(
                      {flowOf(u"orders"_s), flowOf(u"orders"_s), flowOf(u"shadowing"_s), flowOf(u"shadowing"_s)}, t0));
        // The victim prefetched all four (leased, not started).
        ERGON_TRY(prefetched, m_log->claimDue(u"w-victim"_s, at(1), at(600), 10));
        QCOMPARE(prefetched.size(), 4);
        ERGON_TRY(stolen, m_log->stealFlows(u"w-shadowing"_s, at(2), at(600), 10, ordersFrom(u"shadowing"_s)));
        QVERIFY(!stolen.isEmpty());
        for (const StealRecord &steal : std::as_const(stolen)) {
            ERGON_TRY(flow, m_log->flow(steal.flowId));
            QCOMPARE(flow->plugin, u"shadowing"_s);
            QCOMPARE(flow->leaseOwner, u"w-shadowing"_s);
        }
        for (const qint64 id : {ids.at(0), ids.at(1)}) {
            ERGON_TRY(flow, m_log->flow(id));
            QCOMPARE(flow->leaseOwner, u"w-victim"_s);
        }
    }

    void typesWithoutAPluginAndNoFilter()
    {
        ERGON_TRY(ids, m_log->scheduleFlows({flowOf(u"orders"_s), flowOf(QString())}, t0));
        // A type registered in code (no plugin) takes only flows without one.
        ERGON_TRY(inCode, m_log->claimDue(u"w-code"_s, at(1), at(61), 10, {u"orders.OrderProcessor"_s}));
        QCOMPARE(inCode, QList<qint64>{ids.at(1)});
        // No filter: every flow (as before).
        ERGON_TRY(any, m_log->claimDue(u"w-any"_s, at(2), at(62), 10));
        QCOMPARE(any, QList<qint64>{ids.at(0)});
    }

    void sqliteSchema3IsMigratedTo4KeepingItsFlows()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend != u"sqlite"_s)
            QSKIP("a SQLite file's schema");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"v3.db"_s);
        {
            // What version 3 wrote: migrations 1 to 3, and a flow.
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v3"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            for (const SchemaMigration &migration : sqliteMigrations()) {
                if (migration.version > 3)
                    break;
                for (const QString &sql : migration.statements)
                    QVERIFY2(query.exec(sql), qPrintable(sql + u": "_s + query.lastError().text()));
            }
            QVERIFY(query.exec(u"INSERT INTO flows (type, args, status, run_at, created, updated)"
                               " VALUES ('orders.OrderProcessor', '{}', 'pending', 0, 0, 0)"_s));
            QVERIFY(query.exec(u"PRAGMA user_version = 3"_s));
            query.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(u"v3"_s);

        ERGON_TRY(log, SqliteExecutionLog::open(path));
        ERGON_TRY(flows, log->flows(FlowQuery{}));
        QCOMPARE(flows.size(), 1);
        QCOMPARE(flows.first().plugin, QString()); // not recorded: any worker of the type
        ERGON_TRY(claimed, log->claimDue(u"w"_s, at(1), at(61), 10, ordersFrom(u"shadowing"_s)));
        QCOMPARE(claimed, QList<qint64>{flows.first().id});
        ERGON_TRY(added, log->scheduleFlows({flowOf(u"orders"_s)}, t0));
        ERGON_TRY(stored, log->flow(added.first()));
        QCOMPARE(stored->plugin, u"orders"_s);
    }
};

QTEST_GUILESS_MAIN(TestClaimFilter)
#include "tst_claimfilter.moc"
