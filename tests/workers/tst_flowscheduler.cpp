// FlowScheduler with running workers: cancelling a pending and a running flow, idempotency
// keys, priority order, and delayed flows that start on time, woken by the scheduler's
// notifier rather than by polling.

#include "ergontest.h"
#include "workertest.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>
#include <ergon/worknotifier.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {
ScheduleRequest pipeline(int steps, int stepMs, const QString &witness = {})
{
    ScheduleRequest request;
    request.type = u"demo.Pipeline"_s;
    request.arguments = pipelineArguments(steps, stepMs, witness);
    return request;
}

FlowStatus statusOf(ExecutionLog &log, qint64 id)
{
    const auto flow = log.flow(id);
    return flow && flow->has_value() ? (*flow)->status : FlowStatus::Pending;
}

/// When the flow's first step began (invalid if it has none).
QDateTime firstStepStarted(ExecutionLog &log, qint64 id)
{
    const auto steps = log.steps(id, true);
    if (!steps || steps->isEmpty() || steps->first().attemptLog.isEmpty())
        return {};
    return steps->first().attemptLog.first().started;
}

int lineCount(const QHash<QString, int> &counts)
{
    int lines = 0;
    for (const int count : counts)
        lines += count;
    return lines;
}
} // namespace

class TestFlowScheduler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void backends_data();
    void cancelPendingFlow_data() { backends_data(); }
    void cancelPendingFlow();
    void cancelRunningFlow_data() { backends_data(); }
    void cancelRunningFlow();
    void idempotencyKey_data() { backends_data(); }
    void idempotencyKey();
    void priorityOrder_data() { backends_data(); }
    void priorityOrder();
    void delayedFlowsStartOnTime_data() { backends_data(); }
    void delayedFlowsStartOnTime();
    void retryRequeuesAndWakesTheWorker();

private:
    PluginCatalog m_catalog;
    SystemClock m_clock;
    QTemporaryDir m_dir;
};

void TestFlowScheduler::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
    QVERIFY(m_catalog.failedPlugins().isEmpty());
}

void TestFlowScheduler::init()
{
    failOnThreadMisuse();
}

void TestFlowScheduler::backends_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("memory") << u"memory"_s;
}

void TestFlowScheduler::cancelPendingFlow()
{
    QFETCH(QString, backend);
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(ids, scheduler.scheduleMany({pipeline(2, 0), pipeline(2, 0), pipeline(2, 0)}));
    ERGON_VERIFY_OK(scheduler.cancel(ids[1]));
    ERGON_TRY(cancelled, storage.log().flow(ids[1]));
    QCOMPARE(cancelled->status, FlowStatus::Cancelled);
    QVERIFY(cancelled->finished.isValid());
    const QString before = describe(*cancelled);

    auto worker = FlowWorker(storage.opener(), m_catalog.registry()).withName(u"w"_s).start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == 2, qPrintable(countsText(storage.log())),
                              5000);
    QTest::qWait(400); // a couple of polls more: the worker still leaves it alone
    worker->shutdownAndWait(5s);
    QCOMPARE(worker->stats().completed, 2);
    QCOMPARE(describe(**storage.log().flow(ids[1])), before);
    ERGON_TRY(steps, storage.log().steps(ids[1], true));
    QVERIFY(steps.isEmpty());

    const auto again = scheduler.cancel(ids[1]);
    QVERIFY(!again);
    QCOMPARE(again.error().kind(), u"finished"_s);
    QVERIFY(!scheduler.cancel(ids[0])); // completed
}

