// FlowExecutor: durable replay across crashes (the executor destroyed mid-flow), runs of
// finished flows, group commit of concurrent flows, and runs that cannot start.

#include "ergontest.h"
#include "logfixture.h"
#include "testflows.h"

#include <ergon/clock.h>
#include <ergon/executionlog.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowregistry.h>
#include <ergon/jsontext.h>

#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

class TestFlowExecutor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void runNew_completesAndRecordsEveryStep();
    void resumesAfterCrash_data();
    void resumesAfterCrash();
    void crashedFlowIsNotTakenBeforeItsLeaseExpires();
    void killedProcessResumes();
    void completedFlow_rerunReturnsStoredResult();
    void groupCommit_manyConcurrentFlows();
    void runNew_unknownTypeStoresNothing();
    void run_unknownId();
    void run_typeNotLoaded_handsTheFlowBackThroughTheGroupCommit();
    void run_sameFlowTwiceAtOnce_runsItOnce();

private:
    /// A new connection to the test's storage, as a restarted process would open.
    std::unique_ptr<ExecutionLog> reopen();

    std::unique_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;
    FakeClock m_clock;
    Probe m_probe;
    FlowRegistry m_registry;
};

void TestFlowExecutor::initTestCase_data()
{
    addBackendRows();
}

void TestFlowExecutor::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fixture = makeLogFixture(backend);
    QVERIFY(m_fixture);
    m_log = reopen();
    QVERIFY(m_log);
    m_clock.set(QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC));
    m_probe = Probe();
    m_registry = FlowRegistry();
    ERGON_VERIFY_OK(registerPipeline(m_registry, m_probe));
}

void TestFlowExecutor::cleanup()
{
    m_log.reset();
    m_fixture.reset();
}

std::unique_ptr<ExecutionLog> TestFlowExecutor::reopen()
{
    auto log = m_fixture->open();
    if (!log) {
        qWarning("opening the log: %s", qPrintable(log.errorString()));
        return nullptr;
    }
    return log.take();
}

void TestFlowExecutor::runNew_completesAndRecordsEveryStep()
{
    FlowExecutor executor(*m_log, m_registry, m_clock, u"worker-1"_s);
    ERGON_AWAIT_OUTCOME(outcome, executor.runNew(QString::fromLatin1(pipelineType), {{u"x"_s, 21}}));
    QCOMPARE(outcome.status, FlowStatus::Completed);
    QVERIFY(!outcome.interrupted);
    QCOMPARE(outcome.result, QJsonValue(pipelineResult(21)));
    QCOMPARE(m_probe.runs(u"load"_s), 1);
    QCOMPARE(m_probe.runs(u"enrich"_s), 1);
    QCOMPARE(m_probe.runs(u"store"_s), 1);

    ERGON_TRY(flow, m_log->flow(outcome.flowId));
    QVERIFY(flow.has_value());
    QCOMPARE(flow->status, FlowStatus::Completed);
    QCOMPARE(flow->type, QString::fromLatin1(pipelineType));
    QCOMPARE(flow->arguments, (QJsonObject{{u"x"_s, 21}}));
    QCOMPARE(flow->stepCount, 3);
    QVERIFY(flow->leaseOwner.isEmpty());
    QCOMPARE(fromJsonText(flow->resultJson).value_or(QJsonValue()), QJsonValue(pipelineResult(21)));

    ERGON_TRY(steps, m_log->steps(outcome.flowId, true));
    QCOMPARE(steps.size(), 3);
    const QStringList names{u"load"_s, u"enrich"_s, u"store"_s};
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(steps[i].seq, i);
        QCOMPARE(steps[i].name, names[i]);
        QCOMPARE(steps[i].status, StepStatus::Completed);
        QCOMPARE(steps[i].attempts, 1);
        QCOMPARE(steps[i].worker, u"worker-1"_s);
        QCOMPARE(steps[i].attemptLog.size(), 1);
        QCOMPARE(steps[i].attemptLog.first().error, QString());
    }
    QCOMPARE(fromJsonText(steps[0].resultJson).value_or(QJsonValue()), QJsonValue(42));
}

