// RetryPolicy: the back-off arithmetic, and retries as FlowContext::step() performs them, timed
// exactly on a FakeClock and recorded attempt by attempt; manual retry through the log.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/flowcontext.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowregistry.h>
#include <ergon/retrypolicy.h>
#include <ergon/steperror.h>

#include <QTest>

Q_DECLARE_METATYPE(ergon::RetryPolicy)

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

/// Steers the flaky flow and records what its step saw.
struct FlakyProbe {
    RetryPolicy policy;
    int failUntilAttempt = 0;            ///< attempts 1 … this one fail
    QString kind = u"error"_s;           ///< "error": a plain exception; otherwise a StepError of this kind
    std::chrono::milliseconds work{250}; ///< how long each attempt takes on the fake clock
    FakeClock *clock = nullptr;
    QList<int> attemptsSeen; ///< ctx.attempt() inside each attempt
};

QString failureMessage(int attempt)
{
    return u"boom %1"_s.arg(attempt);
}

/// "test.flaky": one step, "call", that fails until a given attempt.
class FlakyFlow final : public Flow
{
public:
    explicit FlakyFlow(FlakyProbe &probe)
        : m_probe(probe)
    {
    }

    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        auto call = [this, &ctx]() -> QString {
            const int attempt = ctx.attempt();
            m_probe.attemptsSeen.append(attempt);
            m_probe.clock->advance(m_probe.work);
            if (attempt <= m_probe.failUntilAttempt) {
                if (m_probe.kind == u"error"_s)
                    throw std::runtime_error(failureMessage(attempt).toStdString());
                throw StepError(m_probe.kind, failureMessage(attempt));
            }
            return u"ok after %1"_s.arg(attempt);
        };
        const auto options = StepOptions::withRetry(m_probe.policy);
        co_return co_await ctx.step(u"call"_s, options, call);
    }

private:
    FlakyProbe &m_probe;
};

QList<std::chrono::milliseconds> millis(const QList<int> &values)
{
    QList<std::chrono::milliseconds> list;
    for (int value : values)
        list.append(std::chrono::milliseconds(value));
    return list;
}

QString text(const QList<std::chrono::milliseconds> &delays)
{
    QStringList parts;
    for (auto delay : delays)
        parts.append(QString::number(delay.count()));
    return parts.join(u", "_s);
}

RetryPolicy policy(int maxAttempts, int initialMs, double multiplier, int maxDelayMs)
{
    RetryPolicy policy;
    policy.maxAttempts = maxAttempts;
    policy.initialDelay = std::chrono::milliseconds(initialMs);
    policy.multiplier = multiplier;
    policy.maxDelay = std::chrono::milliseconds(maxDelayMs);
    return policy;
}

} // namespace

class TestRetryPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void presets();
    void readablePolicies();
    void delayBefore_data();
    void delayBefore();
    void isRetryable();

    // Through a running flow, against every backend.
    void initTestCase_data();
    void init();
    void cleanup();
    void retriesFollowThePolicy_data();
    void retriesFollowThePolicy();
    void nonRetryableErrorStopsAtOnce_data();
    void nonRetryableErrorStopsAtOnce();
    void manualRetryGivesAFreshBudget_data();
    void manualRetryGivesAFreshBudget();

private:
    FakeClock &clock() { return *m_clock; }

    std::unique_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;
    std::unique_ptr<FakeClock> m_clock; // fresh per test: sleeps() keeps every sleep
    FlakyProbe m_probe;
    FlowRegistry m_registry;
};

