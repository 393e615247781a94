// Durable timers through a worker: a sleeping flow is parked (waiting) and holds no slot, so
// one slot sleeps fifty flows at once; timers fire once each, never before they are due; a timer
// that fell due while no worker ran fires as soon as one starts; "fire now" wakes a flow.

#include "ergontest.h"
#include "workertest.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {
/// A completed demo.Sleeper as stored: its timer 'nap' and its step 'wake'.
struct SleeperRun {
    qint64 id = 0;
    StepRecord nap;
    StepRecord wake;
};

QJsonObject sleeperArguments(double seconds)
{
    return QJsonObject{{u"seconds"_s, seconds}};
}
} // namespace

class TestWorkerTimers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void sleepersHoldNoSlot_data();
    void sleepersHoldNoSlot();
    void timersOfManyFlowsOnOneSlotFireOnceNotEarly();
    void overdueTimerFiresWhenAWorkerStarts_data();
    void overdueTimerFiresWhenAWorkerStarts();
    void fireTimerNowWakesTheFlow();
    void firedFlowsGoToTheFiringWorker_data();
    void firedFlowsGoToTheFiringWorker();
    void twoBusyWorkersCountEveryFlowOnce();

private:
    /// Reads a completed sleeper's steps and checks that its timer fired once, not early,
    /// and its 'wake' step ran once.
    std::optional<SleeperRun> completedSleeper(ExecutionLog &log, qint64 id);

    PluginCatalog m_catalog;
    SystemClock m_clock;
};

void TestWorkerTimers::initTestCase()
{
    m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
    QVERIFY(m_catalog.failedPlugins().isEmpty());
    QVERIFY(m_catalog.registry().contains(u"demo.Sleeper"_s));
}

void TestWorkerTimers::init()
{
    failOnThreadMisuse();
}

std::optional<SleeperRun> TestWorkerTimers::completedSleeper(ExecutionLog &log, qint64 id)
{
    const auto flow = log.flow(id);
    const auto steps = log.steps(id, true);
    if (!flow || !flow->has_value() || !steps) {
        qWarning("flow %lld cannot be read", id);
        return std::nullopt;
    }
    const QString text = describe(**flow) + u'\n' + describe(*steps);
    if ((*flow)->status != FlowStatus::Completed || steps->size() != 2) {
        qWarning("flow %lld is not a completed sleeper: %s", id, qPrintable(text));
        return std::nullopt;
    }
    SleeperRun run{id, steps->at(0), steps->at(1)};
    const bool napFired = run.nap.name == u"nap"_s && run.nap.kind == StepKind::Timer &&
        run.nap.status == StepStatus::Completed && run.nap.nextAttemptAt.isValid() &&
        run.nap.finished >= run.nap.nextAttemptAt;
    const bool wokeOnce = run.wake.name == u"wake"_s && run.wake.status == StepStatus::Completed &&
        run.wake.attempts == 1 && run.wake.attemptLog.size() == 1 && run.wake.started >= run.nap.nextAttemptAt;
    if (!napFired || !wokeOnce) {
        qWarning("flow %lld: the timer did not fire once, on time, then wake once: %s", id, qPrintable(text));
        return std::nullopt;
    }
    return run;
}

void TestWorkerTimers::sleepersHoldNoSlot_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("memory") << u"memory"_s;
}

void TestWorkerTimers::sleepersHoldNoSlot()
{
    QFETCH(QString, backend);
    constexpr int sleepers = 50;
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Sleeper"_s, sleeperArguments(2), sleepers)));

    // One slot, and no polling within the test: only the worker's own timers can wake the flows.
    QElapsedTimer elapsed;
    elapsed.start();
    auto worker = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"sleepy"_s)
                      .withConcurrency(1)
                      .withPollInterval(1h)
                      .start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Waiting) == sleepers,
                              qPrintable(countsText(storage.log())), 30000);
    const qint64 allParkedMs = elapsed.elapsed();
    QTRY_COMPARE_WITH_TIMEOUT(worker->stats().inFlight, 0, 30000); // parked flows hold no slot
    ERGON_TRY(timers, storage.log().pendingTimers(1000));
    QCOMPARE(timers.size(), sleepers);

    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == sleepers,
                              qPrintable(countsText(storage.log())), 60000);
    const qint64 totalMs = elapsed.elapsed();
    worker->shutdownAndWait(5s);

    // The fifty naps overlapped on the one slot: every flow had parked before the first woke.
    qint64 latestMs = 0;
    QDateTime lastParked;
    QDateTime firstWoke;
    for (const qint64 id : std::as_const(ids)) {
        const auto run = completedSleeper(storage.log(), id);
        QVERIFY(run);
        latestMs = std::max(latestMs, run->nap.nextAttemptAt.msecsTo(run->wake.started));
        if (!lastParked.isValid() || run->nap.started > lastParked)
            lastParked = run->nap.started;
        if (!firstWoke.isValid() || run->wake.started < firstWoke)
            firstWoke = run->wake.started;
    }
    QVERIFY2(lastParked.isValid() && lastParked < firstWoke,
             qPrintable(u"the last flow parked at %1, the first woke at %2"_s.arg(
                 lastParked.toString(Qt::ISODateWithMs), firstWoke.toString(Qt::ISODateWithMs))));
    QCOMPARE(worker->stats().completed, qint64(sleepers));
    ERGON_TRY(left, storage.log().pendingTimers(1000));
    QVERIFY(left.isEmpty());
    qInfo("%d sleepers of 2 s on one slot: all parked after %lld ms, all done after %lld ms; latest wake %lld ms after "
          "its fire time",
          sleepers, allParkedMs, totalMs, latestMs);
}