void TestFlowExecutor::resumesAfterCrash_data()
{
    QTest::addColumn<QString>("gatedStep");
    QTest::addColumn<bool>("commitPending");
    QTest::addColumn<QStringList>("storedBeforeCrash"); // completed steps the crash leaves behind

    // The step body is suspended (awaiting I/O, say) when the process dies.
    QTest::newRow("while a step body awaits") << u"enrich"_s << false << QStringList{u"load"_s};
    // The body has returned and its result waits for the group commit when the process dies.
    QTest::newRow("while a step's commit is pending") << u"enrich"_s << true << QStringList{u"load"_s};
    QTest::newRow("while the last step's commit is pending")
        << u"store"_s << true << QStringList{u"load"_s, u"enrich"_s};
}

void TestFlowExecutor::resumesAfterCrash()
{
    QFETCH(QString, gatedStep);
    QFETCH(bool, commitPending);
    QFETCH(QStringList, storedBeforeCrash);

    Gate &gate = m_probe.gate(gatedStep);
    auto crashing = std::make_unique<FlowExecutor>(*m_log, m_registry, m_clock, u"worker-1"_s);
    auto firstRun = crashing->runNew(QString::fromLatin1(pipelineType), {{u"x"_s, 21}});
    QTRY_COMPARE(gate.waiting(), 1); // the event loop runs the earlier steps' commits
    QCOMPARE(m_probe.runs(gatedStep), 1);

    if (commitPending) {
        gate.open(); // the body finishes now and hands its result to the group commit ...
        QCOMPARE(crashing->inFlight(), 1);
        crashing.reset(); // ... which never happens: the process is gone
    } else {
        crashing.reset();
        gate.open(); // the body's I/O completes after the crash; nothing may be written
    }
    ERGON_AWAIT_OUTCOME(crashed, std::move(firstRun));
    QVERIFY(crashed.interrupted);
    QCOMPARE(crashed.status, FlowStatus::Running);
    const qint64 id = crashed.flowId;

    // What survived: exactly the steps committed before the crash, the flow still leased.
    m_log = reopen();
    QVERIFY(m_log);
    ERGON_TRY(flow, m_log->flow(id));
    QVERIFY(flow.has_value());
    QCOMPARE(flow->status, FlowStatus::Running);
    QCOMPARE(flow->leaseOwner, u"worker-1"_s);
    QCOMPARE(flow->stepCount, storedBeforeCrash.size());
    ERGON_TRY(steps, m_log->steps(id, true));
    QStringList completed;
    for (const StepRecord &step : steps) {
        QCOMPARE(step.status, StepStatus::Completed);
        completed.append(step.name);
    }
    QCOMPARE(completed, storedBeforeCrash);
    const QHash<QString, int> runsBefore{{u"load"_s, m_probe.runs(u"load"_s)},
                                         {u"enrich"_s, m_probe.runs(u"enrich"_s)},
                                         {u"store"_s, m_probe.runs(u"store"_s)}};

    // A new worker takes the flow over once the dead one's lease has expired.
    m_clock.advance(61s);
    FlowExecutor resumed(*m_log, m_registry, m_clock, u"worker-2"_s);
    ERGON_AWAIT_OUTCOME(outcome, resumed.run(id));
    QCOMPARE(outcome.status, FlowStatus::Completed);
    QVERIFY(!outcome.interrupted);
    QCOMPARE(outcome.result, QJsonValue(pipelineResult(21)));

    // Completed steps were replayed from the log, not run again; the interrupted one ran again.
    for (const QString &name : {u"load"_s, u"enrich"_s, u"store"_s}) {
        const int expected = runsBefore.value(name) + (storedBeforeCrash.contains(name) ? 0 : 1);
        QVERIFY2(m_probe.runs(name) == expected,
                 qPrintable(u"step %1 ran %2 times, expected %3"_s.arg(name).arg(m_probe.runs(name)).arg(expected)));
    }
    QCOMPARE(m_probe.runs(u"load"_s), 1);
    QCOMPARE(m_probe.runs(u"enrich"_s), storedBeforeCrash.contains(u"enrich"_s) ? 1 : 2);
    QCOMPARE(m_probe.runs(u"store"_s), gatedStep == u"store"_s ? 2 : 1);

    ERGON_TRY(finalSteps, m_log->steps(id, true));
    QCOMPARE(finalSteps.size(), 3);
    for (const StepRecord &step : finalSteps) {
        QCOMPARE(step.status, StepStatus::Completed);
        QCOMPARE(step.attemptLog.size(), 1); // the lost attempt left no trace
        QCOMPARE(step.worker, storedBeforeCrash.contains(step.name) ? u"worker-1"_s : u"worker-2"_s);
    }
    ERGON_TRY(finished, m_log->flow(id));
    QCOMPARE(finished->status, FlowStatus::Completed);
    QVERIFY(finished->leaseOwner.isEmpty());
}

