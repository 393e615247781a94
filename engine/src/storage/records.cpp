#include "ergon/records.h"
#include "ergon/logbatch.h"

#include <array>

namespace ergon {

namespace {
template<typename Enum, size_t N>
std::optional<Enum> fromName(const std::array<const char *, N> &names, const QString &text)
{
    for (size_t i = 0; i < N; ++i) {
        if (text == QLatin1String(names[i]))
            return Enum(i);
    }
    return std::nullopt;
}

constexpr std::array<const char *, 6> flowStatusNames{"pending",   "running", "waiting",
                                                      "completed", "failed",  "cancelled"};
constexpr std::array<const char *, 4> stepStatusNames{"running", "retrying", "completed", "failed"};
constexpr std::array<const char *, 3> stepKindNames{"step", "timer", "signal"};
constexpr std::array<const char *, 3> workerStatusNames{"alive", "lost", "stopped"};
} // namespace

QString toString(FlowStatus status)
{
    return QLatin1String(flowStatusNames[size_t(status)]);
}

QString toString(StepStatus status)
{
    return QLatin1String(stepStatusNames[size_t(status)]);
}

QString toString(StepKind kind)
{
    return QLatin1String(stepKindNames[size_t(kind)]);
}

std::optional<FlowStatus> flowStatusFromString(const QString &text)
{
    return fromName<FlowStatus>(flowStatusNames, text);
}

std::optional<StepStatus> stepStatusFromString(const QString &text)
{
    return fromName<StepStatus>(stepStatusNames, text);
}

std::optional<StepKind> stepKindFromString(const QString &text)
{
    return fromName<StepKind>(stepKindNames, text);
}

QString toString(WorkerStatus status)
{
    return QLatin1String(workerStatusNames[size_t(status)]);
}

std::optional<WorkerStatus> workerStatusFromString(const QString &text)
{
    return fromName<WorkerStatus>(workerStatusNames, text);
}

void completeAttemptLog(StepRecord &step)
{
    if (step.kind != StepKind::Step || step.status != StepStatus::Completed || step.attempts <= 0)
        return;
    for (const AttemptRecord &attempt : std::as_const(step.attemptLog)) {
        if (attempt.number == step.attempts)
            return;
    }
    AttemptRecord last;
    last.number = step.attempts;
    last.started = step.attemptStarted.isValid() ? step.attemptStarted : step.started;
    last.finished = step.finished;
    last.worker = step.worker;
    step.attemptLog.append(last);
}

QDateTime neverDue()
{
    static const QDateTime never = QDateTime::fromMSecsSinceEpoch(253'402'300'799'999, Qt::UTC);
    return never;
}

bool isNeverDue(const QDateTime &time)
{
    return time.isValid() && time >= neverDue();
}

WorkerStatus effectiveStatus(const WorkerRecord &worker, const QDateTime &now)
{
    if (worker.status == WorkerStatus::Alive && worker.heartbeat.msecsTo(now) > worker.leaseMs)
        return WorkerStatus::Lost;
    return worker.status;
}

void LogBatch::append(LogBatch &&other)
{
    claims.append(std::move(other.claims));
    flows.append(std::move(other.flows));
    steps.append(std::move(other.steps));
    attempts.append(std::move(other.attempts));
    signalWaits.append(std::move(other.signalWaits));
}

} // namespace ergon