void TestWorkerTimers::firedFlowsGoToTheFiringWorker_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("memory") << u"memory"_s;
}

void TestWorkerTimers::firedFlowsGoToTheFiringWorker()
{
    QFETCH(QString, backend);
    constexpr int sleepers = 40;
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Sleeper"_s, sleeperArguments(0.5), sleepers)));

    // Neither worker polls within the test: the only way on for a parked flow is the tick of
    // the timer service that fires it, which leases it to its own worker in the same step.
    auto firing = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"firing"_s)
                      .withConcurrency(sleepers)
                      .withPollInterval(1h)
                      .start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Waiting) == sleepers,
                              qPrintable(countsText(storage.log())), 30000);
    // A second worker, idle and without timers, would take due flows at its first claim.
    auto idle = FlowWorker(storage.opener(), m_catalog.registry())
                    .withName(u"idle"_s)
                    .withConcurrency(sleepers)
                    .withPollInterval(1h)
                    .withoutTimers()
                    .start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == sleepers,
                              qPrintable(countsText(storage.log())), 30000);
    firing->shutdownAndWait(5s);
    idle->shutdownAndWait(5s);

    for (const qint64 id : std::as_const(ids)) {
        const auto run = completedSleeper(storage.log(), id);
        QVERIFY(run);
        QCOMPARE(run->wake.worker, u"firing"_s);
    }
    QCOMPARE(firing->stats().completed, qint64(sleepers));
    QCOMPARE(idle->stats().completed, 0);
}

void TestWorkerTimers::twoBusyWorkersCountEveryFlowOnce()
{
    // Two workers with timers, prefetch and stealing over many sleepers, as bench_workers
    // runs them: flows move between the workers' local queues (steals both ways, fired flows
    // leased to the firing worker). A worker once held a flow twice over (a stale queue entry
    // after a steal and a steal back) and ran it twice at once; the two runs' writes collided,
    // and flows completed without being counted. The race is timing-bound: before the fix one
    // round in four showed it, hence three rounds (tst_flowexecutor checks the executor's own
    // guard exactly).
    constexpr int sleepers = 3000;
    for (int round = 1; round <= 3; ++round) {
        WorkerStorage storage(u"sqlite"_s);
        QVERIFY2(storage.isValid(), qPrintable(storage.error()));
        FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
        ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Sleeper"_s, sleeperArguments(0.5), sleepers)));
        std::vector<std::unique_ptr<WorkerHandle>> workers;
        for (const QString &name : {u"busy-1"_s, u"busy-2"_s}) {
            workers.push_back(FlowWorker(storage.opener(), m_catalog.registry())
                                  .withName(name)
                                  .withConcurrency(256)
                                  .withPollInterval(100ms)
                                  .withTimers(500ms)
                                  .start());
        }
        QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == sleepers,
                                  qPrintable(countsText(storage.log())), 30'000);
        qint64 completed = 0;
        for (auto &worker : workers) {
            // Counted as each run ends: wait for the last ones (the database is written first).
            QTRY_VERIFY_WITH_TIMEOUT(worker->stats().inFlight == 0, 5000);
            worker->shutdownAndWait(5s);
            QCOMPARE(worker->stats().failed, 0);
            completed += worker->stats().completed;
        }
        QVERIFY2(completed == sleepers,
                 qPrintable(u"round %1: %2 of %3 flows counted"_s.arg(round).arg(completed).arg(sleepers)));
        for (const qint64 id : {ids.first(), ids.at(sleepers / 2), ids.last()})
            QVERIFY(completedSleeper(storage.log(), id));
    }
}

