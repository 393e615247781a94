// Work distribution: two and four equal workers share 2,000 demo.Pipeline flows. Every flow
// completes exactly once, no flow runs on two workers (each step has one attempt, all by the
// same worker), and each worker does its fair share (within 25% of the mean).

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
    qInfo("%s: %d flows in %lld ms (%.0f flows/s): %s", QTest::currentDataTag(), flows, runMs, flows * 1000.0 / runMs,
          qPrintable(figures.join(u", "_s)));
    for (const auto &handle : handles) {
        const qint64 done = byWorker.value(handle->name());
        QVERIFY2(done >= 0.75 * mean && done <= 1.25 * mean, qPrintable(figures.join(u", "_s)));
    }

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

QTEST_GUILESS_MAIN(TestWorkerDistribution)
#include "tst_workerdistribution.moc"