void TestFlowExecutor::crashedFlowIsNotTakenBeforeItsLeaseExpires()
{
    Gate &gate = m_probe.gate(u"enrich"_s);
    auto crashing = std::make_unique<FlowExecutor>(*m_log, m_registry, m_clock, u"worker-1"_s);
    crashing->setLeaseDuration(30s);
    auto firstRun = crashing->runNew(QString::fromLatin1(pipelineType), {{u"x"_s, 5}});
    QTRY_COMPARE(gate.waiting(), 1);
    crashing.reset();
    gate.open();
    ERGON_AWAIT_OUTCOME(crashed, std::move(firstRun));
    QVERIFY(crashed.interrupted);

    FlowExecutor other(*m_log, m_registry, m_clock, u"worker-2"_s);
    m_clock.advance(29s);
    ERGON_AWAIT_RESULT(tooEarly, other.run(crashed.flowId));
    QVERIFY(!tooEarly);
    QCOMPARE(tooEarly.error().kind(), u"not-claimable"_s);
    QVERIFY2(tooEarly.errorString().contains(u"worker-1"_s), qPrintable(tooEarly.errorString()));
    QCOMPARE(m_probe.runs(u"enrich"_s), 1);

    m_clock.advance(2s);
    ERGON_AWAIT_OUTCOME(outcome, other.run(crashed.flowId));
    QCOMPARE(outcome.status, FlowStatus::Completed);
    QCOMPARE(outcome.result, QJsonValue(pipelineResult(5)));
    QCOMPARE(m_probe.runs(u"load"_s), 1);
}

void TestFlowExecutor::killedProcessResumes()
{
    if (m_fixture->filePath().isEmpty())
        QSKIP("needs storage that outlives a process");
    m_log.reset();

    // A real worker process runs the flow and is killed (SIGKILL) in the middle of step 2.
    QProcess worker;
    worker.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    worker.start(QStringLiteral(ERGON_CRASH_CHILD), {m_fixture->filePath()});
    QVERIFY2(worker.waitForStarted(5000), qPrintable(worker.errorString()));
    QByteArray output;
    while (!output.contains('\n') && worker.waitForReadyRead(10000))
        output += worker.readAllStandardOutput();
    QCOMPARE(output.trimmed(), QByteArray("ready load=1 enrich=1"));
    worker.kill();
    QVERIFY(worker.waitForFinished(5000));
    QCOMPARE(worker.exitStatus(), QProcess::CrashExit);

    m_log = reopen();
    QVERIFY(m_log);
    ERGON_TRY(flows, m_log->flows(FlowQuery()));
    QCOMPARE(flows.size(), 1);
    const qint64 id = flows.first().id;
    QCOMPARE(flows.first().status, FlowStatus::Running);
    QCOMPARE(flows.first().leaseOwner, u"doomed-worker"_s);
    ERGON_TRY(steps, m_log->steps(id, false));
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps.first().name, u"load"_s);
    QCOMPARE(steps.first().status, StepStatus::Completed);

    // This process takes over after the lease: load is replayed, enrich and store run here.
    m_clock.advance(61s);
    FlowExecutor resumed(*m_log, m_registry, m_clock, u"worker-2"_s);
    ERGON_AWAIT_OUTCOME(outcome, resumed.run(id));
    QCOMPARE(outcome.status, FlowStatus::Completed);
    QCOMPARE(outcome.result, QJsonValue(pipelineResult(21)));
    QCOMPARE(m_probe.runs(u"load"_s), 0);
    QCOMPARE(m_probe.runs(u"enrich"_s), 1);
    QCOMPARE(m_probe.runs(u"store"_s), 1);
}

