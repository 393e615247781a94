// The flow API's guarantees, on every backend: what step() accepts in a co_await expression is
// built and destroyed exactly once even with many flows suspended at once (the shapes GCC 12
// miscompiles do not compile: tests/engine/flow/compilefail); ctx.now() replays the time its first
// run recorded; a flow that swallows the engine's suspension is failed, saying so.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/flowcontext.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowregistry.h>
#include <ergon/steperror.h>

#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

/// Every live Tracked object by address: an object destroyed where none was built (what GCC 12
/// does to the temporaries it miscompiles) or never destroyed shows up here.
struct Liveness {
    QSet<const void *> live;
    int strayDestructions = 0;
};
Liveness liveness;

/// A text with a Codec, made by a constructor (not an aggregate): accepted by step() as a
/// temporary, and watched by Liveness.
class Tracked
{
public:
    explicit Tracked(QString text)
        : m_text(std::move(text))
    {
        liveness.live.insert(this);
    }
    Tracked(const Tracked &other)
        : m_text(other.m_text)
    {
        liveness.live.insert(this);
    }
    Tracked &operator=(const Tracked &) = default;
    ~Tracked()
    {
        if (!liveness.live.remove(this))
            ++liveness.strayDestructions;
    }

    const QString &text() const { return m_text; }
    QJsonValue toJson() const { return m_text; }
    static Result<Tracked> fromJson(const QJsonValue &json) { return Tracked(json.toString()); }

private:
    QString m_text;
};

/// "test.carry": `steps` steps whose bodies get non-trivial values in every shape step()
/// accepts: a named lambda with QString, shared-pointer and Tracked captures; temporaries made
/// by a call (QString::arg) and by a constructor (Tracked); named values. Each body suspends
/// (its result waits for the group commit with every other flow's), so the values live across
/// suspensions. The result is the concatenation of what the bodies returned.
class CarryFlow final : public Flow
{
public:
    CarryFlow(int steps, std::shared_ptr<QString> shared)
        : m_steps(steps)
        , m_shared(std::move(shared))
    {
    }

    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        QString all;
        for (int i = 0; i < m_steps; ++i) {
            const QString prefix = u"p%1-"_s.arg(ctx.flowId());
            auto named = [prefix, shared = m_shared, tracked = Tracked(u"t"_s)]() -> QCoro::Task<QString> {
                co_return prefix + *shared + tracked.text();
            };
            all += co_await ctx.step(u"named"_s, named);
            all += co_await ctx.step(
                u"arguments"_s,
                [](const QString &made, const Tracked &built, const QString &kept, const std::shared_ptr<QString> &s)
                    -> QCoro::Task<QString> { co_return made + built.text() + kept + *s; },
                u"m%1"_s.arg(i), Tracked(u"b%1"_s.arg(i)), prefix, m_shared);
            const Tracked echoed = co_await ctx.step(
                u"result"_s, [](const Tracked &value) { return value; }, Tracked(u"r"_s));
            all += echoed.text();
        }
        co_return all;
    }

    static QString expected(qint64 flowId, int steps)
    {
        QString all;
        const QString prefix = u"p%1-"_s.arg(flowId);
        for (int i = 0; i < steps; ++i)
            all += prefix + u"S"_s + u"t"_s + u"m%1"_s.arg(i) + u"b%1"_s.arg(i) + prefix + u"S"_s + u"r"_s;
        return all;
    }

private:
    int m_steps;
    std::shared_ptr<QString> m_shared;
};

/// "test.clock": now() before and after a step that fails on the first run (no retry).
struct ClockProbe {
    bool failFirstRun = true;
    int gateRuns = 0;
};

class ClockFlow final : public Flow
{
public:
    explicit ClockFlow(ClockProbe &probe)
        : m_probe(probe)
    {
    }

    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        const QDateTime before = co_await ctx.now();
        const auto once = StepOptions::withRetry(RetryPolicy::none());
        co_await ctx.step(u"gate"_s, once, [this] {
            if (m_probe.gateRuns++ == 0 && m_probe.failFirstRun)
                throw StepError(u"test"_s, u"the first run stops here"_s);
        });
        const QDateTime after = co_await ctx.now();
        co_return QJsonObject{{u"before"_s, before.toString(Qt::ISODateWithMs)},
                              {u"after"_s, after.toString(Qt::ISODateWithMs)}};
    }

