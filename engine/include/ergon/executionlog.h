#pragma once

#include "claimfilter.h"
#include "clock.h"
#include "logbatch.h"
#include "records.h"
#include "result.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QSet>

#include <chrono>
#include <functional>
#include <optional>

namespace ergon {

/// Which flows to list, newest first, a page at a time.
struct FlowQuery {
    std::optional<FlowStatus> status;
    QString type;
    QString text; ///< matched against the id and the arguments' text
    /// When set, only these flows (in any order; ids not in the log are ignored), combined with
    /// the filters above. A search that found its flows elsewhere (FlowTextMirror) lists them
    /// this way; an empty list lists nothing.
    std::optional<QList<qint64>> ids;
    int limit = 100;
    int offset = 0;
};

/// What one tick of a timer service did (see WorkQueue::fireAndClaimDue()).
struct FiredTimers {
    int fired = 0;         ///< timers marked fired by this call
    QList<qint64> claimed; ///< flows leased to the caller, earliest due first
};

/// A flow's id and its arguments exactly as stored (JSON text): what a text search looks in.
struct FlowText {
    qint64 id = 0;
    QByteArray arguments;
};

/// A signal stored by FlowIntake::sendSignal().
struct SignalSent {
    qint64 id = 0;
    /// The flow was waiting for a signal of that name and is due now: worth waking a worker.
    bool woke = false;
};

/// The log's reads: what the console's readers, the CLI's reading verbs, a search mirror and a
/// run's replay look at. Nothing here writes.
class FlowReader
{
public:
    virtual ~FlowReader() = default;

    /// Where the log lives, for messages ("orders.db", "memory").
    virtual QString location() const = 0;

    virtual Result<std::optional<FlowRecord>> flow(qint64 id) = 0;
    /// The flow's steps in run order; with attempts, each carries its attempt history.
    virtual Result<QList<StepRecord>> steps(qint64 flowId, bool withAttempts = false) = 0;
    virtual Result<QList<FlowRecord>> flows(const FlowQuery &query) = 0;
    virtual Result<QMap<FlowStatus, qint64>> countByStatus() = 0;
    /// The stored arguments of up to `limit` flows with an id above `afterId`, by id ascending:
    /// what a search mirror loads a batch at a time. A flow's id and arguments never change
    /// once it is scheduled, so a mirror only ever needs the flows after the last it holds.
    virtual Result<QList<FlowText>> flowTexts(qint64 afterId, int limit) = 0;
    /// Every run of every worker, by name, then by run (oldest first).
    virtual Result<QList<WorkerRecord>> workers() = 0;
    /// Pending durable timers, earliest first.
    virtual Result<QList<TimerRecord>> pendingTimers(int limit) = 0;
    virtual Result<QList<StealRecord>> steals(int limit) = 0;
    /// The signals sent to the flow, oldest first: pending ones, and delivered ones with the wait
    /// step that took each.
    virtual Result<QList<SignalRecord>> flowSignals(qint64 flowId) = 0;
};

/// Where new flows and signals enter the log: FlowScheduler, and FlowExecutor::runNew().
class FlowIntake
{
public:
    virtual ~FlowIntake() = default;

    /// Stores a signal for a flow that has not finished, and in the same transaction makes the
    /// flow due now if it waits for a signal of that name (a flow that does not wait for it yet
    /// finds it when it does). `payloadJson` is JSON text. Refused with kind "not-found" for an
    /// unknown flow and "finished" for a finished one ("flow 12 is already completed").
    virtual Result<SignalSent> sendSignal(qint64 flowId, const QString &name, const QByteArray &payloadJson,
                                          const QDateTime &now) = 0;

    /// Stores new flows as pending, in one transaction, and returns their ids in order. A flow
    /// whose idempotency key is already stored is not added again: its existing id is returned.
    virtual Result<QList<qint64>> scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now) = 0;
};

/// The work queue as a worker and its timer service see it: leasing flows, keeping and handing
/// back leases, stealing, and timers falling due. A flow leased here is started by a FlowClaim
/// in a commit (BatchCommitter), or leased and started at once by claimDueStarted().
class WorkQueue
{
public:
    virtual ~WorkQueue() = default;