void TestWorkerTimers::timersOfManyFlowsOnOneSlotFireOnceNotEarly()
{
    constexpr int sleepers = 100;
    WorkerStorage storage(u"sqlite"_s);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    // Naps of 0.50 to 1.49 s, scheduled in a shuffled order.
    QList<ScheduleRequest> list;
    for (int i = 0; i < sleepers; ++i)
        list.append(requests(u"demo.Sleeper"_s, sleeperArguments(0.5 + ((i * 37) % sleepers) / 100.0), 1));
    ERGON_TRY(ids, scheduler.scheduleMany(list));

    // One slot: wake-ups run one at a time, so the order they ran in is the order of the claims.
    auto worker = FlowWorker(storage.opener(), m_catalog.registry()).withName(u"sleepy"_s).withConcurrency(1).start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == sleepers,
                              qPrintable(countsText(storage.log())), 10000);
    worker->shutdownAndWait(5s);

    QList<SleeperRun> runs;
    for (const qint64 id : std::as_const(ids)) {
        const auto run = completedSleeper(storage.log(), id);
        QVERIFY(run);
        runs.append(*run);
    }
    // Each fired once, not before its due time, and its flow went on once after it
    // (completedSleeper). The order is printed, not asserted: a timer fires either in the timer
    // service's round or in the replay of a due flow that a worker claimed, and on a loaded
    // machine the two meet out of due order (the flow the timer service leased to the worker
    // may still be on its way to the worker's queue when the worker claims another due one).
    std::sort(runs.begin(), runs.end(),
              [](const SleeperRun &a, const SleeperRun &b) { return a.nap.nextAttemptAt < b.nap.nextAttemptAt; });
    int firedOutOfOrder = 0;
    int wokeOutOfOrder = 0;
    for (qsizetype i = 1; i < runs.size(); ++i) {
        const bool laterDue = runs[i - 1].nap.nextAttemptAt < runs[i].nap.nextAttemptAt;
        firedOutOfOrder += laterDue && runs[i - 1].nap.finished > runs[i].nap.finished ? 1 : 0;
        wokeOutOfOrder += laterDue && runs[i - 1].wake.started > runs[i].wake.started ? 1 : 0;
    }
    qInfo("of %d timers on one slot, %d fired and %d went on after one due later", sleepers, firedOutOfOrder,
          wokeOutOfOrder);
}

void TestWorkerTimers::overdueTimerFiresWhenAWorkerStarts_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<bool>("crash"); // the first worker is aborted, or shut down gracefully
    QTest::newRow("sqlite, aborted") << u"sqlite"_s << true;
    QTest::newRow("memory, shut down") << u"memory"_s << false;
}

void TestWorkerTimers::overdueTimerFiresWhenAWorkerStarts()
{
    QFETCH(QString, backend);
    QFETCH(bool, crash);
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ScheduleRequest request;
    request.type = u"demo.Sleeper"_s;
    request.arguments = sleeperArguments(2);
    ERGON_TRY(id, scheduler.schedule(request));

    auto first = FlowWorker(storage.opener(), m_catalog.registry()).withName(u"first"_s).start();
    QTRY_VERIFY_WITH_TIMEOUT(
        storage.log().flow(id).value_or(std::nullopt).value_or(FlowRecord()).status == FlowStatus::Waiting, 5000);
    if (crash)
        first->abort();
    else
        first->shutdownAndWait(5s);
    QVERIFY(!first->isRunning());
    ERGON_TRY(timers, storage.log().pendingTimers(10));
    QCOMPARE(timers.size(), 1);
    const QDateTime fireAt = timers.first().fireAt;

    // No worker runs when the timer falls due.
    QTest::qWait(int(std::max<qint64>(0, m_clock.now().msecsTo(fireAt))) + 300);
    ERGON_TRY(overdue, storage.log().flow(id));
    QCOMPARE(overdue->status, FlowStatus::Waiting);

    // Neither polls nor refreshes of due times within the test (once an hour): the timer
    // fires because the new worker reads the due times when it starts.
    QElapsedTimer elapsed;
    elapsed.start();
    auto second = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"second"_s)
                      .withPollInterval(1h)
                      .withTimers(1h)
                      .start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == 1, qPrintable(countsText(storage.log())),
                              30000);
    const qint64 firedAfterMs = elapsed.elapsed();
    second->shutdownAndWait(5s);
    qInfo("the overdue timer fired %lld ms after the new worker started", firedAfterMs);

    const auto run = completedSleeper(storage.log(), id);
    QVERIFY(run);
    QCOMPARE(run->nap.nextAttemptAt, fireAt); // the fire time survived the restart
    QCOMPARE(run->nap.worker, u"second"_s);
    QCOMPARE(run->wake.worker, u"second"_s);
    QCOMPARE(second->stats().completed, 1);
}

void TestWorkerTimers::fireTimerNowWakesTheFlow()
{
    WorkerStorage storage(u"sqlite"_s);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ScheduleRequest request;
    request.type = u"demo.Sleeper"_s;
    request.arguments = sleeperArguments(3600);
    ERGON_TRY(id, scheduler.schedule(request));

    auto worker = FlowWorker(storage.opener(), m_catalog.registry()).withName(u"w"_s).start();
    QTRY_COMPARE_WITH_TIMEOUT(storage.log().pendingTimers(10).value_or({}).size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(worker->stats().inFlight, 0, 1000);
    ERGON_VERIFY_OK(storage.log().fireTimerNow(id, m_clock.now()));
    // The worker finds it on its next poll; the replay must not park it again for an hour
    // (it would, were the fire time not the one "fire now" set).
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == 1, qPrintable(countsText(storage.log())),
                              30000);
    worker->shutdownAndWait(5s);
    const auto run = completedSleeper(storage.log(), id);
    QVERIFY(run);
    ERGON_TRY(left, storage.log().pendingTimers(10));
    QVERIFY(left.isEmpty());
}

QTEST_GUILESS_MAIN(TestWorkerTimers)
#include "tst_workertimers.moc"
