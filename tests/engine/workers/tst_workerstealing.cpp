// Work stealing: a worker that prefetched a long queue of slow flows keeps them leased; an idle
// worker started later takes not-started flows from that queue. Every flow still runs once,
// each steal is recorded, and the batch finishes sooner than when the idle worker may not
// steal (measured both ways here).

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

namespace {
/// What one run of the scenario measured.
struct Outcome {
    qint64 elapsedMs = -1; ///< from the idle worker's start until every flow completed
    qint64 steals = 0;     ///< as the idle worker counted them
    QList<StealRecord> recorded;
    QHash<QString, qint64> byWorker; ///< flows by the worker that ran their steps
    WorkerStats busy;
    WorkerStats idle;
};
} // namespace

class TestWorkerStealing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void idleWorkerStealsFromTheBusyOne_data();
    void idleWorkerStealsFromTheBusyOne();
    void stealingShortensTheRun();

private:
    /// One busy worker (one slot, a prefetch of 20) holds every flow; then a second worker
    /// starts, stealing or not. Fails the test (and returns nothing) if a check fails.
    std::optional<Outcome> run(const QString &backend, bool stealing);

    PluginCatalog m_catalog;
    SystemClock m_clock;
};

void TestWorkerStealing::initTestCase()
{
    m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
    QVERIFY(m_catalog.failedPlugins().isEmpty());
}

void TestWorkerStealing::init()
{
    failOnThreadMisuse();
}

std::optional<Outcome> TestWorkerStealing::run(const QString &backend, bool stealing)
{
    constexpr int prefetch = 20;
    constexpr int flows = prefetch + 1; // the busy worker's whole first claim: one slot and its queue
    WorkerStorage storage(backend);
    if (!storage.isValid()) {
        qWarning("%s", qPrintable(storage.error()));
        return std::nullopt;
    }
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    const auto ids = scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(3, 30), flows));
    if (!ids)
        return std::nullopt;

    auto busy = FlowWorker(storage.opener(), m_catalog.registry())
                    .withName(u"busy"_s)
                    .withConcurrency(1)
                    .withPrefetch(prefetch)
                    .start();
    // Prefetched: every flow is leased to it, one started, the rest queued.
    const auto leasedToBusy = [&] {
        const QList<FlowRecord> all = allFlows(storage.log());
        return std::count_if(all.cbegin(), all.cend(), [](const FlowRecord &flow) {
            return flow.leaseOwner == u"busy"_s || flow.status == FlowStatus::Completed;
        });
    };
    (void)QTest::qWaitFor([&] { return leasedToBusy() == flows; }, 5000);
    if (leasedToBusy() != flows) {
        qWarning("the busy worker did not prefetch every flow: %s", qPrintable(countsText(storage.log())));
        return std::nullopt;
    }

    QElapsedTimer elapsed;
    elapsed.start();
    auto idle = FlowWorker(storage.opener(), m_catalog.registry())
                    .withName(u"idle"_s)
                    .withConcurrency(1)
                    .withStealing(stealing)
                    .start();
    (void)QTest::qWaitFor([&] { return countOf(storage.log(), FlowStatus::Completed) == flows; }, 20000);
    Outcome outcome;
    outcome.elapsedMs = elapsed.elapsed();
    if (countOf(storage.log(), FlowStatus::Completed) != flows) {
        qWarning("not every flow completed: %s", qPrintable(countsText(storage.log())));
        return std::nullopt;
    }
    busy->shutdownAndWait(5s);
    idle->shutdownAndWait(5s);
    outcome.steals = idle->stats().steals;
    const auto recorded = storage.log().steals(1000);
    if (!recorded)
        return std::nullopt;
    outcome.recorded = *recorded;

    // Every flow ran once, on one worker: a stolen flow had not started on the busy one.
    for (const qint64 id : *ids) {
        const auto steps = storage.log().steps(id, true);
        if (!steps || steps->size() != 3) {
            qWarning("flow %lld: %s", id, steps ? qPrintable(describe(*steps)) : qPrintable(steps.errorString()));
            return std::nullopt;
        }
        for (const StepRecord &step : *steps) {
            if (step.attempts != 1 || step.attemptLog.size() != 1 || step.worker != steps->first().worker) {
                qWarning("flow %lld ran more than once: %s", id, qPrintable(describe(*steps)));
                return std::nullopt;
            }
        }
        ++outcome.byWorker[steps->first().worker];
    }
    outcome.busy = busy->stats();
    outcome.idle = idle->stats();
    // The thief's row counts its steals.
    const auto rows = storage.log().workers();
    if (!rows)
        return std::nullopt;
    for (const WorkerRecord &row : *rows) {
        if (row.name == u"idle"_s && row.steals != outcome.steals) {
            qWarning("the idle worker's row counts %lld steals, the worker %lld", row.steals, outcome.steals);
            return std::nullopt;
        }
    }
    return outcome;
}

void TestWorkerStealing::idleWorkerStealsFromTheBusyOne_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("memory") << u"memory"_s;
}

void TestWorkerStealing::idleWorkerStealsFromTheBusyOne()
{
    QFETCH(QString, backend);
    const auto outcome = run(backend, true);
    QVERIFY(outcome);
    QVERIFY2(outcome->steals > 0, "the idle worker stole nothing");
    QCOMPARE(qint64(outcome->recorded.size()), outcome->steals);
    QSet<qint64> stolen;
    for (const StealRecord &steal : std::as_const(outcome->recorded)) {
        QCOMPARE(steal.fromWorker, u"busy"_s);
        QCOMPARE(steal.toWorker, u"idle"_s);
        QVERIFY(steal.at.isValid());
        QVERIFY2(!stolen.contains(steal.flowId), "a flow was stolen twice");
        stolen.insert(steal.flowId);
    }
    // The idle worker had nothing to claim: it ran exactly what it stole.
    QCOMPARE(outcome->byWorker.value(u"idle"_s), outcome->steals);
    // Each worker counts the flows it ran, not the stolen ones it finds finished when it gets
    // to them in its queue.
    QCOMPARE(outcome->idle.completed, outcome->byWorker.value(u"idle"_s));
    QCOMPARE(outcome->busy.completed, outcome->byWorker.value(u"busy"_s));
    qInfo("%s: %lld of 21 flows stolen; done %lld ms after the idle worker started", qPrintable(backend),
          outcome->steals, outcome->elapsedMs);
}

void TestWorkerStealing::stealingShortensTheRun()
{
    const auto without = run(u"sqlite"_s, false);
    QVERIFY(without);
    QCOMPARE(without->steals, 0);
    QVERIFY(without->recorded.isEmpty());
    QCOMPARE(without->byWorker.value(u"idle"_s), 0); // nothing left to claim: it stayed idle
    const auto with = run(u"sqlite"_s, true);
    QVERIFY(with);
    const double ratio = double(with->elapsedMs) / double(without->elapsedMs);
    qInfo("21 flows of ~90 ms on a busy worker with a prefetch of 20: %lld ms with an idle worker that steals "
          "(%lld steals), %lld ms with one that does not; ratio %.2f",
          with->elapsedMs, with->steals, without->elapsedMs, ratio);
    QVERIFY2(ratio < 0.8, qPrintable(u"ratio %1"_s.arg(ratio, 0, 'f', 2)));
}

QTEST_GUILESS_MAIN(TestWorkerStealing)
#include "tst_workerstealing.moc"
