// Waiting for signals in a flow, on every backend: a signal sent after the wait resumes the
// parked flow with its payload, one sent before is taken without a park; signals of one name
// are received in order, once each; a timeout returns nothing and a signal that comes later is
// kept for the next wait; replay returns the payload the wait received; a typed wait decodes
// it; FlowScheduler::signal() refuses unknown and finished flows and malformed names.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/flowcontext.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowregistry.h>
#include <ergon/flowscheduler.h>
#include <ergon/steperror.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

/// What the flows below count and how they are told to behave.
struct SignalProbe {
    int before = 0;                                        ///< runs of the step before the first wait
    int after = 0;                                         ///< runs of the step after the waits
    bool failAfter = false;                                ///< the step after the waits throws
    int waits = 1;                                         ///< how many waits for "item" (test.collect)
    std::optional<std::chrono::milliseconds> firstTimeout; ///< of the first wait
};

/// "test.collect": step "before"; `waits` waits for the signal "item" (the first with the
/// probe's timeout, the others without); step "after", which returns the payloads received as an
/// array (a timed-out wait as the string "timeout").
class CollectFlow final : public Flow
{
public:
    explicit CollectFlow(SignalProbe &probe)
        : m_probe(probe)
    {
    }

    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        const auto before = [this] { return ++m_probe.before; };
        co_await ctx.step(u"before"_s, before);
        QJsonArray received;
        for (int i = 0; i < m_probe.waits; ++i) {
            if (i == 0 && m_probe.firstTimeout) {
                const std::optional<QJsonValue> payload = co_await ctx.waitForSignal(u"item"_s, *m_probe.firstTimeout);
                received.append(payload ? *payload : QJsonValue(u"timeout"_s));
            } else {
                received.append(co_await ctx.waitForSignal(u"item"_s));
            }
        }
        const auto after = [this](const QJsonArray &all) {
            ++m_probe.after;
            if (m_probe.failAfter)
                throw StepError(u"error"_s, u"after failed on purpose"_s);
            return all;
        };
        const auto once = StepOptions::withRetry(RetryPolicy::none());
        co_return co_await ctx.step(u"after"_s, once, after, received);
    }

private:
    SignalProbe &m_probe;
};

/// "test.typed": a wait for "count" decoded as an int, returned plus one.
class TypedFlow final : public Flow
{
public:
    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        const std::optional<int> count = co_await ctx.waitForSignal<int>(u"count"_s, 1h);
        co_return count ? *count + 1 : -1;
    }
};

} // namespace

class TestFlowSignals : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void signalAfterTheWait_resumesTheParkedFlow();
    void signalBeforeTheWait_isTakenWithoutAPark();
    void signalsOfOneName_areReceivedInOrder_onceEach();
    void timeout_thenALateSignal_goesToTheNextWait();
    void replayAfterDelivery_returnsTheSamePayload();
    void typedWait_decodesThePayload();
    void typedWait_failsOnAPayloadThatDoesNotDecode();
    void signal_refusesUnknownFinishedAndUnnamed();

private:
    template<typename F, typename... Args>
    Result<void> addType(const QString &name, Args &...args)
    {
        FlowTypeInfo info;
        info.name = name;
        return m_registry.add(info, [&args...](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
            return std::unique_ptr<Flow>(std::make_unique<F>(args...));
        });
    }
    FlowScheduler scheduler() { return FlowScheduler(*m_log, m_registry, m_clock); }

    std::unique_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;
    FakeClock m_clock;
    FlowRegistry m_registry;
    SignalProbe m_probe;
};

void TestFlowSignals::initTestCase_data()
{
    addBackendRows();
}

void TestFlowSignals::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fixture = makeLogFixture(backend);
    QVERIFY(m_fixture);
    ERGON_TRY(log, m_fixture->open());
    m_log = std::move(log);
    m_registry = FlowRegistry();
    m_probe = SignalProbe();
    ERGON_VERIFY_OK(addType<CollectFlow>(u"test.collect"_s, m_probe));
    ERGON_VERIFY_OK(addType<TypedFlow>(u"test.typed"_s));
}

void TestFlowSignals::cleanup()
{
    m_log.reset();
    m_fixture.reset();
}

