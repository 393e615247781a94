// Work distribution: two and four equal workers share 2,000 demo.Pipeline flows. Every flow
// completes exactly once, no flow runs on two workers (each step has one attempt, all by the
// same worker), and every worker takes part. Their fair share, exactly: given as many long flows
// as they have slots in all, each worker runs as many as its slots (none takes another's).

#include "ergontest.h"
#include "workertest.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>

#include <QElapsedTimer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

class TestWorkerDistribution : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void equalWorkersShareTheWork_data();
    void equalWorkersShareTheWork();
    void equalWorkersFillTheirSlots_data() { equalWorkersShareTheWork_data(); }
    void equalWorkersFillTheirSlots();

private:
    PluginCatalog m_catalog;
    SystemClock m_clock;
};

void TestWorkerDistribution::initTestCase()
{
    m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
    QVERIFY(m_catalog.failedPlugins().isEmpty());
    QVERIFY(m_catalog.registry().contains(u"demo.Pipeline"_s));
}

void TestWorkerDistribution::init()
{
    failOnThreadMisuse();
}

void TestWorkerDistribution::equalWorkersShareTheWork_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<int>("workers");
    QTest::addColumn<int>("stepMs");
    QTest::newRow("sqlite, 2 workers") << u"sqlite"_s << 2 << 2;
    QTest::newRow("sqlite, 4 workers") << u"sqlite"_s << 4 << 2;
    QTest::newRow("memory, 2 workers") << u"memory"_s << 2 << 2;
    QTest::newRow("memory, 4 workers") << u"memory"_s << 4 << 2;
}

void TestWorkerDistribution::equalWorkersShareTheWork()
{
    QFETCH(QString, backend);
    QFETCH(int, workers);
    QFETCH(int, stepMs);
    constexpr int flows = 2000;
    constexpr int concurrency = 4;

    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(3, stepMs), flows)));
    QCOMPARE(ids.size(), flows);

    QElapsedTimer elapsed;
    elapsed.start();
    std::vector<std::unique_ptr<WorkerHandle>> handles;
    QStringList names;
    for (int i = 1; i <= workers; ++i) {
        names.append(u"worker-%1"_s.arg(i));
        handles.push_back(FlowWorker(storage.opener(), m_catalog.registry())
                              .withName(names.last())
                              .withConcurrency(concurrency)
                              .start());
    }
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == flows,
                              qPrintable(countsText(storage.log())), 60000);
    const qint64 runMs = elapsed.elapsed();
    for (auto &handle : handles)
        handle->shutdownAndWait(5s);

    ERGON_TRY(counts, storage.log().countByStatus());
    QCOMPARE(counts, (QMap<FlowStatus, qint64>{{FlowStatus::Completed, flows}}));

    // Where each flow ran: every step once, every step of a flow by the same worker.
    QHash<QString, qint64> byWorker;
    for (const qint64 id : std::as_const(ids)) {
        ERGON_TRY(steps, storage.log().steps(id, true));
        QCOMPARE(steps.size(), 3);
        const QString worker = steps.first().worker;
        QVERIFY2(names.contains(worker), qPrintable(describe(steps)));
        for (const StepRecord &step : std::as_const(steps)) {
            QCOMPARE(step.status, StepStatus::Completed);
            QVERIFY2(step.attempts == 1 && step.attemptLog.size() == 1, qPrintable(describe(steps)));
            QVERIFY2(step.worker == worker && step.attemptLog.first().worker == worker, qPrintable(describe(steps)));
        }
        ++byWorker[worker];
    }

    const double mean = double(flows) / workers;
    QStringList figures;
    qint64 statsTotal = 0;
    for (const auto &handle : handles) {
        const qint64 done = byWorker.value(handle->name());
        figures.append(u"%1=%2 (%3%)"_s.arg(handle->name()).arg(done).arg(100.0 * (done - mean) / mean, 0, 'f', 1));
        QCOMPARE(handle->stats().completed, done);
        QCOMPARE(handle->stats().failed, 0);
        statsTotal += handle->stats().completed;
    }
    QCOMPARE(statsTotal, qint64(flows));
    // How evenly they shared depends on how the machine gave the threads its cores (the exact
    // share is equalWorkersFillTheirSlots'): printed, and every worker took part.
    qInfo("%s: %d flows in %lld ms (%.0f flows/s): %s", QTest::currentDataTag(), flows, runMs, flows * 1000.0 / runMs,
          qPrintable(figures.join(u", "_s)));
    for (const auto &handle : handles)
        QVERIFY2(byWorker.value(handle->name()) > 0, qPrintable(figures.join(u", "_s)));

    // The workers table shows the same, and each worker as stopped.
    ERGON_TRY(rows, storage.log().workers());
    QCOMPARE(rows.size(), workers);
    for (const WorkerRecord &row : std::as_const(rows)) {
        QCOMPARE(row.status, WorkerStatus::Stopped);
        QCOMPARE(row.completed, byWorker.value(row.name));
        QCOMPARE(row.inFlight, 0);
        QCOMPARE(row.concurrency, concurrency);
    }
}

void TestWorkerDistribution::equalWorkersFillTheirSlots()
{
    QFETCH(QString, backend);
    QFETCH(int, workers);
    constexpr int concurrency = 4;
    const int flows = workers * concurrency;

    // As many flows as slots in all, each a step of a minute: none ends within the test, so
    // once every flow runs, each worker holds what it claimed, and no worker may hold more than
    // its slots (no prefetch, nothing to steal).
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(1, 60'000), flows)));
    QCOMPARE(ids.size(), flows);
    std::vector<std::unique_ptr<WorkerHandle>> handles;
    for (int i = 1; i <= workers; ++i) {
        handles.push_back(FlowWorker(storage.opener(), m_catalog.registry())
                              .withName(u"worker-%1"_s.arg(i))
                              .withConcurrency(concurrency)
                              .start());
    }
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Running) == flows,
                              qPrintable(countsText(storage.log())), 30000);
    QHash<QString, int> held;
    for (const FlowRecord &flow : allFlows(storage.log()))
        ++held[flow.leaseOwner];
    for (const auto &handle : handles) {
        QCOMPARE(held.value(handle->name()), concurrency);
        QTRY_COMPARE_WITH_TIMEOUT(handle->stats().inFlight, concurrency, 30000);
    }
    for (auto &handle : handles)
        handle->shutdownAndWait(100ms); // the minute-long steps are abandoned
}

QTEST_GUILESS_MAIN(TestWorkerDistribution)
#include "tst_workerdistribution.moc"