void TestFlowScheduler::cancelRunningFlow()
{
    QFETCH(QString, backend);
    constexpr int stepMs = 300;
    const QString witness = m_dir.filePath(u"cancel-%1.txt"_s.arg(backend));
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(id, scheduler.schedule(pipeline(5, stepMs, witness)));

    auto worker = FlowWorker(storage.opener(), m_catalog.registry()).withName(u"w"_s).start();
    // Cancel while step-2 runs.
    QTRY_VERIFY_WITH_TIMEOUT(witnessCounts(witness).contains(witnessKey(id, u"step-2"_s)), 5000);
    ERGON_VERIFY_OK(scheduler.cancel(id));
    QElapsedTimer sinceCancel;
    sinceCancel.start();
    ERGON_TRY(stepsAtCancel, storage.log().steps(id, false));
    const int ranAtCancel = lineCount(witnessCounts(witness));
    QCOMPARE(statusOf(storage.log(), id), FlowStatus::Cancelled);

    // The run stops at its next step: the slot is free within about one step.
    QTRY_COMPARE_WITH_TIMEOUT(worker->stats().inFlight, 0, 3000);
    const qint64 stoppedMs = sinceCancel.elapsed();
    QTest::qWait(2 * stepMs); // long enough for another step, had the flow gone on
    ERGON_TRY(flow, storage.log().flow(id));
    QCOMPARE(flow->status, FlowStatus::Cancelled);
    QVERIFY2(flow->leaseOwner.isEmpty(), qPrintable(describe(*flow)));
    // The step in progress could not record itself, and at most one more step body began.
    ERGON_TRY(steps, storage.log().steps(id, false));
    QCOMPARE(describe(steps), describe(stepsAtCancel));
    const int ran = lineCount(witnessCounts(witness));
    QVERIFY2(ran <= ranAtCancel + 1 && ran < 5,
             qPrintable(u"%1 step bodies ran, %2 at the cancel"_s.arg(ran).arg(ranAtCancel)));
    worker->shutdownAndWait(5s);
    QCOMPARE(worker->stats().completed, 0);
    QCOMPARE(worker->stats().failed, 0);
    QCOMPARE(statusOf(storage.log(), id), FlowStatus::Cancelled);
    qInfo("the cancelled flow left its slot %lld ms after the cancel (steps of %d ms)", stoppedMs, stepMs);
    QVERIFY2(stoppedMs < stepMs + 500, qPrintable(u"%1 ms"_s.arg(stoppedMs)));
}

void TestFlowScheduler::idempotencyKey()
{
    QFETCH(QString, backend);
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ScheduleRequest first = pipeline(2, 0);
    first.idempotencyKey = u"order-1"_s;
    ERGON_TRY(id, scheduler.schedule(first));
    ScheduleRequest again = pipeline(4, 10); // other arguments: the first flow stands
    again.idempotencyKey = u"order-1"_s;
    again.priority = 9;
    ERGON_TRY(sameId, scheduler.schedule(again));
    QCOMPARE(sameId, id);
    ERGON_TRY(many, scheduler.scheduleMany({again, first, pipeline(1, 0)}));
    QCOMPARE(many[0], id);
    QCOMPARE(many[1], id);
    QVERIFY(many[2] != id);
    QCOMPARE(allFlows(storage.log()).size(), 2);
    ERGON_TRY(stored, storage.log().flow(id));
    QCOMPARE(stored->arguments.value(u"steps"_s).toInt(), 2);
    QCOMPARE(stored->arguments.value(u"step_ms"_s).toInt(), 0);
    QCOMPARE(stored->priority, 0);

    auto worker = FlowWorker(storage.opener(), m_catalog.registry()).withName(u"w"_s).start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == 2, qPrintable(countsText(storage.log())),
                              5000);
    // Scheduling the key once more, after it ran, still returns that flow and runs nothing.
    ERGON_TRY(afterwards, scheduler.schedule(again));
    QCOMPARE(afterwards, id);
    QTest::qWait(300);
    worker->shutdownAndWait(5s);
    QCOMPARE(worker->stats().completed, 2);
    QCOMPARE(allFlows(storage.log()).size(), 2);
    ERGON_TRY(steps, storage.log().steps(id, false));
    QCOMPARE(steps.size(), 2);
    for (const StepRecord &step : std::as_const(steps))
        QCOMPARE(step.attempts, 1);
}

void TestFlowScheduler::priorityOrder()
{
    QFETCH(QString, backend);
    constexpr int flows = 20;
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    // Shuffled priorities; the lowest ones are scheduled first (and so fall due first).
    QList<ScheduleRequest> list;
    for (int i = 0; i < flows; ++i) {
        ScheduleRequest request = pipeline(1, 5);
        request.priority = (i * 7) % flows;
        list.append(request);
    }
    ERGON_TRY(ids, scheduler.scheduleMany(list));
    QCOMPARE(ids.size(), flows);

    auto worker = FlowWorker(storage.opener(), m_catalog.registry()).withName(u"w"_s).withConcurrency(1).start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == flows,
                              qPrintable(countsText(storage.log())), 10000);
    worker->shutdownAndWait(5s);

    QList<FlowRecord> done = allFlows(storage.log());
    QCOMPARE(done.size(), flows);
    std::sort(done.begin(), done.end(),
              [](const FlowRecord &a, const FlowRecord &b) { return a.finished < b.finished; });
    QStringList order;
    for (const FlowRecord &flow : std::as_const(done))
        order.append(QString::number(flow.priority));
    for (qsizetype i = 1; i < done.size(); ++i) {
        QVERIFY2(done[i - 1].finished < done[i].finished, qPrintable(u"two flows finished in the same millisecond"_s));
        QVERIFY2(done[i - 1].priority > done[i].priority,
                 qPrintable(u"completion order by priority: "_s + order.join(u' ')));
    }
}