void TestFlowSignals::signalAfterTheWait_resumesTheParkedFlow()
{
    m_probe.firstTimeout = 1h;
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(parked, executor.runNew(u"test.collect"_s, {}));
    QCOMPARE(parked.status, FlowStatus::Waiting);
    QCOMPARE(parked.wakeAt, m_clock.now().addSecs(3600));
    ERGON_TRY(waiting, m_log->flow(parked.flowId));
    QCOMPARE(waiting->status, FlowStatus::Waiting);
    QVERIFY(waiting->leaseOwner.isEmpty()); // it holds nothing while it waits
    QCOMPARE(waiting->waitingFor->kind, StepKind::Signal);
    QCOMPARE(waiting->waitingFor->name, u"item"_s);
    // Not due before its signal: a run now finds nothing to claim.
    ERGON_AWAIT_RESULT(early, executor.run(parked.flowId));
    QVERIFY(!early.ok());

    m_clock.advance(5s);
    ERGON_VERIFY_OK(scheduler().signal(parked.flowId, u"item"_s, QJsonObject{{u"by"_s, u"ann"_s}}));
    ERGON_AWAIT_OUTCOME(done, executor.run(parked.flowId));
    QCOMPARE(done.status, FlowStatus::Completed);
    QCOMPARE(done.result, QJsonValue(QJsonArray{QJsonObject{{u"by"_s, u"ann"_s}}}));
    QCOMPARE(m_probe.before, 1); // replayed, not run again
    QCOMPARE(m_probe.after, 1);
    ERGON_TRY(steps, m_log->steps(parked.flowId));
    QCOMPARE(steps.size(), 3);
    QCOMPARE(steps[1].kind, StepKind::Signal);
    QCOMPARE(steps[1].name, u"item"_s);
    QCOMPARE(steps[1].status, StepStatus::Completed);
    QCOMPARE(steps[1].resultJson, QByteArray(R"({"payload":{"by":"ann"}})"));
    ERGON_TRY(sent, m_log->flowSignals(parked.flowId));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent[0].consumedSeq, 1);
}

void TestFlowSignals::signalBeforeTheWait_isTakenWithoutAPark()
{
    ScheduleRequest request;
    request.type = u"test.collect"_s;
    ERGON_TRY(id, scheduler().schedule(request));
    ERGON_VERIFY_OK(scheduler().signal(id, u"item"_s, u"early"_s)); // the flow has not started
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(done, executor.run(id));
    QCOMPARE(done.status, FlowStatus::Completed); // in one run: it never parked
    QCOMPARE(done.result, QJsonValue(QJsonArray{u"early"_s}));
    QCOMPARE(m_probe.before, 1);
}

void TestFlowSignals::signalsOfOneName_areReceivedInOrder_onceEach()
{
    m_probe.waits = 3;
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(parked, executor.runNew(u"test.collect"_s, {}));
    QCOMPARE(parked.status, FlowStatus::Waiting);
    QVERIFY(!parked.wakeAt.isValid()); // no timeout: only a signal wakes it
    // Two sent together while it waits, one more after it took them.
    ERGON_VERIFY_OK(scheduler().signal(parked.flowId, u"item"_s, 1));
    ERGON_VERIFY_OK(scheduler().signal(parked.flowId, u"item"_s, 2));
    ERGON_AWAIT_OUTCOME(again, executor.run(parked.flowId));
    QCOMPARE(again.status, FlowStatus::Waiting);
    ERGON_VERIFY_OK(scheduler().signal(parked.flowId, u"item"_s, 3));
    ERGON_AWAIT_OUTCOME(done, executor.run(parked.flowId));
    QCOMPARE(done.status, FlowStatus::Completed);
    QCOMPARE(done.result, QJsonValue(QJsonArray{1, 2, 3}));
    ERGON_TRY(sent, m_log->flowSignals(parked.flowId));
    QCOMPARE(sent.size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(sent[i].consumedSeq, i + 1); // each to one wait, in order
}

void TestFlowSignals::timeout_thenALateSignal_goesToTheNextWait()
{
    m_probe.firstTimeout = 10s;
    m_probe.waits = 2;
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(parked, executor.runNew(u"test.collect"_s, {}));
    QCOMPARE(parked.status, FlowStatus::Waiting);
    QCOMPARE(parked.wakeAt, m_clock.now().addSecs(10));

    m_clock.advance(10s);
    ERGON_AWAIT_OUTCOME(timedOut, executor.run(parked.flowId));
    QCOMPARE(timedOut.status, FlowStatus::Waiting); // now on its second wait, without timeout
    ERGON_TRY(steps, m_log->steps(parked.flowId));
    QCOMPARE(steps[1].resultJson, QByteArray(R"({"timeout":true})"));

    m_clock.advance(1s);
    ERGON_VERIFY_OK(scheduler().signal(parked.flowId, u"item"_s, u"late"_s));
    ERGON_AWAIT_OUTCOME(done, executor.run(parked.flowId));
    QCOMPARE(done.status, FlowStatus::Completed);
    QCOMPARE(done.result, QJsonValue(QJsonArray{u"timeout"_s, u"late"_s}));
    ERGON_TRY(finalSteps, m_log->steps(parked.flowId));
    QCOMPARE(finalSteps[1].resultJson, QByteArray(R"({"timeout":true})")); // the finished wait kept its outcome
    ERGON_TRY(sent, m_log->flowSignals(parked.flowId));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent[0].consumedSeq, 2);
}