private:
    ClockProbe &m_probe;
};

/// "test.swallow": catches whatever ctx.sleep() throws; then goes on with a step, or ends.
enum class Swallow { ThenStep, ThenReturn, Rethrow };
struct SwallowProbe {
    Swallow mode = Swallow::ThenStep;
    int afterRuns = 0;
};

class SwallowFlow final : public Flow
{
public:
    explicit SwallowFlow(SwallowProbe &probe)
        : m_probe(probe)
    {
    }

    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        try {
            co_await ctx.sleep(u"nap"_s, 1h);
        } catch (...) {
            if (m_probe.mode == Swallow::Rethrow)
                throw;
        }
        if (m_probe.mode == Swallow::ThenReturn)
            co_return u"returned"_s;
        co_return co_await ctx.step(u"after"_s, [this] {
            ++m_probe.afterRuns;
            return u"went on"_s;
        });
    }

private:
    SwallowProbe &m_probe;
};

} // namespace

Q_DECLARE_METATYPE(Swallow)

class TestFlowApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void stepValuesLiveExactlyOnceUnderLoad();
    void nowIsRecordedOnceAndReplayed();
    void swallowedSuspensionFailsTheFlow_data();
    void swallowedSuspensionFailsTheFlow();
    void rethrownSuspensionParks();

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

    std::unique_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;
    FakeClock m_clock;
    FlowRegistry m_registry;
};

void TestFlowApi::initTestCase_data()
{
    addBackendRows();
}

void TestFlowApi::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fixture = makeLogFixture(backend);
    QVERIFY(m_fixture);
    ERGON_TRY(log, m_fixture->open());
    m_log = std::move(log);
    m_registry = FlowRegistry();
    liveness = Liveness();
}

void TestFlowApi::cleanup()
{
    m_log.reset();
    m_fixture.reset();
}

void TestFlowApi::stepValuesLiveExactlyOnceUnderLoad()
{
    const int flows = 48;
    const int steps = 8;
    auto shared = std::make_shared<QString>(u"S"_s);
    {
        FlowTypeInfo info;
        info.name = u"test.carry"_s;
        ERGON_VERIFY_OK(m_registry.add(info, [shared, steps](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
            return std::unique_ptr<Flow>(std::make_unique<CarryFlow>(steps, shared));
        }));
    }
    std::vector<QCoro::Task<Result<FlowOutcome>>> runs;
    {
        FlowExecutor executor(*m_log, m_registry, m_clock);
        for (int i = 0; i < flows; ++i)
            runs.push_back(executor.runNew(u"test.carry"_s, {}));
        auto outcomes = awaitTask(whenAll(std::move(runs)));
        QVERIFY(outcomes);
        QCOMPARE(int(outcomes->size()), flows);
        for (const auto &outcome : *outcomes) {
            QVERIFY2(outcome.ok(), qPrintable(outcome.errorString()));
            QCOMPARE(outcome->status, FlowStatus::Completed);
            QCOMPARE(outcome->result.toString(), CarryFlow::expected(outcome->flowId, steps));
        }
        QVERIFY2(executor.commits() < qint64(flows) * steps * 3, "the flows did not share group commits");
    }
    m_registry = FlowRegistry(); // drops the factory's copy of `shared`
    QCOMPARE(liveness.strayDestructions, 0);
    QCOMPARE(liveness.live.size(), 0);
    QCOMPARE(shared.use_count(), 1L);
}

