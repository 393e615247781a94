// FlowContext: step identity on replay. A flow whose code asks for other steps than its log
// recorded fails with a non-determinism error naming both; the same code replays cleanly.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/flowcontext.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowregistry.h>
#include <ergon/steperror.h>

#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {

/// How the test flow's code looks in a given run.
enum class Variant { Original, Renamed, Swapped, Removed, InputChanged, Appended };

struct OrderedProbe {
    Variant variant = Variant::Original;
    bool failLastStep = true; ///< "c" fails (no retry): the flow stops with a and b recorded
    QHash<QString, int> runs;
    QStringList contextSeen; ///< what FlowContext reported inside the first step
};

/// "test.ordered": steps a, b (input {"n": 1}), c; the variant changes that code.
class OrderedFlow final : public Flow
{
public:
    explicit OrderedFlow(OrderedProbe &probe)
        : m_probe(probe)
    {
    }

    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        const Variant variant = m_probe.variant;
        qint64 total = 0;
        if (variant == Variant::Swapped) {
            total += co_await runStep(ctx, u"b"_s, 2, 1);
            total += co_await runStep(ctx, u"a"_s, 1);
        } else {
            total += co_await runStep(ctx, u"a"_s, 1);
            if (variant == Variant::Renamed)
                total += co_await runStep(ctx, u"x"_s, 2);
            else if (variant == Variant::InputChanged)
                total += co_await runStep(ctx, u"b"_s, 2, 2);
            else if (variant != Variant::Removed)
                total += co_await runStep(ctx, u"b"_s, 2, 1);
        }
        auto last = [this]() -> qint64 {
            ++m_probe.runs[u"c"_s];
            if (m_probe.failLastStep)
                throw StepError(u"test"_s, u"not yet"_s);
            return 4;
        };
        const auto once = StepOptions::withRetry(RetryPolicy::none());
        total += co_await ctx.step(u"c"_s, once, last);
        if (variant == Variant::Appended)
            total += co_await runStep(ctx, u"d"_s, 8);
        co_return total;
    }

private:
    QCoro::Task<qint64> runStep(FlowContext &ctx, QString name, qint64 value, std::optional<int> input = {})
    {
        auto body = [this, &ctx, name, value]() -> qint64 {
            ++m_probe.runs[name];
            if (m_probe.contextSeen.isEmpty()) {
                m_probe.contextSeen = {QString::number(ctx.flowId()), ctx.flowType(), ctx.workerName(),
                                       QString::number(ctx.attempt())};
            }
            return value;
        };
        StepOptions options;
        if (input)
            options.input = QJsonObject{{u"n"_s, *input}};
        co_return co_await ctx.step(std::move(name), options, body);
    }

    OrderedProbe &m_probe;
};

} // namespace

Q_DECLARE_METATYPE(Variant)

class TestFlowContext : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void contextDescribesTheRun();
    void replayOfTheSameCodeSkipsCompletedSteps_data();
    void replayOfTheSameCodeSkipsCompletedSteps();
    void changedCodeIsNonDeterministic_data();
    void changedCodeIsNonDeterministic();
    void repeatedStepNamesHaveOccurrences();

private:
    /// Runs the flow once with the original code: a and b recorded, c failed; then re-queues it.
    qint64 runOriginalAndRequeue();
    Result<void> registerOrdered(int version);

    std::unique_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;
    FakeClock m_clock;
    OrderedProbe m_probe;
    FlowRegistry m_registry;
};

void TestFlowContext::initTestCase_data()
{
    addBackendRows();
}

void TestFlowContext::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fixture = makeLogFixture(backend);
    QVERIFY(m_fixture);
    ERGON_TRY(log, m_fixture->open());
    m_log = std::move(log);
    m_probe = OrderedProbe();
    ERGON_VERIFY_OK(registerOrdered(1));
}

void TestFlowContext::cleanup()
{
    m_log.reset();
    m_fixture.reset();
}

Result<void> TestFlowContext::registerOrdered(int version)
{
    m_registry = FlowRegistry();
    FlowTypeInfo info;
    info.name = u"test.ordered"_s;
    info.version = version;
    return m_registry.add(info, [this](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
        return std::unique_ptr<Flow>(std::make_unique<OrderedFlow>(m_probe));
    });
}

qint64 TestFlowContext::runOriginalAndRequeue()
{
    FlowExecutor executor(*m_log, m_registry, m_clock, u"worker-1"_s);
    auto outcome = awaitTask(executor.runNew(u"test.ordered"_s, {}));
    if (!outcome || !outcome->ok() || (*outcome)->status != FlowStatus::Failed) {
        qWarning("the first run did not fail at step c as planned");
        return -1;
    }
    const qint64 id = (*outcome)->flowId;
    if (!m_log->retryFlow(id, u"c"_s, m_clock.now()))
        return -1;
    return id;
}

void TestFlowContext::contextDescribesTheRun()
{
    const qint64 id = runOriginalAndRequeue();
    QVERIFY(id > 0);
    QCOMPARE(m_probe.contextSeen, (QStringList{QString::number(id), u"test.ordered"_s, u"worker-1"_s, u"1"_s}));
}

void TestFlowContext::replayOfTheSameCodeSkipsCompletedSteps_data()
{
    QTest::addColumn<Variant>("variant");
    QTest::addColumn<int>("result");
    QTest::newRow("same code") << Variant::Original << 7;
    QTest::newRow("a step added after the recorded ones") << Variant::Appended << 15;
}