void TestFlowSignals::replayAfterDelivery_returnsTheSamePayload()
{
    m_probe.failAfter = true;
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(parked, executor.runNew(u"test.collect"_s, {}));
    ERGON_VERIFY_OK(scheduler().signal(parked.flowId, u"item"_s, u"first"_s));
    ERGON_AWAIT_OUTCOME(failed, executor.run(parked.flowId));
    QCOMPARE(failed.status, FlowStatus::Failed);

    // Another signal of the name is pending when the flow replays: the wait returns what it
    // received the first time, and the new one stays pending.
    ERGON_VERIFY_OK(m_log->retryFlow(parked.flowId, u"after"_s, m_clock.now()));
    ERGON_VERIFY_OK(scheduler().signal(parked.flowId, u"item"_s, u"second"_s));
    m_probe.failAfter = false;
    ERGON_AWAIT_OUTCOME(done, executor.run(parked.flowId));
    QCOMPARE(done.status, FlowStatus::Completed);
    QCOMPARE(done.result, QJsonValue(QJsonArray{u"first"_s}));
    ERGON_TRY(sent, m_log->flowSignals(parked.flowId));
    QCOMPARE(sent.size(), 2);
    QCOMPARE(sent[0].consumedSeq, 1);
    QVERIFY(!sent[1].consumed.isValid());
}

void TestFlowSignals::typedWait_decodesThePayload()
{
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(parked, executor.runNew(u"test.typed"_s, {}));
    QCOMPARE(parked.status, FlowStatus::Waiting);
    ERGON_VERIFY_OK(scheduler().signal(parked.flowId, u"count"_s, 41));
    ERGON_AWAIT_OUTCOME(done, executor.run(parked.flowId));
    QCOMPARE(done.status, FlowStatus::Completed);
    QCOMPARE(done.result, QJsonValue(42));
}

void TestFlowSignals::typedWait_failsOnAPayloadThatDoesNotDecode()
{
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(parked, executor.runNew(u"test.typed"_s, {}));
    ERGON_VERIFY_OK(scheduler().signal(parked.flowId, u"count"_s, u"many"_s));
    ERGON_AWAIT_OUTCOME(failed, executor.run(parked.flowId));
    QCOMPARE(failed.status, FlowStatus::Failed);
    QVERIFY2(failed.error.contains(u"the payload of signal 'count' cannot be decoded"_s), qPrintable(failed.error));
}

void TestFlowSignals::signal_refusesUnknownFinishedAndUnnamed()
{
    const auto unknown = scheduler().signal(999, u"item"_s, 1);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().kind(), u"not-found"_s);
    QCOMPARE(unknown.error().message(), u"no flow with id 999"_s);

    m_probe.waits = 0;
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(done, executor.runNew(u"test.collect"_s, {}));
    QCOMPARE(done.status, FlowStatus::Completed);
    const auto finished = scheduler().signal(done.flowId, u"item"_s, 1);
    QVERIFY(!finished);
    QCOMPARE(finished.error().kind(), u"finished"_s);
    QCOMPARE(finished.error().message(), u"flow %1 is already completed"_s.arg(done.flowId));

    ScheduleRequest request;
    request.type = u"test.collect"_s;
    ERGON_TRY(id, scheduler().schedule(request));
    const auto unnamed = scheduler().signal(id, u" "_s, 1);
    QVERIFY(!unnamed);
    QCOMPARE(unnamed.error().kind(), u"invalid"_s);
    const auto nul = scheduler().signal(id, u"a\0b"_s, 1);
    QVERIFY(!nul);
    QCOMPARE(nul.error().kind(), u"invalid-text"_s);
    ERGON_TRY(sent, m_log->flowSignals(id));
    QVERIFY(sent.isEmpty()); // nothing refused was stored
}

QTEST_GUILESS_MAIN(TestFlowSignals)
#include "tst_flowsignals.moc"
