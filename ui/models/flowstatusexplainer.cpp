#include "models/flowstatusexplainer.h"

#include "models/consoleformat.h"
#include "models/flowformat.h"

#include "ergon/flowregistry.h"

#include <QCoreApplication>

namespace ergon {

namespace {

using Kind = FlowStatusExplanation::Kind;

// The texts' translation context, as lupdate sees it too (a tr() of our own in a namespace would
// file them under the namespace's name, where the console would never look them up).
struct Text {
    Q_DECLARE_TR_FUNCTIONS(FlowStatusExplainer)
};

QString quoted(const QString &name)
{
    return QStringLiteral("‘%1’").arg(name);
}

QString firstLine(const QString &text)
{
    return text.section(QLatin1Char('\n'), 0, 0).trimmed();
}

// "in 3 min 12 s (at 14:03:12)" for a time ahead, "since 5 s" for a time passed.
QString until(const QDateTime &time, const QDateTime &now)
{
    return Text::tr("in %1 (at %2)").arg(style::duration(now, time), flowformat::time(time, now.toLocalTime().date()));
}

QString ago(const QDateTime &time, const QDateTime &now)
{
    return style::duration(time, now);
}

const WorkerRecord *findWorker(const QList<WorkerRecord> &workers, const QString &name)
{
    for (const WorkerRecord &worker : workers) {
        if (worker.name == name)
            return &worker;
    }
    return nullptr;
}

int aliveWorkers(const QList<WorkerRecord> &workers, const QDateTime &now)
{
    int alive = 0;
    for (const WorkerRecord &worker : workers)
        alive += effectiveStatus(worker, now) == WorkerStatus::Alive ? 1 : 0;
    return alive;
}

const StepRecord *lastStep(const QList<StepRecord> &steps, bool (*matches)(const StepRecord &))
{
    for (auto it = steps.crbegin(); it != steps.crend(); ++it) {
        if (matches(*it))
            return &*it;
    }
    return nullptr;
}

FlowStatusExplanation make(Kind kind, QString text, QDateTime until = {})
{
    return FlowStatusExplanation{kind, std::move(text), std::move(until)};
}

FlowStatusExplanation explainFailed(const FlowRecord &flow, const QList<StepRecord> &steps,
                                    const FlowRegistry *registry)
{
    const StepRecord *failed =
        lastStep(steps, [](const StepRecord &step) { return step.status == StepStatus::Failed; });
    if (!failed) {
        const QString error = firstLine(flow.error);
        const QString what = error.isEmpty() ? Text::tr("Failed.") : Text::tr("Failed: %1").arg(error);
        const RetryAdvice advice = retryAdvice(flow, steps, registry);
        return make(Kind::Failed, advice.reason.isEmpty() ? what : what + QLatin1Char(' ') + advice.reason);
    }
    const int attempts = failed->attempts - failed->retryBase;
    return make(Kind::Failed,
                Text::tr("Failed in step %1 after %2 %3; Retry failed step runs it again.")
                    .arg(quoted(failed->name))
                    .arg(attempts)
                    .arg(attempts == 1 ? Text::tr("attempt") : Text::tr("attempts")));
}

FlowStatusExplanation explainWaiting(const FlowRecord &flow, const QList<StepRecord> &steps,
                                     const QList<WorkerRecord> &workers, const QDateTime &now)
{
    const StepRecord *timer = lastStep(steps, [](const StepRecord &step) {
        return step.kind == StepKind::Timer && step.status != StepStatus::Completed && step.nextAttemptAt.isValid();
    });
    const QDateTime fireAt = timer ? timer->nextAttemptAt : flow.runAt;
    if (fireAt.isValid() && fireAt > now) {
        if (timer)
            return make(Kind::Timer,
                        Text::tr("Waiting on timer %1, fires %2.").arg(quoted(timer->name), until(fireAt, now)),
                        fireAt);
        return make(Kind::Timer, Text::tr("Waiting, resumes %1.").arg(until(fireAt, now)), fireAt);
    }
    const QString what = timer
        ? Text::tr("Timer %1 fired %2 ago").arg(quoted(timer->name), ago(fireAt, now))
        : Text::tr("Due to resume since %1").arg(ago(fireAt.isValid() ? fireAt : flow.updated, now));
    if (aliveWorkers(workers, now) == 0)
        return make(Kind::NoWorker, Text::tr("%1, but no worker is alive to resume it.").arg(what), fireAt);
    return make(Kind::Timer, Text::tr("%1; the next worker to look for work resumes it.").arg(what), fireAt);
}

FlowStatusExplanation explainRunning(const FlowRecord &flow, const QList<StepRecord> &steps,
                                     const QList<WorkerRecord> &workers, const QDateTime &now)
{
    const QString owner = flow.leaseOwner;
    const WorkerRecord *worker = owner.isEmpty() ? nullptr : findWorker(workers, owner);
    const bool leaseExpired = flow.leaseExpires.isValid() && flow.leaseExpires <= now;
    const QString takeover = leaseExpired
        ? Text::tr("its lease expired %1 ago; the next worker to look for work takes it over")
              .arg(ago(flow.leaseExpires, now))
        : Text::tr("another worker takes it over when its lease expires %1").arg(until(flow.leaseExpires, now));

    if (worker && effectiveStatus(*worker, now) != WorkerStatus::Alive) {
        const QString how =
            effectiveStatus(*worker, now) == WorkerStatus::Stopped ? Text::tr("stopped") : Text::tr("was lost");
        return make(Kind::WorkerLost,
                    Text::tr("Its worker %1 %2 (last heartbeat %3 ago); %4.")
                        .arg(quoted(owner), how, ago(worker->heartbeat, now), takeover),
                    flow.leaseExpires);
    }
    if (leaseExpired) {
        return make(Kind::LeaseExpired,
                    Text::tr("Held by %1, whose lease expired %2 ago; the next worker to look for work takes it over.")
                        .arg(quoted(owner.isEmpty() ? Text::tr("nobody") : owner), ago(flow.leaseExpires, now)),
                    flow.leaseExpires);
    }

    const StepRecord *retrying =
        lastStep(steps, [](const StepRecord &step) { return step.status == StepStatus::Retrying; });
    if (retrying && retrying->nextAttemptAt.isValid()) {
        const QString error = firstLine(retrying->error);
        QString text = retrying->nextAttemptAt > now
            ? Text::tr("Backing off until %1 (in %2): step %3 failed attempt %4")
                  .arg(flowformat::time(retrying->nextAttemptAt, now.toLocalTime().date()),
                       style::duration(now, retrying->nextAttemptAt), quoted(retrying->name))
                  .arg(retrying->attempts)
            : Text::tr("Retrying step %1 after attempt %2 failed").arg(quoted(retrying->name)).arg(retrying->attempts);
        if (!error.isEmpty())
            text += QStringLiteral(": ") + error;
        return make(Kind::Backoff, text + QLatin1Char('.'), retrying->nextAttemptAt);
    }

    if (!flow.runStarted.isValid()) {
        return make(Kind::Prefetched,
                    Text::tr("Prefetched by %1, waiting in its queue for a free slot.").arg(quoted(owner)),
                    flow.leaseExpires);
    }

    const StepRecord *running = lastStep(steps, [](const StepRecord &step) {
        return step.kind == StepKind::Step && step.status == StepStatus::Running;
    });
    if (running) {
        const QDateTime since = running->attemptStarted.isValid() ? running->attemptStarted : running->started;
        QString text =
            Text::tr("Running step %1 on %2 for %3").arg(quoted(running->name), quoted(owner), ago(since, now));
        if (running->attempts > 1)
            text += Text::tr(" (attempt %1)").arg(running->attempts);
        return make(Kind::Running, text + QLatin1Char('.'));
    }
    return make(Kind::Running, Text::tr("Running on %1 for %2.").arg(quoted(owner), ago(flow.runStarted, now)));
}

FlowStatusExplanation explainPending(const FlowRecord &flow, const QList<WorkerRecord> &workers, const QDateTime &now)
{
    if (flow.runAt.isValid() && flow.runAt > now)
        return make(Kind::Scheduled, Text::tr("Pending, due %1.").arg(until(flow.runAt, now)), flow.runAt);
    const QDateTime due = flow.runAt.isValid() ? flow.runAt : flow.created;
    const int alive = aliveWorkers(workers, now);
    if (alive == 0)
        return make(Kind::NoWorker, Text::tr("Due for %1, but no worker is alive to run it.").arg(ago(due, now)), due);
    return make(Kind::Queued,
                Text::tr("Queued for %1 (priority %2), waiting for a free slot on %3 %4.")
                    .arg(ago(due, now))
                    .arg(flow.priority)
                    .arg(alive)
                    .arg(alive == 1 ? Text::tr("worker") : Text::tr("workers")),
                due);
}

} // namespace

FlowStatusExplanation explainFlowStatus(const FlowRecord &flow, const QList<StepRecord> &steps,
                                        const QList<WorkerRecord> &workers, const FlowRegistry *registry,
                                        const QDateTime &now)
{
    switch (flow.status) {
    case FlowStatus::Completed:
    case FlowStatus::Cancelled:
        return {};
    case FlowStatus::Failed:
        return explainFailed(flow, steps, registry);
    case FlowStatus::Pending:
    case FlowStatus::Running:
    case FlowStatus::Waiting:
        break;
    }
    if (registry && !registry->contains(flow.type)) {
        return make(Kind::UnknownType,
                    Text::tr("No loaded plugin has type %1: only a worker that loads it can run this flow.")
                        .arg(quoted(flow.type)));
    }
    switch (flow.status) {
    case FlowStatus::Pending:
        return explainPending(flow, workers, now);
    case FlowStatus::Waiting:
        return explainWaiting(flow, steps, workers, now);
    default:
        return explainRunning(flow, steps, workers, now);
    }
}

QString failedStepName(const QList<StepRecord> &steps)
{
    const StepRecord *failed =
        lastStep(steps, [](const StepRecord &step) { return step.status == StepStatus::Failed; });
    return failed ? failed->name : QString();
}

RetryAdvice retryAdvice(const FlowRecord &flow, const QList<StepRecord> &steps, const FlowRegistry *registry)
{
    if (flow.status != FlowStatus::Failed)
        return {false, Text::tr("Only a failed flow is retried.")};
    if (!failedStepName(steps).isEmpty())
        return {true, {}};
    const FlowTypeInfo *info = registry ? registry->info(flow.type) : nullptr;
    if (!info) {
        return {true,
                Text::tr("No step failed: the flow's own code did. A retry runs that code again; it helps only if the "
                         "workers now load a fixed %1.")
                    .arg(quoted(flow.type))};
    }
    if (info->version == flow.typeVersion) {
        return {false,
                Text::tr("No step failed: the flow's own code did, after its steps completed. A retry would replay "
                         "them and run the same code (%1 version %2) again, which fails the same way. Fix the "
                         "flow type and load it with a new version, then retry.")
                    .arg(quoted(flow.type))
                    .arg(flow.typeVersion)};
    }
    return {true,
            Text::tr("No step failed: the flow's own code did, in version %1; %2 is loaded now at version %3, "
                     "whose code a retry runs.")
                .arg(flow.typeVersion)
                .arg(quoted(flow.type))
                .arg(info->version)};
}

} // namespace ergon
