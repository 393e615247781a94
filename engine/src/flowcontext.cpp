#include "ergon/flowcontext.h"

#include "flowrun_p.h"

#include "ergon/clock.h"
#include "ergon/steperror.h"

#include <QCryptographicHash>

namespace ergon {

using detail::FlowAborted;
using detail::FlowRun;
using detail::FlowSuspended;

FlowContext::FlowContext(FlowRun &run)
    : m_run(run)
{
}

qint64 FlowContext::flowId() const
{
    return m_run.record().id;
}

QString FlowContext::flowType() const
{
    return m_run.record().type;
}

QString FlowContext::workerName() const
{
    return m_run.core().owner;
}

int FlowContext::attempt() const
{
    return m_run.currentAttempt;
}

Clock &FlowContext::clock() const
{
    return m_run.core().clock;
}

void FlowContext::throwUndecodable(const QString &stepName, const Error &error)
{
    throw StepFailed(stepName, QStringLiteral("its stored result cannot be decoded: %1").arg(error.message()));
}

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
} // namespace

QCoro::Task<QJsonValue> FlowContext::runStep(const QString &name, const StepOptions &options, detail::BodyRef body)
{
    FlowRun &run = m_run;
    Clock &clock = run.core().clock;
    StepRecord step = run.beginStep(name, StepKind::Step, hashInput(options.input));
    if (step.status == StepStatus::Completed) {
        auto stored = fromJsonText(step.resultJson);
        if (!stored)
            throwUndecodable(name, stored.error());
        co_return *stored;
    }
    // A step that was backing off when its flow stopped waits out the rest of its delay.
    if (step.status == StepStatus::Retrying && step.nextAttemptAt.isValid()) {
        co_await clock.sleepFor(until(clock, step.nextAttemptAt));
        run.ensureAlive();
    }

    for (;;) {
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

        attempt.finished = clock.now();
        step.attempts = attempt.number;
        step.worker = attempt.worker;
        step.attemptStarted = attempt.started;
        if (!step.started.isValid())
            step.started = attempt.started;

        // One durable point for success and failure alike: every co_await of a write takes
        // room of its own in this frame, which every running step holds.
        StepRecord written;
        std::optional<AttemptRecord> failedAttempt; // a success lives in the step's own row
        bool retry = false;
        std::chrono::milliseconds delay{0};
        if (!failure) {
            step.status = StepStatus::Completed;
            step.resultJson = toJsonText(value);
            step.error.clear();
            step.finished = attempt.finished;
            step.nextAttemptAt = QDateTime();
            written = std::move(step);
        } else {
            attempt.error = failure->kind == QLatin1String("error")
                ? failure->message
                : QStringLiteral("%1: %2").arg(failure->kind, failure->message);
            const int usedBudget = attempt.number - step.retryBase;
            retry = options.retry.isRetryable(failure->kind) && usedBudget < options.retry.maxAttempts;
            delay = options.retry.delayBefore(usedBudget + 1);
            step.error = attempt.error;
            if (retry) {
                step.status = StepStatus::Retrying;
                step.nextAttemptAt = attempt.finished.addMSecs(delay.count());
            } else {
                step.status = StepStatus::Failed;
                step.finished = attempt.finished;
                step.nextAttemptAt = QDateTime();
            }
            written = step; // the next attempt goes on from it
            failedAttempt = attempt;
        }
        co_await run.commitStep(std::move(written), std::move(failedAttempt));
        if (!failure)
            co_return value;
        if (!retry)
            throw StepFailed(name, attempt.error);
        co_await clock.sleepFor(delay);
        run.ensureAlive();
    }
}

QCoro::Task<> FlowContext::sleep(QString name, std::chrono::milliseconds duration)
{
    return sleepUntil(std::move(name), m_run.core().clock.now().addMSecs(duration.count()));
}

QCoro::Task<> FlowContext::sleepUntil(QString name, QDateTime fireAt)
{
    FlowRun &run = m_run;
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
            FlowUpdate waiting = run.flowUpdate(FlowStatus::Waiting);
            waiting.runAt = fireAt;
            waiting.releaseLease = true;
            co_await run.commitFlow(std::move(waiting), timer);
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

} // namespace ergon
