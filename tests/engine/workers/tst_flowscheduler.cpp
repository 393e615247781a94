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
    void signalWakesTheWaitingFlow_data() { backends_data(); }
    void signalWakesTheWaitingFlow();

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
    // A barrier rather than a wait: a flow scheduled now, due after the cancelled one, runs
    // only once the worker has claimed again past it.
    ERGON_TRY(sentinel, scheduler.schedule(pipeline(1, 0)));
    QTRY_VERIFY2_WITH_TIMEOUT(statusOf(storage.log(), sentinel) == FlowStatus::Completed,
                              qPrintable(countsText(storage.log())), 30000);
    worker->shutdownAndWait(5s);
    QCOMPARE(worker->stats().completed, 3);
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

    // The run stops at its next step and frees its slot; once the worker's thread has ended,
    // nothing of the flow can run any more, so what the log and the witness hold is final.
    QTRY_COMPARE_WITH_TIMEOUT(worker->stats().inFlight, 0, 30000);
    const qint64 stoppedMs = sinceCancel.elapsed();
    ERGON_TRY(flow, storage.log().flow(id));
    QCOMPARE(flow->status, FlowStatus::Cancelled);
    QVERIFY2(flow->leaseOwner.isEmpty(), qPrintable(describe(*flow))); // the run let it go, not the shutdown
    worker->shutdownAndWait(5s);
    QVERIFY(!worker->isRunning());
    // The step in progress could not record itself, and at most one more step body began.
    ERGON_TRY(steps, storage.log().steps(id, false));
    QCOMPARE(describe(steps), describe(stepsAtCancel));
    const int ran = lineCount(witnessCounts(witness));
    QVERIFY2(ran <= ranAtCancel + 1 && ran < 5,
             qPrintable(u"%1 step bodies ran, %2 at the cancel"_s.arg(ran).arg(ranAtCancel)));
    QCOMPARE(worker->stats().completed, 0);
    QCOMPARE(worker->stats().failed, 0);
    QCOMPARE(statusOf(storage.log(), id), FlowStatus::Cancelled);
    qInfo("the cancelled flow left its slot %lld ms after the cancel (steps of %d ms)", stoppedMs, stepMs);
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
    // A barrier: a flow scheduled after it runs once the worker has claimed past the key's.
    ERGON_TRY(sentinel, scheduler.schedule(pipeline(1, 0)));
    QTRY_VERIFY2_WITH_TIMEOUT(statusOf(storage.log(), sentinel) == FlowStatus::Completed,
                              qPrintable(countsText(storage.log())), 30000);
    worker->shutdownAndWait(5s);
    QCOMPARE(worker->stats().completed, 3);
    QCOMPARE(allFlows(storage.log()).size(), 3);
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
    // Neither polling nor reading due times from the log finds the flows within the test (both
    // once an hour): only the notifier (and the worker's timer queue it arms) can.
    auto worker = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"w"_s)
                      .withNotifier(&notifier)
                      .withPollInterval(1h)
                      .withTimers(1h)
                      .start();
    QTRY_COMPARE_WITH_TIMEOUT(storage.log().workers().value_or({}).size(), 1, 30000); // started

    QElapsedTimer elapsed;
    elapsed.start();
    ScheduleRequest now = pipeline(1, 0);
    ERGON_TRY(immediate, scheduler.schedule(now));
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), immediate) == FlowStatus::Completed, 30000);
    const qint64 immediateMs = elapsed.elapsed();

    // Two delayed flows, announced one after the other: the later must not hide the earlier.
    ScheduleRequest soon = pipeline(1, 0);
    soon.delay = 1000ms;
    ERGON_TRY(soonId, scheduler.schedule(soon));
    ScheduleRequest later = pipeline(1, 0);
    later.delay = 3000ms;
    ERGON_TRY(laterId, scheduler.schedule(later));
    const QDateTime soonDue = (*storage.log().flow(soonId))->runAt;
    const QDateTime laterDue = (*storage.log().flow(laterId))->runAt;
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), soonId) == FlowStatus::Completed, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), laterId) == FlowStatus::Completed, 30000);
    worker->shutdownAndWait(5s);

    // Order, from the times the worker recorded on the scheduler's clock: neither flow began
    // before its due time (a flow started early would show a first step before it), and the
    // earlier one was woken for its own due time, not for the later one's.
    const QDateTime soonStarted = firstStepStarted(storage.log(), soonId);
    const QDateTime laterStarted = firstStepStarted(storage.log(), laterId);
    QVERIFY(soonStarted.isValid() && laterStarted.isValid());
    QVERIFY2(soonStarted >= soonDue, qPrintable(soonStarted.toString(Qt::ISODateWithMs)));
    QVERIFY2(laterStarted >= laterDue, qPrintable(laterStarted.toString(Qt::ISODateWithMs)));
    QVERIFY2(soonStarted < laterDue,
             qPrintable(u"the earlier flow began with the later one, at %1 (due %2)"_s.arg(
                 soonStarted.toString(Qt::ISODateWithMs), laterDue.toString(Qt::ISODateWithMs))));
    qInfo("started %lld ms after scheduling (no delay); delayed flows started %lld and %lld ms after due", immediateMs,
          soonDue.msecsTo(soonStarted), laterDue.msecsTo(laterStarted));
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
                      .withPollInterval(1h)
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
    // Woken by the notifier: the worker polls once an hour (attempt 4 backs off 100 ms first).
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), id) == FlowStatus::Completed, 30000);
    const qint64 retriedMs = elapsed.elapsed();
    worker->shutdownAndWait(5s);
    ERGON_TRY(flow, storage.log().flow(id));
    QCOMPARE(flow->resultJson, QByteArray("5"));
    ERGON_TRY(steps, storage.log().steps(id, true));
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps.first().attempts, 5);
    QCOMPARE(steps.first().attemptLog.size(), 5);
    QCOMPARE(worker->stats().completed, 1);
    qInfo("the retried flow completed %lld ms after the retry", retriedMs);
}

void TestFlowScheduler::signalWakesTheWaitingFlow()
{
    QFETCH(QString, backend);
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    WorkNotifier notifier;
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock, &notifier);
    // The worker polls and reads due times once an hour, and the wait's timeout is an hour
    // away: within the test, only the notifier that signal() wakes can bring the flow back.
    auto worker = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"w"_s)
                      .withNotifier(&notifier)
                      .withPollInterval(1h)
                      .withTimers(1h)
                      .start();
    ScheduleRequest approval;
    approval.type = u"demo.Approval"_s;
    approval.arguments = QJsonObject{{u"order_id"_s, u"ORD-5"_s}, {u"timeout_s"_s, 3600}};
    ERGON_TRY(id, scheduler.schedule(approval));
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), id) == FlowStatus::Waiting, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(worker->stats().inFlight, 0, 5000); // it holds no slot while it waits

    QElapsedTimer elapsed;
    elapsed.start();
    ERGON_VERIFY_OK(scheduler.signal(id, u"approve"_s, QJsonObject{{u"approved"_s, true}, {u"by"_s, u"ann"_s}}));
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(storage.log(), id) == FlowStatus::Completed, 30000);
    const qint64 signalledMs = elapsed.elapsed();
    worker->shutdownAndWait(5s);
    ERGON_TRY(flow, storage.log().flow(id));
    QCOMPARE(flow->resultJson, QByteArray("\"approved by ann\""));
    QCOMPARE(worker->stats().completed, 1);
    qInfo("completed %lld ms after the signal (machine shared with other builds)", signalledMs);
}

QTEST_GUILESS_MAIN(TestFlowScheduler)
#include "tst_flowscheduler.moc"