void TestFlowApi::nowIsRecordedOnceAndReplayed()
{
    ClockProbe probe;
    ERGON_VERIFY_OK(addType<ClockFlow>(u"test.clock"_s, probe));
    const QDateTime firstRun = m_clock.now();
    qint64 id = 0;
    {
        FlowExecutor executor(*m_log, m_registry, m_clock);
        ERGON_AWAIT_OUTCOME(outcome, executor.runNew(u"test.clock"_s, {}));
        QCOMPARE(outcome.status, FlowStatus::Failed);
        id = outcome.flowId;
    }
    m_clock.advance(90min);
    const QDateTime secondRun = m_clock.now();
    ERGON_VERIFY_OK(m_log->retryFlow(id, u"gate"_s, secondRun));
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(outcome, executor.run(id));
    QCOMPARE(outcome.status, FlowStatus::Completed);
    const QJsonObject result = outcome.result.toObject();
    // The first now() was recorded on the first run and replayed; the second ran on the second.
    QCOMPARE(result.value(u"before"_s).toString(), firstRun.toString(Qt::ISODateWithMs));
    QCOMPARE(result.value(u"after"_s).toString(), secondRun.toString(Qt::ISODateWithMs));
    ERGON_TRY(steps, m_log->steps(id, false));
    QCOMPARE(steps.size(), 3);
    QCOMPARE(steps[0].name, u"now"_s);
    QCOMPARE(steps[2].name, u"now"_s);
    QCOMPARE(steps[2].occurrence, 1);
}

void TestFlowApi::swallowedSuspensionFailsTheFlow_data()
{
    QTest::addColumn<Swallow>("mode");
    QTest::newRow("then a step") << Swallow::ThenStep;
    QTest::newRow("then return") << Swallow::ThenReturn;
}

void TestFlowApi::swallowedSuspensionFailsTheFlow()
{
    QFETCH(Swallow, mode);
    SwallowProbe probe;
    probe.mode = mode;
    ERGON_VERIFY_OK(addType<SwallowFlow>(u"test.swallow"_s, probe));
    FlowExecutor executor(*m_log, m_registry, m_clock);
    executor.setWaitForTimers(false); // the flow parks on its timer, as under workers
    ERGON_AWAIT_OUTCOME(outcome, executor.runNew(u"test.swallow"_s, {}));

    QCOMPARE(outcome.status, FlowStatus::Failed);
    QVERIFY(!outcome.interrupted);
    ERGON_TRY(flow, m_log->flow(outcome.flowId));
    QVERIFY(flow.has_value());
    QCOMPARE(flow->status, FlowStatus::Failed);
    QVERIFY(flow->leaseOwner.isEmpty());
    for (const QString &error : {outcome.error, flow->error}) {
        QVERIFY2(error.contains(u"caught the engine's suspension at timer 'nap'"_s), qPrintable(error));
        QVERIFY2(error.contains(u"catch (...)"_s), qPrintable(error));
    }
    // Nothing ran after the swallowed suspension.
    QCOMPARE(probe.afterRuns, 0);
}

void TestFlowApi::rethrownSuspensionParks()
{
    SwallowProbe probe;
    probe.mode = Swallow::Rethrow;
    ERGON_VERIFY_OK(addType<SwallowFlow>(u"test.swallow"_s, probe));
    qint64 id = 0;
    {
        FlowExecutor executor(*m_log, m_registry, m_clock);
        executor.setWaitForTimers(false);
        ERGON_AWAIT_OUTCOME(outcome, executor.runNew(u"test.swallow"_s, {}));
        QCOMPARE(outcome.status, FlowStatus::Waiting);
        QCOMPARE(outcome.wakeAt, m_clock.now().addSecs(3600));
        id = outcome.flowId;
    }
    ERGON_TRY(parked, m_log->flow(id));
    QCOMPARE(parked->status, FlowStatus::Waiting);
    QCOMPARE(parked->runAt, m_clock.now().addSecs(3600));
    ERGON_TRY(timers, m_log->steps(id, false));
    QCOMPARE(timers.size(), 1);
    QCOMPARE(timers[0].kind, StepKind::Timer);
    QCOMPARE(timers[0].nextAttemptAt, m_clock.now().addSecs(3600));

    // Once due, the flow goes on past its timer.
    m_clock.advance(1h);
    FlowExecutor executor(*m_log, m_registry, m_clock);
    executor.setWaitForTimers(false);
    ERGON_AWAIT_OUTCOME(outcome, executor.run(id));
    QCOMPARE(outcome.status, FlowStatus::Completed);
    QCOMPARE(outcome.result, QJsonValue(u"went on"_s));
    QCOMPARE(probe.afterRuns, 1);
}

QTEST_GUILESS_MAIN(TestFlowApi)
#include "tst_flowapi.moc"