void TestRetryPolicy::presets()
{
    const RetryPolicy none = RetryPolicy::none();
    QCOMPARE(none.maxAttempts, 1);

    const RetryPolicy standard = RetryPolicy::standard();
    QCOMPARE(standard.maxAttempts, 3);
    QCOMPARE(standard.initialDelay.count(), 1000);
    QCOMPARE(standard.multiplier, 2.0);
    QVERIFY(standard.nonRetryableErrorKinds.isEmpty());

    const RetryPolicy aggressive = RetryPolicy::aggressive();
    QCOMPARE(aggressive.maxAttempts, 10);
    QCOMPARE(aggressive.initialDelay.count(), 100);
    QCOMPARE(aggressive.multiplier, 1.5);

    // Every step retries with the standard policy unless told otherwise.
    QVERIFY(StepOptions().retry == RetryPolicy::standard());
}

void TestRetryPolicy::readablePolicies()
{
    // Each builder sets what it names and keeps the rest.
    const RetryPolicy three = RetryPolicy::attempts(3);
    QCOMPARE(three, RetryPolicy::standard());
    QCOMPARE(RetryPolicy::attempts(7).maxAttempts, 7);
    QCOMPARE(RetryPolicy::attempts(7).initialDelay, RetryPolicy::standard().initialDelay);

    const RetryPolicy built = RetryPolicy::attempts(10).backoff(100ms, 1.5).cappedAt(1min);
    QCOMPARE(built, RetryPolicy::aggressive());
    QCOMPARE(RetryPolicy::attempts(4).backoff(250ms).multiplier, 2.0);

    const RetryPolicy strict = RetryPolicy::attempts(5).nonRetryable({u"auth"_s}).backoff(10ms, 3.0);
    RetryPolicy expected = policy(5, 10, 3.0, 300000);
    expected.nonRetryableErrorKinds = {u"auth"_s};
    QCOMPARE(strict, expected);
    QVERIFY(!strict.isRetryable(u"auth"_s));
    QCOMPARE(strict.delayBefore(3).count(), 30);

    QCOMPARE(StepOptions::withRetry(built).retry, built);
    QVERIFY(!StepOptions::withRetry(built).input.has_value());
    QCOMPARE(StepOptions::withRetry(built).withInput(QJsonValue(4)).input, std::optional<QJsonValue>(QJsonValue(4)));
}

void TestRetryPolicy::delayBefore_data()
{
    QTest::addColumn<RetryPolicy>("policy");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<int>("expectedMs");

    const RetryPolicy standard = RetryPolicy::standard();
    QTest::newRow("standard #1") << standard << 1 << 0;
    QTest::newRow("standard #2") << standard << 2 << 1000;
    QTest::newRow("standard #3") << standard << 3 << 2000;
    QTest::newRow("standard #4") << standard << 4 << 4000;
    const RetryPolicy aggressive = RetryPolicy::aggressive();
    QTest::newRow("aggressive #1") << aggressive << 1 << 0;
    QTest::newRow("aggressive #2") << aggressive << 2 << 100;
    QTest::newRow("aggressive #3") << aggressive << 3 << 150;
    QTest::newRow("aggressive #4") << aggressive << 4 << 225;
    QTest::newRow("aggressive #5 (337.5 rounds up)") << aggressive << 5 << 338;
    QTest::newRow("aggressive #10") << aggressive << 10 << 2563;
    QTest::newRow("none #2") << RetryPolicy::none() << 2 << 0;
    const RetryPolicy capped = policy(10, 1000, 10.0, 5000);
    QTest::newRow("capped #2") << capped << 2 << 1000;
    QTest::newRow("capped #3 hits maxDelay") << capped << 3 << 5000;
    QTest::newRow("capped #9 stays at maxDelay") << capped << 9 << 5000;
    QTest::newRow("standard #20 capped at 5 min") << standard << 20 << 300000;
    QTest::newRow("no growth") << policy(5, 700, 1.0, 60000) << 5 << 700;
}

void TestRetryPolicy::delayBefore()
{
    QFETCH(RetryPolicy, policy);
    QFETCH(int, attempt);
    QFETCH(int, expectedMs);
    QCOMPARE(policy.delayBefore(attempt).count(), qint64(expectedMs));
}

