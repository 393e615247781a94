// What the workers table says while workers run and after they restart: the counters are
// current within a second, not only at each heartbeat (a third of the lease), and a worker
// started again under the same name gets a row of its own, the earlier run's history kept.

#include "ergontest.h"
#include "logfixture.h"
#include "workertest.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>

#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

/// The rows of the workers table with that name, oldest run first (empty when unreadable).
QList<WorkerRecord> rowsOf(ExecutionLog &log, const QString &name)
{
    QList<WorkerRecord> rows;
    const auto workers = log.workers();
    for (const WorkerRecord &worker : workers.value_or(QList<WorkerRecord>{})) {
        if (worker.name == name)
            rows.append(worker);
    }
    return rows;
}

qint64 completedOf(ExecutionLog &log, const QString &name)
{
    const QList<WorkerRecord> rows = rowsOf(log, name);
    return rows.isEmpty() ? -1 : rows.last().completed;
}

int inFlightOf(ExecutionLog &log, const QString &name)
{
    const QList<WorkerRecord> rows = rowsOf(log, name);
    return rows.isEmpty() ? -1 : rows.last().inFlight;
}

} // namespace

class TestWorkerRows : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void countersAreCurrentBetweenHeartbeats_data() { addBackendRows(); }
    void countersAreCurrentBetweenHeartbeats();
    void aRestartedWorkerKeepsTheEarlierRun_data() { addBackendRows(); }
    void aRestartedWorkerKeepsTheEarlierRun();

private:
    PluginCatalog m_catalog;
    SystemClock m_clock;
};

void TestWorkerRows::initTestCase()
{
    m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
    QVERIFY(m_catalog.failedPlugins().isEmpty());
    QVERIFY(m_catalog.registry().contains(u"demo.Pipeline"_s));
}

void TestWorkerRows::init()
{
    failOnThreadMisuse();
}

void TestWorkerRows::countersAreCurrentBetweenHeartbeats()
{
    QFETCH(QString, backend);
    if (backend == u"postgres"_s)
        ERGON_REQUIRE_POSTGRES();
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    // Four slow flows fill the worker's four slots; then fifty quick ones.
    ERGON_TRY(slow, scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(1, 1500), 4)));
    QCOMPARE(slow.size(), 4);

    // A 90 s lease: the first heartbeat after the registration comes at 30 s, long after every
    // check below has to pass.
    auto worker = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"counted"_s)
                      .withConcurrency(4)
                      .withPollInterval(20ms)
                      .withLeaseDuration(90s)
                      .start();
    QTRY_COMPARE_WITH_TIMEOUT(inFlightOf(storage.log(), u"counted"_s), 4, 1400);
    ERGON_TRY(quick, scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(1, 0), 50)));
    QCOMPARE(quick.size(), 50);
    QTRY_COMPARE_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed), qint64(54), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(completedOf(storage.log(), u"counted"_s), qint64(54), 3000);
    QTRY_COMPARE_WITH_TIMEOUT(inFlightOf(storage.log(), u"counted"_s), 0, 3000);
    const QList<WorkerRecord> rows = rowsOf(storage.log(), u"counted"_s);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().status, WorkerStatus::Alive);
    QCOMPARE(rows.first().failed, 0);
    QCOMPARE(worker->stats().completed, 54);
    worker->shutdownAndWait(5s);
}

void TestWorkerRows::aRestartedWorkerKeepsTheEarlierRun()
{
    QFETCH(QString, backend);
    if (backend == u"postgres"_s)
        ERGON_REQUIRE_POSTGRES();
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    const auto runOnce = [&](int flows, qint64 completedBefore) {
        ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(2, 0), flows)));
        QCOMPARE(ids.size(), flows);
        auto worker = FlowWorker(storage.opener(), m_catalog.registry())
                          .withName(u"vm-24686-1"_s)
                          .withConcurrency(4)
                          .withPollInterval(20ms)
                          .start();
        QTRY_COMPARE_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed), completedBefore + flows, 20000);
        worker->shutdownAndWait(5s);
    };
    runOnce(7, 0);
    if (QTest::currentTestFailed())
        return;
    runOnce(3, 7);
    if (QTest::currentTestFailed())
        return;

    const QList<WorkerRecord> rows = rowsOf(storage.log(), u"vm-24686-1"_s);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].completed, 7); // the first run's history, as it stopped
    QCOMPARE(rows[0].status, WorkerStatus::Stopped);
    QCOMPARE(rows[1].completed, 3);
    QCOMPARE(rows[1].status, WorkerStatus::Stopped);
    QVERIFY(rows[0].started <= rows[1].started);
}

QTEST_GUILESS_MAIN(TestWorkerRows)
#include "tst_workerrows.moc"