void TestFlowExecutor::completedFlow_rerunReturnsStoredResult()
{
    FlowExecutor executor(*m_log, m_registry, m_clock, u"worker-1"_s);
    ERGON_AWAIT_OUTCOME(first, executor.runNew(QString::fromLatin1(pipelineType), {{u"x"_s, 7}}));
    QCOMPARE(first.status, FlowStatus::Completed);
    ERGON_TRY(before, m_log->flow(first.flowId));
    const QString flowBefore = describe(*before);
    ERGON_TRY(stepsBefore, m_log->steps(first.flowId, true));
    const QString stepsText = describe(stepsBefore);
    const int runsBefore = m_probe.totalRuns();
    const qint64 commitsBefore = executor.commits();

    // Again on the same executor, and from a fresh one in a "restarted process".
    m_clock.advance(1h);
    ERGON_AWAIT_OUTCOME(again, executor.run(first.flowId));
    m_log = reopen();
    QVERIFY(m_log);
    FlowExecutor restarted(*m_log, m_registry, m_clock, u"worker-2"_s);
    ERGON_AWAIT_OUTCOME(fresh, restarted.run(first.flowId));

    for (const FlowOutcome &outcome : {again, fresh}) {
        QCOMPARE(outcome.flowId, first.flowId);
        QCOMPARE(outcome.status, FlowStatus::Completed);
        QVERIFY(!outcome.interrupted);
        QCOMPARE(outcome.result, QJsonValue(pipelineResult(7)));
    }
    QCOMPARE(m_probe.totalRuns(), runsBefore);
    // One transaction each: the claim, which finds the flow finished and changes nothing.
    QCOMPARE(executor.commits(), commitsBefore + 1);
    QCOMPARE(restarted.commits(), 1);
    ERGON_TRY(after, m_log->flow(first.flowId));
    QCOMPARE(describe(*after), flowBefore);
    ERGON_TRY(stepsAfter, m_log->steps(first.flowId, true));
    QCOMPARE(describe(stepsAfter), stepsText);
}

void TestFlowExecutor::groupCommit_manyConcurrentFlows()
{
    constexpr int flowCount = 200;
    constexpr int stepsPerFlow = 3;
    FlowExecutor executor(*m_log, m_registry, m_clock, u"worker-1"_s);
    std::vector<QCoro::Task<Result<FlowOutcome>>> runs;
    for (int x = 0; x < flowCount; ++x)
        runs.push_back(executor.runNew(QString::fromLatin1(pipelineType), {{u"x"_s, x}}));
    QCOMPARE(executor.inFlight(), flowCount); // all started, all waiting on the first commit

    auto outcomes = awaitTask(whenAll(std::move(runs)));
    QVERIFY(outcomes);
    QCOMPARE(int(outcomes->size()), flowCount);
    for (int x = 0; x < flowCount; ++x) {
        const Result<FlowOutcome> &outcome = outcomes->at(x);
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorString()));
        QCOMPARE(outcome->status, FlowStatus::Completed);
        QCOMPARE(outcome->result, QJsonValue(pipelineResult(x)));
    }
    QCOMPARE(m_probe.totalRuns(), flowCount * stepsPerFlow);
    QCOMPARE(executor.inFlight(), 0);

    const int stepsWritten = flowCount * stepsPerFlow;
    qInfo("%d flows, %d steps: %lld commits, %lld rows", flowCount, stepsWritten, executor.commits(),
          executor.committedRows());
    QVERIFY2(executor.commits() < stepsWritten / 4,
             qPrintable(u"%1 commits for %2 steps"_s.arg(executor.commits()).arg(stepsWritten)));
    QVERIFY(executor.commits() > 0);

    // Everything the commits reported is really stored.
    ERGON_TRY(counts, m_log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Completed), qint64(flowCount));
    for (int x : {0, 99, 199}) {
        ERGON_TRY(steps, m_log->steps(outcomes->at(x)->flowId, false));
        QCOMPARE(steps.size(), stepsPerFlow);
        for (const StepRecord &step : steps)
            QCOMPARE(step.status, StepStatus::Completed);
    }
}