void TestRetryPolicy::isRetryable()
{
    RetryPolicy policy = RetryPolicy::standard();
    QVERIFY(policy.isRetryable(u"error"_s));
    QVERIFY(policy.isRetryable(u"validation"_s));
    policy.nonRetryableErrorKinds = {u"validation"_s, u"auth"_s};
    QVERIFY(!policy.isRetryable(u"validation"_s));
    QVERIFY(!policy.isRetryable(u"auth"_s));
    QVERIFY(policy.isRetryable(u"error"_s));
    QVERIFY(policy.isRetryable(u"timeout"_s));
}

void TestRetryPolicy::initTestCase_data()
{
    addBackendRows();
}

void TestRetryPolicy::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fixture = makeLogFixture(backend);
    QVERIFY(m_fixture);
    ERGON_TRY(log, m_fixture->open());
    m_log = std::move(log);
    m_clock = std::make_unique<FakeClock>();
    m_probe = FlakyProbe();
    m_probe.clock = m_clock.get();
    m_registry = FlowRegistry();
    FlowTypeInfo info;
    info.name = u"test.flaky"_s;
    ERGON_VERIFY_OK(m_registry.add(info, [this](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
        return std::unique_ptr<Flow>(std::make_unique<FlakyFlow>(m_probe));
    }));
}

void TestRetryPolicy::cleanup()
{
    m_log.reset();
    m_fixture.reset();
}

void TestRetryPolicy::retriesFollowThePolicy_data()
{
    QTest::addColumn<RetryPolicy>("policy");
    QTest::addColumn<int>("failUntil");
    QTest::addColumn<QList<int>>("expectedSleeps");
    QTest::addColumn<FlowStatus>("expectedStatus");

    const RetryPolicy none = RetryPolicy::none();
    const RetryPolicy standard = RetryPolicy::standard();
    const RetryPolicy aggressive = RetryPolicy::aggressive();
    const int always = 1000;
    QTest::newRow("none, succeeds") << none << 0 << QList<int>{} << FlowStatus::Completed;
    QTest::newRow("none, fails once: no retry") << none << 1 << QList<int>{} << FlowStatus::Failed;
    QTest::newRow("standard, succeeds") << standard << 0 << QList<int>{} << FlowStatus::Completed;
    QTest::newRow("standard, 2nd attempt succeeds") << standard << 1 << QList<int>{1000} << FlowStatus::Completed;
    QTest::newRow("standard, 3rd attempt succeeds") << standard << 2 << QList<int>{1000, 2000} << FlowStatus::Completed;
    QTest::newRow("standard, exhausted") << standard << always << QList<int>{1000, 2000} << FlowStatus::Failed;
    QTest::newRow("aggressive, 5th attempt succeeds")
        << aggressive << 4 << QList<int>{100, 150, 225, 338} << FlowStatus::Completed;
    QTest::newRow("aggressive, exhausted")
        << aggressive << always << QList<int>{100, 150, 225, 338, 506, 759, 1139, 1709, 2563} << FlowStatus::Failed;
    QTest::newRow("maxDelay caps the growth")
        << policy(6, 1000, 10.0, 5000) << always << QList<int>{1000, 5000, 5000, 5000, 5000} << FlowStatus::Failed;
    QTest::newRow("maxDelay below the initial delay")
        << policy(3, 1000, 2.0, 300) << always << QList<int>{300, 300} << FlowStatus::Failed;
}