void TestFlowScheduler::delayedFlowsStartOnTime()
{
    QFETCH(QString, backend);
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    WorkNotifier notifier;
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock, &notifier);
    // Neither polling nor reading due times from the log would find the flows in time: only
    // the notifier (and the worker's timer queue) can.
    auto worker = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"w"_s)
                      .withNotifier(&notifier)
                      .withPollInterval(30s)
                      .withTimers(30s)
                      .start();
    QTest::qWait(200); // started and idle

    QElapsedTimer elapsed;
    elapsed.start();
    ScheduleRequest now = pipeline(1, 0);
    ERGON_TRY(immediate, scheduler.schedule(now));
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), immediate) == FlowStatus::Completed, 2000);
    const qint64 immediateMs = elapsed.elapsed();

    // Two delayed flows, announced one after the other: the later must not hide the earlier.
    ScheduleRequest soon = pipeline(1, 0);
    soon.delay = 1000ms;
    ERGON_TRY(soonId, scheduler.schedule(soon));
    ScheduleRequest later = pipeline(1, 0);
    later.delay = 1500ms;
    ERGON_TRY(laterId, scheduler.schedule(later));
    const QDateTime soonDue = (*storage.log().flow(soonId))->runAt;
    const QDateTime laterDue = (*storage.log().flow(laterId))->runAt;

    QTest::qWait(int(std::max<qint64>(0, m_clock.now().msecsTo(soonDue) - 150)));
    QCOMPARE(statusOf(storage.log(), soonId), FlowStatus::Pending); // not before its time
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), soonId) == FlowStatus::Completed, 3000);
    QCOMPARE(statusOf(storage.log(), laterId), FlowStatus::Pending);
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), laterId) == FlowStatus::Completed, 3000);
    worker->shutdownAndWait(5s);

    const qint64 soonLate = soonDue.msecsTo(firstStepStarted(storage.log(), soonId));
    const qint64 laterLate = laterDue.msecsTo(firstStepStarted(storage.log(), laterId));
    qInfo("started %lld ms after scheduling (no delay); delayed flows started %lld and %lld ms after due", immediateMs,
          soonLate, laterLate);
    QVERIFY2(immediateMs < 200, qPrintable(u"%1 ms"_s.arg(immediateMs)));
    QVERIFY2(soonLate >= 0 && soonLate < 200, qPrintable(u"%1 ms after due"_s.arg(soonLate)));
    QVERIFY2(laterLate >= 0 && laterLate < 200, qPrintable(u"%1 ms after due"_s.arg(laterLate)));
}

void TestFlowScheduler::retryRequeuesAndWakesTheWorker()
{
    WorkerStorage storage(u"sqlite"_s);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    WorkNotifier notifier;
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock, &notifier);
    auto worker = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"w"_s)
                      .withNotifier(&notifier)
                      .withPollInterval(30s)
                      .start();
    // demo.Flaky with fail_times 4: attempts 1-3 fail and so does the flow; after a retry,
    // attempt 4 fails and 5 succeeds.
    ScheduleRequest flaky;
    flaky.type = u"demo.Flaky"_s;
    flaky.arguments = QJsonObject{{u"fail_times"_s, 4}};
    ERGON_TRY(id, scheduler.schedule(flaky));
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), id) == FlowStatus::Failed, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(worker->stats().failed, 1, 1000);

    QElapsedTimer elapsed;
    elapsed.start();
    ERGON_VERIFY_OK(scheduler.retry(id));
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), id) == FlowStatus::Completed, 5000);
    const qint64 retriedMs = elapsed.elapsed();
    worker->shutdownAndWait(5s);
    ERGON_TRY(flow, storage.log().flow(id));
    QCOMPARE(flow->resultJson, QByteArray("5"));
    ERGON_TRY(steps, storage.log().steps(id, true));
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps.first().attempts, 5);
    QCOMPARE(steps.first().attemptLog.size(), 5);
    QCOMPARE(worker->stats().completed, 1);
    // Woken by the notifier, not by a poll 30 s later (attempt 4 backs off 100 ms first).
    QVERIFY2(retriedMs < 1500, qPrintable(u"%1 ms"_s.arg(retriedMs)));
}

QTEST_GUILESS_MAIN(TestFlowScheduler)
#include "tst_flowscheduler.moc"
