#include "ergon/flowexecutor.h"

#include "execution/flowrun_p.h"

#include "ergon/clock.h"
#include "ergon/executionlog.h"
#include "ergon/flowregistry.h"
#include "ergon/steperror.h"

#include <variant>

namespace ergon {

using detail::ExecutorCore;
using detail::FlowAborted;
using detail::FlowRun;
using detail::FlowSuspended;

namespace {

/// Counts a run in flight, and holds its flow's place in the executor, for as long as it lives.
struct InFlightGuard {
    InFlightGuard(ExecutorCore &core, qint64 flowId)
        : core(core)
        , flowId(flowId)
        , first(!core.running.contains(flowId))
    {
        ++core.inFlight;
        if (first)
            core.running.insert(flowId);
    }
    ~InFlightGuard()
    {
        --core.inFlight;
        if (first)
            core.running.remove(flowId);
    }
    ExecutorCore &core;
    const qint64 flowId;
    const bool first; ///< false: the flow runs here already
};

// The coroutines below keep their cold paths and their bookkeeping in plain functions: GCC
// gives every local of a coroutine, and every temporary of a co_await expression, room in the
// frame that each running flow holds, and frames over 1 KB take glibc's slow allocation path.

/// How a flow's own coroutine ended.
struct RunEnd {
    QJsonValue result;
    std::optional<QString> failure;
    std::optional<FlowAborted> abort;
    std::optional<FlowSuspended> suspended;
};

/// The outcome of a run that ended so, before anything more is written.
FlowOutcome outcomeOfRun(const FlowRun &run, const RunEnd &end)
{
    FlowOutcome outcome;
    outcome.flowId = run.record().id;
    if (end.abort) {
        outcome.status = FlowStatus::Running;
        outcome.interrupted = true;
        outcome.error = end.abort->reason;
        outcome.errorKind = end.abort->kind;
    } else if (end.suspended) {
        outcome.status = FlowStatus::Waiting;
        outcome.wakeAt = end.suspended->wakeAt;
    } else if (run.core().stopped) {
        outcome.interrupted = true;
        outcome.error = QStringLiteral("the executor stopped");
    } else {
        outcome.status = end.failure ? FlowStatus::Failed : FlowStatus::Completed;
        outcome.error = end.failure.value_or(QString());
        outcome.result = end.failure ? QJsonValue() : end.result;
    }
    return outcome;
}

/// What a run writes as it ends: the flow's final state, its park on a timer, or its hand-back
/// to the queue when it stopped at a safe point for a shutdown. Nothing for a flow cut off.
std::optional<FlowUpdate> closingUpdate(const FlowRun &run, const RunEnd &end)
{
    if (end.abort) {
        if (!end.abort->handBack || run.core().stopped)
            return std::nullopt;
        FlowUpdate handBack = run.flowUpdate(FlowStatus::Pending);
        handBack.runAt = handBack.updated;
        handBack.releaseLease = true;
        return handBack;
    }
    if (run.core().stopped)
        return std::nullopt;
    if (end.suspended) {
        if (end.suspended->written)
            return std::nullopt; // a signal wait parked in its own commit
        // The park: the flow's row waits for its timer, written with the timer's step.
        FlowUpdate waiting = run.flowUpdate(FlowStatus::Waiting);
        waiting.runAt = end.suspended->wakeAt;
        waiting.releaseLease = true;
        return waiting;
    }
    FlowUpdate update = run.flowUpdate(end.failure ? FlowStatus::Failed : FlowStatus::Completed);
    update.releaseLease = true;
    if (end.failure)
        update.error = *end.failure;
    else
        update.resultJson = toJsonText(end.result);
    return update;
}

detail::DurableWrite writeClosing(FlowRun &run, FlowUpdate &&update)
{
    return run.commitFlow(std::move(update), run.takeParkedTimer());
}

/// A flow that parked on a timer but whose coroutine ended otherwise caught the suspension
/// (a catch (...) around ctx.sleep()): it is failed, saying so, rather than left half parked.
void failSwallowedSuspension(const FlowRun &run, RunEnd &end)
{
    if (end.suspended)
        return;
    QString swallowed = run.swallowedSuspension();
    if (swallowed.isEmpty())
        return;
    end = RunEnd();
    end.failure = std::move(swallowed);
}

// Drives one claimed flow to its end, a park on a timer, or an abort. The FlowRun is held by
// this coroutine's frame, so the flow's own coroutines never outlive their state.
QCoro::Task<FlowOutcome> drive(std::shared_ptr<FlowRun> run)
{
    RunEnd end;
    try {
        end.result = co_await run->flow().run(run->context());
    } catch (const FlowAborted &aborted) {
        end.abort = aborted;
    } catch (const FlowSuspended &parked) {
        end.suspended = parked;
    } catch (const NonDeterminismError &error) {
        end.failure = error.message();
    } catch (const StepFailed &error) {
        end.failure = QString::fromUtf8(error.what());
    } catch (const std::exception &error) {
        end.failure = QStringLiteral("the flow threw: %1").arg(QString::fromUtf8(error.what()));
    } catch (...) {
        end.failure = QStringLiteral("the flow threw an unknown exception");
    }
    failSwallowedSuspension(*run, end);

    FlowOutcome outcome = outcomeOfRun(*run, end);
    std::optional<FlowUpdate> closing = closingUpdate(*run, end);
    if (!closing)
        co_return outcome;
    try {
        co_await writeClosing(*run, std::move(*closing));
        if (end.abort)
            outcome.status = FlowStatus::Pending; // handed back
    } catch (const FlowAborted &aborted) {
        // The lease was lost meanwhile (or the commit failed): whoever holds the flow now
        // carries on; a hand-back simply did not happen.
        if (!end.abort) {
            outcome.status = FlowStatus::Running;
            outcome.interrupted = true;
            outcome.error = aborted.reason;
            outcome.errorKind = aborted.kind;
            outcome.result = QJsonValue();
            outcome.wakeAt = QDateTime();
        }
    }
    co_return outcome;
}

/// A claimed flow that cannot be built: an unknown type may be loaded later, so the flow goes
/// back untouched; bad arguments will not get better, so it fails. Its outcome, and the write
/// that says so (through the group commit, as every write of a run).
struct Refusal {
    FlowOutcome outcome;
    FlowUpdate update;
};

Refusal refusal(ExecutorCore &core, const FlowRecord &record, bool typeKnown, const Error &why)
{
    Refusal refused;
    FlowUpdate &update = refused.update;
    update.flowId = record.id;
    update.leaseOwner = core.owner;
    update.updated = core.clock.now();
    update.releaseLease = true;
    FlowOutcome &outcome = refused.outcome;
    outcome.flowId = record.id;
    outcome.error = why.message();
    if (!typeKnown) {
        update.status = FlowStatus::Pending;
        update.runAt = update.updated;
        outcome.status = FlowStatus::Pending;
        outcome.interrupted = true;
        outcome.error = QStringLiteral("no loaded plugin has flow type '%1'").arg(record.type);
    } else {
        update.status = FlowStatus::Failed;
        update.error = why.message();
        outcome.status = FlowStatus::Failed;
    }
    return refused;
}

/// The run of a claimed flow, ready to drive; or, when it cannot run, why: an error, or the
/// refusal to write (on the heap: the variant lives in every run's coroutine frame).
using PreparedRun = std::variant<std::shared_ptr<FlowRun>, Error, std::unique_ptr<Refusal>>;

PreparedRun prepareRun(const std::shared_ptr<ExecutorCore> &core, ClaimedFlow &claimed)
{
    auto recorded = core->starter.replaySteps(claimed);
    if (!recorded)
        return recorded.error();
    FlowRecord &record = claimed.record;
    const FlowTypeInfo *type = core->registry.info(record.type);
    auto flow = core->registry.create(record.type, record.arguments);
    if (!flow)
        return std::make_unique<Refusal>(refusal(*core, record, type != nullptr, flow.error()));
    record.status = FlowStatus::Running;
    return std::make_shared<FlowRun>(core, std::move(record), recorded.take(), type->version, flow.take());
}

QCoro::Task<Result<FlowOutcome>> writeRefusal(std::shared_ptr<ExecutorCore> core, std::unique_ptr<Refusal> refused)
{
    LogBatch batch;
    batch.flows.append(std::move(refused->update));
    GroupCommitter::Outcome written = co_await core->committer.commit(refused->outcome.flowId, std::move(batch));
    if (!written.status)
        co_return written.status.error();
    co_return std::move(refused->outcome);
}

/// Every run, however its flow arrived. `claimed`: the flow as FlowStarter::claimDue() took
/// it; null to claim it here, through FlowStarter::claim().
QCoro::Task<Result<FlowOutcome>> runFlow(std::shared_ptr<ExecutorCore> core, qint64 flowId,
                                         std::unique_ptr<ClaimedFlow> claimed = nullptr)
{
    InFlightGuard inFlight(*core, flowId);
    if (core->stopped)
        co_return Error(QStringLiteral("the executor stopped"), QStringLiteral("aborted"));
    if (!inFlight.first) {
        co_return Error(QStringLiteral("flow %1 cannot be run now: it is already running here").arg(flowId),
                        QStringLiteral("not-claimable"));
    }
    if (!claimed) {
        // The claim joins the group commit of this event-loop turn and returns the row:
        // starting many flows costs one transaction, and a fresh flow no read at all.
        GroupCommitter::Outcome committed = co_await core->starter.claim(flowId);
        if (!committed.status)
            co_return committed.status.error();
        if (!committed.claimed)
            co_return core->starter.notClaimed(flowId);
        claimed = std::move(committed.claimed);
    }
    PreparedRun prepared = prepareRun(core, *claimed);
    claimed.reset();
    if (auto *failed = std::get_if<Error>(&prepared))
        co_return std::move(*failed);
    if (auto *refused = std::get_if<std::unique_ptr<Refusal>>(&prepared))
        co_return co_await writeRefusal(core, std::move(*refused));
    co_return co_await drive(std::get<std::shared_ptr<FlowRun>>(std::move(prepared)));
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
    flow.plugin = core->registry.info(type)->plugin;
    flow.arguments = validated.take();
    auto ids = core->intake.scheduleFlows({flow}, core->clock.now());
    if (!ids)
        co_return ids.error();
    co_return co_await runFlow(core, ids->first());
}

QCoro::Task<Result<FlowOutcome>> FlowExecutor::run(qint64 flowId)
{
    return runFlow(m_core, flowId);
}

Result<QList<ClaimedFlow>> FlowExecutor::claimDue(int limit, const ClaimFilter &types)
{
    if (m_core->stopped)
        return Error(QStringLiteral("the executor stopped"), QStringLiteral("aborted"));
    return m_core->starter.claimDue(limit, types);
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