void TestRetryPolicy::retriesFollowThePolicy()
{
    QFETCH(RetryPolicy, policy);
    QFETCH(int, failUntil);
    QFETCH(QList<int>, expectedSleeps);
    QFETCH(FlowStatus, expectedStatus);

    m_probe.policy = policy;
    m_probe.failUntilAttempt = failUntil;
    const QDateTime start = clock().now();
    FlowExecutor executor(*m_log, m_registry, clock(), u"worker-1"_s);
    ERGON_AWAIT_OUTCOME(outcome, executor.runNew(u"test.flaky"_s, {}));

    const int attempts = expectedSleeps.size() + 1;
    QCOMPARE(outcome.status, expectedStatus);
    QCOMPARE(text(clock().sleeps()), text(millis(expectedSleeps)));
    QList<int> numbers;
    for (int n = 1; n <= attempts; ++n)
        numbers.append(n);
    QCOMPARE(m_probe.attemptsSeen, numbers);

    ERGON_TRY(steps, m_log->steps(outcome.flowId, true));
    QCOMPARE(steps.size(), 1);
    const StepRecord &step = steps.first();
    QCOMPARE(step.name, u"call"_s);
    QCOMPARE(step.attempts, attempts);
    QCOMPARE(step.attemptLog.size(), attempts);

    // Every attempt is kept: start, end, error text, worker; each waits exactly its delay.
    QDateTime expectedStart = start;
    for (int i = 0; i < attempts; ++i) {
        const AttemptRecord &attempt = step.attemptLog.at(i);
        if (i > 0)
            expectedStart = expectedStart.addMSecs(m_probe.work.count() + expectedSleeps.at(i - 1));
        QCOMPARE(attempt.number, i + 1);
        QCOMPARE(attempt.started, expectedStart);
        QCOMPARE(attempt.finished, expectedStart.addMSecs(m_probe.work.count()));
        QCOMPARE(attempt.worker, u"worker-1"_s);
        const bool failed = attempt.number <= failUntil;
        QCOMPARE(attempt.error, failed ? failureMessage(attempt.number) : QString());
    }
    QCOMPARE(step.started, start);
    QCOMPARE(step.finished, step.attemptLog.last().finished);
    QVERIFY(!step.nextAttemptAt.isValid());

    ERGON_TRY(flow, m_log->flow(outcome.flowId));
    QCOMPARE(flow->status, expectedStatus);
    if (expectedStatus == FlowStatus::Completed) {
        QCOMPARE(step.status, StepStatus::Completed);
        QCOMPARE(outcome.result, QJsonValue(u"ok after %1"_s.arg(attempts)));
        QCOMPARE(step.error, QString());
    } else {
        QCOMPARE(step.status, StepStatus::Failed);
        QCOMPARE(step.error, failureMessage(attempts));
        // The flow's error names the step and its last error.
        for (const QString &error : {outcome.error, flow->error}) {
            QVERIFY2(error.contains(u"'call'"_s) && error.contains(failureMessage(attempts)), qPrintable(error));
        }
        QCOMPARE(flow->finished, step.finished);
    }
}

void TestRetryPolicy::nonRetryableErrorStopsAtOnce_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("expectedAttempts");
    QTest::newRow("listed kind: one attempt") << u"validation"_s << 1;
    QTest::newRow("other listed kind") << u"auth"_s << 1;
    QTest::newRow("unlisted kind: retried") << u"timeout"_s << 3;
    QTest::newRow("plain exception: retried") << u"error"_s << 3;
}

void TestRetryPolicy::nonRetryableErrorStopsAtOnce()
{
    QFETCH(QString, kind);
    QFETCH(int, expectedAttempts);

    m_probe.policy = RetryPolicy::standard();
    m_probe.policy.nonRetryableErrorKinds = {u"validation"_s, u"auth"_s};
    m_probe.failUntilAttempt = 1000;
    m_probe.kind = kind;
    FlowExecutor executor(*m_log, m_registry, clock());
    ERGON_AWAIT_OUTCOME(outcome, executor.runNew(u"test.flaky"_s, {}));
    QCOMPARE(outcome.status, FlowStatus::Failed);
    QCOMPARE(m_probe.attemptsSeen.size(), expectedAttempts);
    QCOMPARE(clock().sleeps().size(), expectedAttempts - 1);

    ERGON_TRY(steps, m_log->steps(outcome.flowId, true));
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps.first().status, StepStatus::Failed);
    QCOMPARE(steps.first().attemptLog.size(), expectedAttempts);
    // A StepError's kind is kept with its message, for the console.
    const QString expectedError =
        kind == u"error"_s ? failureMessage(expectedAttempts) : u"%1: %2"_s.arg(kind, failureMessage(expectedAttempts));
    QCOMPARE(steps.first().attemptLog.last().error, expectedError);
    QVERIFY2(outcome.error.contains(expectedError), qPrintable(outcome.error));
}