void TestFlowContext::replayOfTheSameCodeSkipsCompletedSteps()
{
    QFETCH(Variant, variant);
    QFETCH(int, result);
    const qint64 id = runOriginalAndRequeue();
    QVERIFY(id > 0);
    m_probe.variant = variant;
    m_probe.failLastStep = false;
    FlowExecutor executor(*m_log, m_registry, m_clock, u"worker-2"_s);
    ERGON_AWAIT_OUTCOME(outcome, executor.run(id));
    QCOMPARE(outcome.status, FlowStatus::Completed);
    QCOMPARE(outcome.result, QJsonValue(result));
    QCOMPARE(m_probe.runs.value(u"a"_s), 1);
    QCOMPARE(m_probe.runs.value(u"b"_s), 1);
    QCOMPARE(m_probe.runs.value(u"c"_s), 2);
    QCOMPARE(m_probe.runs.value(u"d"_s), variant == Variant::Appended ? 1 : 0);
}

void TestFlowContext::changedCodeIsNonDeterministic_data()
{
    QTest::addColumn<Variant>("variant");
    QTest::addColumn<int>("version");
    QTest::addColumn<QStringList>("mentions");  // what the error must name
    QTest::addColumn<QStringList>("bodiesRun"); // step bodies that ran in the replay (none should)

    QTest::newRow("renamed step") << Variant::Renamed << 1 << QStringList{u"'b'"_s, u"'x'"_s, u"position 2"_s}
                                  << QStringList();
    QTest::newRow("swapped steps") << Variant::Swapped << 1 << QStringList{u"'a'"_s, u"'b'"_s, u"position 1"_s}
                                   << QStringList();
    QTest::newRow("removed step") << Variant::Removed << 1 << QStringList{u"'b'"_s, u"'c'"_s, u"position 2"_s}
                                  << QStringList();
    QTest::newRow("other input") << Variant::InputChanged << 1 << QStringList{u"'b'"_s, u"input"_s} << QStringList();
    QTest::newRow("renamed in a new version")
        << Variant::Renamed << 2 << QStringList{u"'b'"_s, u"'x'"_s, u"version 1"_s, u"version 2"_s} << QStringList();
}

void TestFlowContext::changedCodeIsNonDeterministic()
{
    QFETCH(Variant, variant);
    QFETCH(int, version);
    QFETCH(QStringList, mentions);
    QFETCH(QStringList, bodiesRun);

    const qint64 id = runOriginalAndRequeue();
    QVERIFY(id > 0);
    ERGON_TRY(stepsBefore, m_log->steps(id, true));
    const QString recorded = describe(stepsBefore);
    const QHash<QString, int> runsBefore = m_probe.runs;

    // The flow's code changes (a new build, a different branch taken) before it is replayed.
    m_probe.variant = variant;
    m_probe.failLastStep = false;
    if (version != 1)
        ERGON_VERIFY_OK(registerOrdered(version));
    FlowExecutor executor(*m_log, m_registry, m_clock, u"worker-2"_s);
    ERGON_AWAIT_OUTCOME(outcome, executor.run(id));

    QCOMPARE(outcome.status, FlowStatus::Failed);
    ERGON_TRY(flow, m_log->flow(id));
    QCOMPARE(flow->status, FlowStatus::Failed);
    for (const QString &error : {outcome.error, flow->error}) {
        QVERIFY2(error.contains(u"non-determini"_s, Qt::CaseInsensitive), qPrintable(error));
        for (const QString &mention : mentions)
            QVERIFY2(error.contains(mention), qPrintable(u"'%1' not in: %2"_s.arg(mention, error)));
    }
    if (variant == Variant::InputChanged) {
        // Both inputs are identified, and differently.
        const QRegularExpression inputs(u"input ([0-9a-f]{8})"_s);
        auto matches = inputs.globalMatch(outcome.error);
        QStringList hashes;
        while (matches.hasNext())
            hashes.append(matches.next().captured(1));
        QCOMPARE(hashes.size(), 2);
        QVERIFY(hashes[0] != hashes[1]);
    }

    // Nothing was run for the diverging code, and the log keeps what it recorded.
    QHash<QString, int> expectedRuns = runsBefore;
    for (const QString &name : bodiesRun)
        ++expectedRuns[name];
    QCOMPARE(m_probe.runs, expectedRuns);
    ERGON_TRY(stepsAfter, m_log->steps(id, true));
    QCOMPARE(describe(stepsAfter), recorded);
}

void TestFlowContext::repeatedStepNamesHaveOccurrences()
{
    FlowTypeInfo info;
    info.name = u"test.repeat"_s;
    class RepeatFlow final : public Flow
    {
    public:
        QCoro::Task<QJsonValue> run(FlowContext &ctx) override
        {
            qint64 sum = 0;
            for (int i = 1; i <= 3; ++i) {
                auto body = [i]() { return qint64(i * 10); };
                sum += co_await ctx.step(u"poll"_s, body);
                auto other = [i]() { return qint64(i); };
                sum += co_await ctx.step(u"log"_s, other);
            }
            co_return sum;
        }
    };
    ERGON_VERIFY_OK(m_registry.add(info, [](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
        return std::unique_ptr<Flow>(std::make_unique<RepeatFlow>());
    }));
    FlowExecutor executor(*m_log, m_registry, m_clock);
    ERGON_AWAIT_OUTCOME(outcome, executor.runNew(u"test.repeat"_s, {}));
    QCOMPARE(outcome.status, FlowStatus::Completed);
    QCOMPARE(outcome.result, QJsonValue(66));
    ERGON_TRY(steps, m_log->steps(outcome.flowId, false));
    QCOMPARE(steps.size(), 6);
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(steps[i].seq, i);
        QCOMPARE(steps[i].name, i % 2 ? u"log"_s : u"poll"_s);
        QCOMPARE(steps[i].occurrence, i / 2);
    }
}

QTEST_GUILESS_MAIN(TestFlowContext)
#include "tst_flowcontext.moc"