void TestFlowExecutor::runNew_unknownTypeStoresNothing()
{
    // Fingerprint the file with no connection open: closing the last one checkpoints the WAL.
    const QString file = m_fixture->filePath();
    m_log.reset();
    const QByteArray hashBefore = file.isEmpty() ? QByteArray() : fileHash(file);
    m_log = reopen();
    QVERIFY(m_log);

    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_RESULT(outcome, executor.runNew(u"no.such.Type"_s, {{u"x"_s, 1}}));
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().kind(), u"unknown-type"_s);
    QVERIFY2(outcome.errorString().contains(u"'no.such.Type'"_s), qPrintable(outcome.errorString()));

    ERGON_TRY(flows, m_log->flows(FlowQuery()));
    QVERIFY(flows.isEmpty());
    QCOMPARE(executor.commits(), 0);
    if (!file.isEmpty()) {
        m_log.reset();
        QCOMPARE(fileHash(file), hashBefore);
    }
}

void TestFlowExecutor::run_unknownId()
{
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_RESULT(outcome, executor.run(777));
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().kind(), u"not-found"_s);
    QVERIFY2(outcome.errorString().contains(u"777"_s), qPrintable(outcome.errorString()));
}

void TestFlowExecutor::run_typeNotLoaded_handsTheFlowBackThroughTheGroupCommit()
{
    // A flow whose plugin is not loaded here goes back to the queue untouched, for a process
    // that has it. The executor writes that as it writes everything, through its group
    // commit: the claim and the hand-back are the two transactions it counts.
    NewFlow flow;
    flow.type = u"not.loaded.Type"_s;
    flow.arguments = {{u"x"_s, 1}};
    ERGON_TRY(ids, m_log->scheduleFlows({flow}, m_clock.now()));
    FlowExecutor executor(*m_log, m_registry, m_clock, u"worker-1"_s);
    ERGON_AWAIT_RESULT(outcome, executor.run(ids.first()));
    QVERIFY2(outcome.ok(), qPrintable(outcome.errorString()));
    QCOMPARE(outcome->status, FlowStatus::Pending);
    QVERIFY(outcome->interrupted);
    QVERIFY2(outcome->error.contains(u"'not.loaded.Type'"_s), qPrintable(outcome->error));
    QCOMPARE(executor.commits(), 2);

    ERGON_TRY(stored, m_log->flow(ids.first()));
    QVERIFY(stored.has_value());
    QCOMPARE(stored->status, FlowStatus::Pending);
    QVERIFY(stored->leaseOwner.isEmpty());
}

void TestFlowExecutor::run_sameFlowTwiceAtOnce_runsItOnce()
{
    // A worker can hold a flow twice over (a stale entry of its local queue after a steal and a
    // steal back): both claims would succeed under the one owner. The second run is refused,
    // and the flow runs once.
    NewFlow flow;
    flow.type = QString::fromLatin1(pipelineType);
    flow.arguments = {{u"x"_s, 5}};
    ERGON_TRY(ids, m_log->scheduleFlows({flow}, m_clock.now()));
    FlowExecutor executor(*m_log, m_registry, m_clock, u"worker-1"_s);
    std::vector<QCoro::Task<Result<FlowOutcome>>> runs;
    runs.push_back(executor.run(ids.first()));
    runs.push_back(executor.run(ids.first()));
    auto outcomes = awaitTask(whenAll(std::move(runs)));
    QVERIFY(outcomes);
    const Result<FlowOutcome> &first = outcomes->at(0);
    QVERIFY2(first.ok(), qPrintable(first.errorString()));
    QCOMPARE(first->status, FlowStatus::Completed);
    QCOMPARE(first->result, QJsonValue(pipelineResult(5)));
    const Result<FlowOutcome> &second = outcomes->at(1);
    QVERIFY(!second);
    QCOMPARE(second.error().kind(), u"not-claimable"_s);
    QVERIFY2(second.errorString().contains(u"already running"_s), qPrintable(second.errorString()));
    QCOMPARE(m_probe.totalRuns(), 3);
    QCOMPARE(executor.inFlight(), 0);

    // Once the first run is over, the flow may be run again (it returns its stored result).
    ERGON_AWAIT_RESULT(again, executor.run(ids.first()));
    QVERIFY2(again.ok(), qPrintable(again.errorString()));
    QCOMPARE(again->status, FlowStatus::Completed);
    QCOMPARE(m_probe.totalRuns(), 3);
}

QTEST_GUILESS_MAIN(TestFlowExecutor)
#include "tst_flowexecutor.moc"
