// The step algorithm of a run: replay, attempts, retries and durable timers. FlowContext (the
// flow's view, in the flow-authoring library) reaches it through detail::FlowRuntime.
#include "execution/flowrun_p.h"

#include "ergon/clock.h"
#include "ergon/jsontext.h"
#include "ergon/steperror.h"

#include <QCryptographicHash>
#include <QJsonObject>

namespace ergon {
namespace detail {

namespace {
/// The recorded result of a completed step, replayed (plain code: out of runStep()'s frame).
QJsonValue storedResult(const QString &name, const StepRecord &step)
{
    auto stored = fromJsonText(step.resultJson);
    if (!stored)
        throwUndecodable(name, stored.error());
    return stored.take();
}
} // namespace

namespace {
struct AttemptFailure {
    QString kind;
    QString message;
};

QByteArray hashInput(const std::optional<QJsonValue> &input)
{
    if (!input)
        return {};
    return QCryptographicHash::hash(toJsonText(*input), QCryptographicHash::Sha1).toHex();
}

std::chrono::milliseconds until(const Clock &clock, const QDateTime &time)
{
    return std::chrono::milliseconds(std::max<qint64>(0, clock.now().msecsTo(time)));
}

enum class AttemptVerdict { Completed, Retrying, Failed };

/// Records an attempt's end in its step (plain code, kept out of the coroutine's frame).
AttemptVerdict settleAttempt(StepRecord &step, AttemptRecord &attempt, const std::optional<AttemptFailure> &failure,
                             const QJsonValue &value, const RetryPolicy &retry, const Clock &clock)
{
    attempt.finished = clock.now();
    step.attempts = attempt.number;
    step.worker = attempt.worker;
    step.attemptStarted = attempt.started;
    if (!step.started.isValid())
        step.started = attempt.started;
    if (!failure) {
        step.status = StepStatus::Completed;
        step.resultJson = toJsonText(value);
        step.error.clear();
        step.finished = attempt.finished;
        step.nextAttemptAt = QDateTime();
        return AttemptVerdict::Completed;
    }
    attempt.error = failure->kind == QLatin1String("error")
        ? failure->message
        : QStringLiteral("%1: %2").arg(failure->kind, failure->message);
    step.error = attempt.error;
    const int usedBudget = attempt.number - step.retryBase;
    // A policy out of its range is not followed (its delays could not be honoured): the step
    // fails at its first error, and says why.
    if (const auto policy = retry.check(); !policy) {
        attempt.error +=
            QStringLiteral(" (not retried: the step's retry policy is invalid: %1)").arg(policy.errorString());
        step.error = attempt.error;
    } else if (retry.isRetryable(failure->kind) && usedBudget < retry.maxAttempts) {
        step.status = StepStatus::Retrying;
        step.nextAttemptAt = attempt.finished.addMSecs(retry.delayBefore(usedBudget + 1).count());
        return AttemptVerdict::Retrying;
    }
    step.status = StepStatus::Failed;
    step.finished = attempt.finished;
    step.nextAttemptAt = QDateTime();
    return AttemptVerdict::Failed;
}

/// The durable write of a settled attempt. A success lives in the step's own row (the step is
/// done with, so it moves); a failure also appends the attempt, and the step goes on to the
/// next attempt.
DurableWrite writeAttempt(FlowRun &run, StepRecord &step, const AttemptRecord &attempt, AttemptVerdict verdict)
{
    if (verdict == AttemptVerdict::Completed)
        return run.commitStep(std::move(step), std::nullopt);
    return run.commitStep(step, attempt);
}
} // namespace

QCoro::Task<QJsonValue> FlowRun::runStep(const QString &name, const StepOptions &options, BodyRef body)
{
    FlowRun &run = *this;
    Clock &clock = run.core().clock;
    StepRecord step = run.beginStep(name, StepKind::Step, hashInput(options.input));
    if (step.status == StepStatus::Completed)
        co_return storedResult(name, step);

    for (;;) {
        // Backing off: after a failed attempt, or when the flow stopped in the middle of a
        // delay, the rest of it. (One wait for both: every co_await takes room in the frame.)
        if (step.status == StepStatus::Retrying && step.nextAttemptAt.isValid()) {
            co_await clock.sleepFor(until(clock, step.nextAttemptAt));
            run.ensureAlive();
        }
        AttemptRecord attempt;
        attempt.number = step.attempts + 1;
        attempt.started = clock.now();
        attempt.worker = run.core().owner;
        run.currentAttempt = attempt.number;

        QJsonValue value;
        std::optional<AttemptFailure> failure;
        try {
            if (body.returnsTask())
                value = co_await body.callTask();
            else
                value = body.callValue();
        } catch (const FlowAborted &) {
            throw;
        } catch (const FlowSuspended &) {
            throw;
        } catch (const StepError &error) {
            failure = AttemptFailure{error.kind(), error.message()};
        } catch (const std::exception &error) {
            failure = AttemptFailure{QStringLiteral("error"), QString::fromUtf8(error.what())};
        } catch (...) {
            failure = AttemptFailure{QStringLiteral("error"), QStringLiteral("unknown exception")};
        }
        run.ensureAlive();

        const AttemptVerdict verdict = settleAttempt(step, attempt, failure, value, options.retry, clock);
        // The write is built by a plain function, outside the co_await: GCC keeps the
        // temporaries of a co_await expression in the coroutine frame, and a step is large.
        co_await writeAttempt(run, step, attempt, verdict);
        if (verdict == AttemptVerdict::Completed)
            co_return value;
        if (verdict == AttemptVerdict::Failed)
            throw StepFailed(name, attempt.error);
    }
}

QCoro::Task<> FlowRun::sleepUntil(QString name, QDateTime fireAt)
{
    FlowRun &run = *this;
    Clock &clock = run.core().clock;
    StepRecord timer = run.beginStep(name, StepKind::Timer, {});
    if (timer.status == StepStatus::Completed)
        co_return;
    // The first run fixes the fire time; a replay keeps it, whatever the argument says now.
    if (timer.nextAttemptAt.isValid())
        fireAt = timer.nextAttemptAt;

    if (clock.now() < fireAt) {
        timer.status = StepStatus::Running;
        timer.nextAttemptAt = fireAt;
        if (!timer.started.isValid())
            timer.started = clock.now();
        timer.worker = run.core().owner;
        if (!run.core().waitForTimers) {
            // Park the flow: it holds no worker slot and no coroutine until the timer is due.
            // The run writes the park once the flow's coroutine has unwound to it, so that a
            // flow that swallows this exception is caught holding its lease (see FlowRun::park).
            run.park(std::move(timer), fireAt);
            throw FlowSuspended{fireAt};
        }
        co_await run.commitStep(timer, std::nullopt);
        while (clock.now() < fireAt) {
            co_await clock.sleepFor(until(clock, fireAt));
            run.ensureAlive();
        }
    }
    timer.status = StepStatus::Completed;
    timer.finished = clock.now();
    timer.worker = run.core().owner;
    co_await run.commitStep(std::move(timer), std::nullopt);
}

namespace {
/// What a settled signal wait returns: the payload of {"payload": …}, nothing for {"timeout": true}.
std::optional<QJsonValue> signalOutcome(const QString &name, const QByteArray &resultJson)
{
    auto stored = fromJsonText(resultJson);
    if (!stored)
        throwUndecodable(name, stored.error());
    const QJsonObject outcome = stored->toObject();
    if (outcome.value(QLatin1String("timeout")).toBool())
        return std::nullopt;
    return outcome.value(QLatin1String("payload"));
}

/// Opens the wait step for its commit; the first run fixes its timeout, a replay keeps it.
void openSignalWait(FlowRun &run, StepRecord &wait, std::optional<std::chrono::milliseconds> timeout)
{
    const QDateTime now = run.core().clock.now();
    if (!wait.started.isValid()) {
        wait.started = now;
        if (timeout)
            wait.nextAttemptAt = now.addMSecs(std::max<qint64>(0, timeout->count()));
    }
    wait.status = StepStatus::Running;
    wait.worker = run.core().owner;
}
} // namespace

QCoro::Task<std::optional<QJsonValue>> FlowRun::waitForSignal(QString name,
                                                              std::optional<std::chrono::milliseconds> timeout)
{
    FlowRun &run = *this;
    StepRecord wait = run.beginStep(name, StepKind::Signal, {});
    if (wait.status == StepStatus::Completed)
        co_return signalOutcome(name, wait.resultJson);
    openSignalWait(run, wait, timeout);
    const QDateTime due = wait.nextAttemptAt;
    // Taking a pending signal and parking are one commit: a signal stored meanwhile finds the
    // flow waiting and makes it due (see SignalWait).
    const SettledWait settled = co_await run.settleSignalWait(std::move(wait));
    if (!settled.parked)
        co_return signalOutcome(name, settled.resultJson);
    // Parked: the flow holds no slot and no coroutine until a signal or its timeout.
    run.parkedOnSignal(name);
    throw FlowSuspended{due, true};
}

} // namespace detail
} // namespace ergon