void TestRetryPolicy::manualRetryGivesAFreshBudget_data()
{
    QTest::addColumn<QString>("stepName");
    QTest::addColumn<int>("failUntil");
    QTest::addColumn<FlowStatus>("statusAfterRetry");
    QTest::newRow("succeeds on the retry's 3rd attempt") << u"call"_s << 5 << FlowStatus::Completed;
    QTest::newRow("succeeds on the retry's 1st attempt") << QString() << 3 << FlowStatus::Completed;
    QTest::newRow("exhausts the retry's budget too") << u"call"_s << 1000 << FlowStatus::Failed;
}

void TestRetryPolicy::manualRetryGivesAFreshBudget()
{
    QFETCH(QString, stepName);
    QFETCH(int, failUntil);
    QFETCH(FlowStatus, statusAfterRetry);

    m_probe.policy = RetryPolicy::standard();
    m_probe.failUntilAttempt = failUntil;
    qint64 id = 0;
    {
        FlowExecutor executor(*m_log, m_registry, clock(), u"worker-1"_s);
        ERGON_AWAIT_OUTCOME(failed, executor.runNew(u"test.flaky"_s, {}));
        QCOMPARE(failed.status, FlowStatus::Failed);
        id = failed.flowId;
    }
    QCOMPARE(m_probe.attemptsSeen, (QList<int>{1, 2, 3}));
    QCOMPARE(text(clock().sleeps()), u"1000, 2000"_s);

    clock().advance(10min); // someone looks at the console, fixes the cause, presses Retry
    ERGON_VERIFY_OK(m_log->retryFlow(id, stepName, clock().now()));
    ERGON_TRY(requeued, m_log->flow(id));
    QCOMPARE(requeued->status, FlowStatus::Pending);

    FlowExecutor executor(*m_log, m_registry, clock(), u"worker-2"_s);
    ERGON_AWAIT_OUTCOME(outcome, executor.run(id));
    QCOMPARE(outcome.status, statusAfterRetry);

    // Attempt numbers continue; the budget and the back-off start again.
    const int retryAttempts = statusAfterRetry == FlowStatus::Completed ? failUntil - 3 + 1 : 3;
    QList<int> seen{1, 2, 3};
    QList<int> sleeps{1000, 2000};
    for (int i = 0; i < retryAttempts; ++i) {
        seen.append(4 + i);
        if (i > 0)
            sleeps.append(i == 1 ? 1000 : 2000);
    }
    QCOMPARE(m_probe.attemptsSeen, seen);
    QCOMPARE(text(clock().sleeps()), text(millis(sleeps)));

    ERGON_TRY(steps, m_log->steps(id, true));
    QCOMPARE(steps.size(), 1);
    const StepRecord &step = steps.first();
    QCOMPARE(step.attempts, 3 + retryAttempts);
    QCOMPARE(step.retryBase, 3);
    QCOMPARE(step.attemptLog.size(), 3 + retryAttempts);
    for (int i = 0; i < step.attemptLog.size(); ++i) {
        QCOMPARE(step.attemptLog[i].number, i + 1);
        QCOMPARE(step.attemptLog[i].worker, i < 3 ? u"worker-1"_s : u"worker-2"_s);
    }
    if (statusAfterRetry == FlowStatus::Completed) {
        QCOMPARE(step.status, StepStatus::Completed);
        QCOMPARE(outcome.result, QJsonValue(u"ok after %1"_s.arg(3 + retryAttempts)));
    } else {
        QCOMPARE(step.status, StepStatus::Failed);
        QCOMPARE(step.error, failureMessage(6));
    }
}

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