    /// Atomically leases up to `limit` claimable flows to the owner, highest priority first, then
    /// earliest due, without starting them (a worker's prefetch). Returns their ids in that order.
    /// With `types`, only flows of those types, scheduled by the same plugins (ClaimFilter): a
    /// worker takes only what it can run, and runs it with the plugin that scheduled it.
    virtual Result<QList<qint64>> claimDue(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil,
                                           int limit, const ClaimFilter &types = {}) = 0;
    /// claimDue() for flows to run at once: leases up to `limit` claimable flows to the owner
    /// and marks their runs started, in claim order, and returns each as a FlowClaim in a
    /// commit would (the row, and the steps to replay where the log reads them). A started
    /// flow cannot be stolen. ExecutionLog's default: claimDue(), then one commit() that
    /// claims them (two transactions).
    virtual Result<QList<ClaimedFlow>> claimDueStarted(const QString &owner, const QDateTime &now,
                                                       const QDateTime &leaseUntil, int limit,
                                                       const ClaimFilter &types = {}) = 0;
    /// Extends the leases of every flow the owner holds; returns how many it holds.
    virtual Result<int> renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil) = 0;
    /// Hands the owner's flows back to the queue (all of them, or only those not started yet).
    virtual Result<int> releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted) = 0;
    /// Work stealing: moves up to `limit` prefetched, not-started flows from the worker with the
    /// longest such queue (other than the thief) to the thief, recording each steal.
    virtual Result<QList<StealRecord>> stealFlows(const QString &thief, const QDateTime &now,
                                                  const QDateTime &leaseUntil, int limit,
                                                  const ClaimFilter &types = {}) = 0;
    /// Queued flows (pending or waiting) that fall due after `now` and no later than `horizon`,
    /// earliest first, as (id, due time): what a timer service arms itself with.
    virtual Result<QList<std::pair<qint64, QDateTime>>> upcoming(const QDateTime &now, const QDateTime &horizon,
                                                                 int limit) = 0;

    /// The timer service's tick: marks every due, unfired timer of a waiting flow as fired at
    /// `now`, in one statement, and returns how many. Each fires once (a second call finds it
    /// fired); its flow, due since the same moment, waits to be claimed for the rest of its run.
    /// A backend without it returns 0: its timers fire when their flow is replayed.
    virtual Result<int> fireDueTimers(const QDateTime &now)
    {
        Q_UNUSED(now);
        return 0;
    }
    /// fireDueTimers() and, in the same transaction, leases up to `limit` of the due waiting
    /// flows (those whose timers have fired, now or before; of `types` when given) to the
    /// owner for `leaseDuration`, as claimDue() does: highest priority first, then earliest
    /// due. The worker whose timer service fires takes the flows it has room for straight
    /// away, before any flow that has not started, without another claim; the rest wait for
    /// any worker's claimDue(). With a limit of 0 it only fires.
    /// "Now" is read from `clock` once the write lock is held, so that the fire time recorded
    /// in the timers and their steps is when they really fired, any wait for the lock
    /// included.
    /// Default: fireDueTimers(), then claimDue() (which may also take pending flows), in two
    /// transactions.
    virtual Result<FiredTimers> fireAndClaimDue(const QString &owner, const Clock &clock,
                                                std::chrono::milliseconds leaseDuration, int limit,
                                                const ClaimFilter &types = {})
    {
        const QDateTime now = clock.now();
        const QDateTime leaseUntil = now.addMSecs(leaseDuration.count());
        FiredTimers result;
        auto fired = fireDueTimers(now);
        if (!fired)
            return fired.error();
        result.fired = *fired;
        auto claimed = claimDue(owner, now, leaseUntil, limit, types);
        if (!claimed)
            return claimed.error();
        result.claimed = claimed.take();
        return result;
    }

    /// The database server's own time, for logs shared by many hosts (one round trip). Every
    /// method takes `now` from its caller and compares stored times with it as given; a worker
    /// that asks this aligns its clock with the server's, so that leases and due times are
    /// judged by one clock whatever the hosts' clocks say. Default: none (the log has no clock
    /// of its own, e.g. a file every process on one host shares).
    virtual std::optional<QDateTime> serverNow() { return std::nullopt; }
    /// Asks to be told when another connection stores work that may be due (new flows, a retry,
    /// a timer fired by hand, flows handed back), with the earliest due time when known (else
    /// an invalid time). Called on this log's thread, from its event loop. Default: never
    /// called (workers poll).
    virtual void setWorkListener(std::function<void(const QDateTime &due)> listener) { (void)listener; }
};

/// A worker's own row: its runs, heartbeats and counters (the console reads them through
/// FlowReader::workers()).
class WorkerRegistry
{
public:
    virtual ~WorkerRegistry() = default;

