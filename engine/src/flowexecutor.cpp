#include "ergon/flowexecutor.h"

#include "flowrun_p.h"

#include "ergon/clock.h"
#include "ergon/executionlog.h"
#include "ergon/flowregistry.h"
#include "ergon/steperror.h"

namespace ergon {

using detail::ExecutorCore;
using detail::FlowAborted;
using detail::FlowRun;
using detail::FlowSuspended;

namespace {

FlowOutcome outcomeOf(const FlowRecord &record)
{
    FlowOutcome outcome;
    outcome.flowId = record.id;
    outcome.status = record.status;
    outcome.error = record.error;
    if (auto result = fromJsonText(record.resultJson); result)
        outcome.result = *result;
    return outcome;
}

/// Counts a run in flight for as long as it lives.
struct InFlightGuard {
    explicit InFlightGuard(ExecutorCore &core)
        : core(core)
    {
        ++core.inFlight;
    }
    ~InFlightGuard() { --core.inFlight; }
    ExecutorCore &core;
};

// Drives one claimed flow to its end, a park on a timer, or an abort. The FlowRun is held by
// this coroutine's frame, so the flow's own coroutines never outlive their state.
QCoro::Task<FlowOutcome> drive(std::shared_ptr<FlowRun> run)
{
    FlowOutcome outcome;
    outcome.flowId = run->record().id;
    QJsonValue result;
    std::optional<QString> failure;
    std::optional<FlowAborted> abort;
    std::optional<FlowSuspended> suspended;
    try {
        result = co_await run->flow().run(run->context());
    } catch (const FlowAborted &aborted) {
        abort = aborted;
    } catch (const FlowSuspended &parked) {
        suspended = parked;
    } catch (const NonDeterminismError &error) {
        failure = error.message();
    } catch (const StepFailed &error) {
        failure = QString::fromUtf8(error.what());
    } catch (const std::exception &error) {
        failure = QStringLiteral("the flow threw: %1").arg(QString::fromUtf8(error.what()));
    } catch (...) {
        failure = QStringLiteral("the flow threw an unknown exception");
    }

    if (abort) {
        outcome.status = FlowStatus::Running;
        outcome.interrupted = true;
        outcome.error = abort->reason;
        if (abort->handBack && !run->core().stopped) {
            FlowUpdate handBack = run->flowUpdate(FlowStatus::Pending);
            handBack.runAt = handBack.updated;
            handBack.releaseLease = true;
            try {
                co_await run->commitFlow(std::move(handBack));
                outcome.status = FlowStatus::Pending;
            } catch (const FlowAborted &) {
                // The lease was lost meanwhile: whoever holds the flow now carries on.
            }
        }
        co_return outcome;
    }
    if (suspended) {
        outcome.status = FlowStatus::Waiting;
        outcome.wakeAt = suspended->wakeAt;
        co_return outcome;
    }
    if (run->core().stopped) {
        outcome.interrupted = true;
        outcome.error = QStringLiteral("the executor stopped");
        co_return outcome;
    }

    FlowUpdate update = run->flowUpdate(failure ? FlowStatus::Failed : FlowStatus::Completed);
    update.releaseLease = true;
    if (failure)
        update.error = *failure;
    else
        update.resultJson = toJsonText(result);
    try {
        co_await run->commitFlow(std::move(update));
    } catch (const FlowAborted &aborted) {
        outcome.status = FlowStatus::Running;
        outcome.interrupted = true;
        outcome.error = aborted.reason;
        co_return outcome;
    }
    outcome.status = failure ? FlowStatus::Failed : FlowStatus::Completed;
    outcome.error = failure.value_or(QString());
    outcome.result = failure ? QJsonValue() : result;
    co_return outcome;
}

/// `preclaimed`: the flow as ExecutionLog::claimDueStarted() took it for this owner; null to
/// claim it here.
QCoro::Task<Result<FlowOutcome>> runFlow(std::shared_ptr<ExecutorCore> core, qint64 flowId,
                                         std::unique_ptr<ClaimedFlow> preclaimed = nullptr)
{
    InFlightGuard inFlight(*core);
    if (core->stopped)
        co_return Error(QStringLiteral("the executor stopped"), QStringLiteral("aborted"));
    GroupCommitter::Outcome claimed;
    claimed.claimed = std::move(preclaimed);
    const QDateTime now = core->clock.now();
    if (!claimed.claimed) {
        // The claim joins the group commit of this event-loop turn and returns the row:
        // starting many flows costs one transaction, and a fresh flow no read at all.
        LogBatch claim;
        claim.claims.append(FlowClaim{flowId, core->owner, now, now.addMSecs(core->leaseDuration.count())});
        claimed = co_await core->committer.commit(flowId, std::move(claim));
        if (!claimed.status)
            co_return claimed.status.error();
    }
    if (!claimed.claimed) {
        auto found = core->log.flow(flowId);
        if (!found)
            co_return found.error();
        if (!found->has_value())
            co_return Error(QStringLiteral("no flow with id %1").arg(flowId), QStringLiteral("not-found"));
        const FlowRecord &record = **found;
        if (isFinished(record.status)) {
            FlowOutcome finished = outcomeOf(record);
            finished.ranHere = false;
            co_return finished;
        }
        co_return Error(QStringLiteral("flow %1 cannot be run now: it is %2%3")
                            .arg(flowId)
                            .arg(toString(record.status),
                                 record.leaseOwner.isEmpty()
                                     ? (record.runAt > now ? QStringLiteral(" until %1").arg(record.runAt.toString(Qt::ISODate))
                                                           : QString())
                                     : QStringLiteral(" and held by %1").arg(record.leaseOwner)),
                        QStringLiteral("not-claimable"));
    }
    FlowRecord record = std::move(claimed.claimed->record);
    QList<StepRecord> recorded;
    if (claimed.claimed->steps) {
        recorded = std::move(*claimed.claimed->steps);
    } else if (claimed.claimed->hasSteps) {
        auto steps = core->log.steps(flowId);
        if (!steps)
            co_return steps.error();
        recorded = steps.take();
    }

    const FlowTypeInfo *type = core->registry.info(record.type);
    auto flow = core->registry.create(record.type, record.arguments);
    if (!flow) {
        // An unknown type may be loaded later: hand the flow back untouched. Bad arguments will
        // not get better: the flow fails.
        FlowUpdate update;
        update.flowId = flowId;
        update.leaseOwner = core->owner;
        update.updated = core->clock.now();
        update.releaseLease = true;
        FlowOutcome outcome;
        outcome.flowId = flowId;
        outcome.error = flow.error().message();
        if (!type) {
            update.status = FlowStatus::Pending;
            update.runAt = update.updated;
            outcome.status = FlowStatus::Pending;
            outcome.interrupted = true;
            outcome.error = QStringLiteral("no loaded plugin has flow type '%1'").arg(record.type);
        } else {
            update.status = FlowStatus::Failed;
            update.error = flow.error().message();
            outcome.status = FlowStatus::Failed;
        }
        LogBatch batch;
        batch.flows.append(update);
        const auto written = core->log.write(batch);
        if (!written)
            co_return written.error();
        co_return outcome;
    }

    record.status = FlowStatus::Running;
    auto run = std::make_shared<FlowRun>(core, std::move(record), std::move(recorded), type->version, flow.take());
    co_return co_await drive(std::move(run));
}

} // namespace

FlowExecutor::FlowExecutor(ExecutionLog &log, const FlowRegistry &registry, Clock &clock, QString ownerName)
    : m_core(std::make_shared<ExecutorCore>(log, registry, clock, std::move(ownerName)))
{
}

FlowExecutor::~FlowExecutor()
{
    // As a crash would: nothing more is written; suspended flows unwind when next resumed.
    m_core->stopped = true;
    m_core->committer.abort(QStringLiteral("the executor stopped"));
}

void FlowExecutor::setLeaseDuration(std::chrono::milliseconds duration)
{
    m_core->leaseDuration = duration;
}

void FlowExecutor::setWaitForTimers(bool wait)
{
    m_core->waitForTimers = wait;
}

void FlowExecutor::drain()
{
    m_core->draining = true;
}

void FlowExecutor::setMaxBatchSize(int rows)
{
    m_core->committer.setMaxBatchRows(rows);
}

QCoro::Task<Result<FlowOutcome>> FlowExecutor::runNew(QString type, QJsonObject arguments)
{
    std::shared_ptr<ExecutorCore> core = m_core;
    auto validated = core->registry.validate(type, arguments);
    if (!validated)
        co_return validated.error();
    // Build it once before storing it: arguments its constructor refuses are the caller's
    // error too, and nothing is stored (constructors do no work, so this costs nothing).
    if (auto built = core->registry.create(type, *validated); !built)
        co_return built.error();
    NewFlow flow;
    flow.type = type;
    flow.typeVersion = core->registry.info(type)->version;
    flow.arguments = validated.take();
    auto ids = core->log.scheduleFlows({flow}, core->clock.now());
    if (!ids)
        co_return ids.error();
    co_return co_await runFlow(core, ids->first());
}

QCoro::Task<Result<FlowOutcome>> FlowExecutor::run(qint64 flowId)
{
    return runFlow(m_core, flowId);
}

QCoro::Task<Result<FlowOutcome>> FlowExecutor::runClaimed(ClaimedFlow flow)
{
    const qint64 flowId = flow.record.id;
    return runFlow(m_core, flowId, std::make_unique<ClaimedFlow>(std::move(flow)));
}

int FlowExecutor::inFlight() const
{
    return m_core->inFlight;
}

qint64 FlowExecutor::commits() const
{
    return m_core->committer.commits();
}

qint64 FlowExecutor::committedRows() const
{
    return m_core->committer.committedRows();
}

} // namespace ergon