    /// Adds a row for a new run of the worker (its id is ignored) and returns the run's id. The
    /// rows of earlier runs of the same name stay, with their counters: the history of each run.
    virtual Result<qint64> registerWorker(const WorkerRecord &worker) = 0;
    /// Updates the run's heartbeat and counters (the run `worker.id`; with an id of 0, the
    /// latest run of `worker.name`), and marks as lost every alive worker whose heartbeat is
    /// older than its own lease duration at `now` (see effectiveStatus()).
    virtual Result<void> heartbeat(const WorkerRecord &worker, const QDateTime &now) = 0;
    /// Writes the run's counters alone (in flight, completed, failed; the run chosen as by
    /// heartbeat()): one small write, which a worker makes at most every
    /// WorkerConfig::countersInterval between its heartbeats, so that the counters others
    /// read are current without a write per flow.
    virtual Result<void> updateWorkerCounters(const WorkerRecord &worker) = 0;
};

/// The runs' writes: a thread's GroupCommitter applies every batch through this, claims
/// included.
class BatchCommitter
{
public:
    virtual ~BatchCommitter() = default;

    /// Applies a batch in one transaction (see LogBatch for the order and the guards).
    virtual Result<WriteOutcome> commit(const LogBatch &batch) = 0;
    /// commit(), for callers that only want the flows refused.
    Result<QSet<qint64>> write(const LogBatch &batch)
    {
        auto outcome = commit(batch);
        if (!outcome)
            return outcome.error();
        return outcome->refused;
    }
};

/// What an operator does to the log (the CLI's and the console's commands), and its upkeep.
class LogAdministration
{
public:
    virtual ~LogAdministration() = default;

    /// Re-queues a failed flow. Its failed step (or the named one, which must have failed) gets
    /// a fresh retry budget; completed steps stay and are replayed from the log.
    virtual Result<void> retryFlow(qint64 id, const QString &stepName, const QDateTime &now) = 0;
    /// Cancels a flow that has not finished. A running flow stops at its next step.
    virtual Result<void> cancelFlow(qint64 id, const QDateTime &now) = 0;
    /// Makes a waiting flow's timer due now.
    virtual Result<void> fireTimerNow(qint64 flowId, const QDateTime &now) = 0;
    /// Deletes the rows of the given runs that are not alive at `now` (stopped, or lost: see
    /// effectiveStatus()) and returns how many it deleted; runs still alive are kept. Their
    /// steals stay in steals(). A lost worker that comes back after being forgotten is listed
    /// again only from its next run.
    virtual Result<int> forgetWorkers(const QList<qint64> &runs, const QDateTime &now) = 0;
    /// After an error of kind "full" (the disk holding the log is full): gives back what the log
    /// can of the space its own files hold, and keeps them small from then on, so that the
    /// little space freed is enough to go on. Default: nothing to give back.
    virtual Result<void> reclaimSpace() { return {}; }
};

/// The durable record of flows, steps, attempts and timers: every role above in one connection,
/// which every storage backend implements and the conformance suite checks. Callers take the
/// role they use (a reader a FlowReader, the scheduler a FlowIntake, a group committer a
/// BatchCommitter); whoever opens the connection holds it as an ExecutionLog.
///
/// An ExecutionLog object is a connection: it belongs to the thread that opened it and is used
/// from that thread only. Open one per thread (see openExecutionLog()). Calls are synchronous;
/// the engine keeps them off the GUI thread and batches writes through the GroupCommitter.
class ExecutionLog : public FlowReader,
                     public FlowIntake,
                     public WorkQueue,
                     public WorkerRegistry,
                     public BatchCommitter,
                     public LogAdministration
{
public:
    ~ExecutionLog() override = default;

    /// WorkQueue::claimDueStarted() as claimDue(), then one commit() that claims them: two
    /// transactions, for a backend without a claim that does both in one.
    Result<QList<ClaimedFlow>> claimDueStarted(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil,
                                               int limit, const ClaimFilter &types = {}) override
    {
        auto ids = claimDue(owner, now, leaseUntil, limit, types);
        if (!ids)
            return ids.error();
        LogBatch batch;
        for (const qint64 id : std::as_const(*ids))
            batch.claims.append(FlowClaim{id, owner, now, leaseUntil});
        auto written = commit(batch);
        if (!written)
            return written.error();
        QList<ClaimedFlow> claimed;
        for (const qint64 id : std::as_const(*ids)) {
            if (auto found = written->claimed.find(id); found != written->claimed.end())
                claimed.append(std::move(*found));
        }
        return claimed;
    }
};

} // namespace ergon
