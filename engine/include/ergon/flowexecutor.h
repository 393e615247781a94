#pragma once

#include "claimfilter.h"
#include "logbatch.h"
#include "records.h"
#include "result.h"

#include <QCoroTask>
#include <QJsonObject>
#include <QJsonValue>

#include <chrono>
#include <memory>

namespace ergon {

class Clock;
class ExecutionLog;
class FlowRegistry;

namespace detail {
struct ExecutorCore;
}

/// How one run of a flow ended.
struct FlowOutcome {
    qint64 flowId = 0;
    FlowStatus status = FlowStatus::Pending;
    QJsonValue result; ///< when completed
    QString error;     ///< when failed, or why the run stopped early
    QDateTime wakeAt;  ///< when waiting: the timer's fire time, or the signal wait's timeout (invalid: none)
    /// False when this call ran nothing because the flow had already finished elsewhere.
    bool ranHere = true;
    /// The run stopped without a verdict: the executor was destroyed, the lease was lost, the
    /// flow was cancelled, or its type is not loaded. The flow stays in the log for a later run.
    bool interrupted = false;
    /// When interrupted by a failed write: the kind of its error (Error::kind(), e.g. "full" for
    /// a full disk, "corrupt" for a damaged file), for callers that act on it.
    QString errorKind;
};

/// Runs flows on the calling thread against one ExecutionLog, replaying what the log holds.
/// This is the direct way of the seed's quick start, and the core every worker runs on.
///
/// Any number of run() calls may be in flight at once; their writes are grouped into shared
/// transactions (group commit). Destroying the executor abandons the flows it runs exactly as a
/// crash would: nothing more is written, and a later run resumes them from the log.
class FlowExecutor
{
public:
    FlowExecutor(ExecutionLog &log, const FlowRegistry &registry, Clock &clock,
                 QString ownerName = QStringLiteral("direct"));
    ~FlowExecutor();
    FlowExecutor(const FlowExecutor &) = delete;
    FlowExecutor &operator=(const FlowExecutor &) = delete;

    /// How long a claim lasts without renewal (default 60 s).
    void setLeaseDuration(std::chrono::milliseconds duration);
    /// When true (the default here), a durable timer is awaited in this process; when false the
    /// flow is parked as waiting and the run returns, for a timer service to re-queue it.
    void setWaitForTimers(bool wait);
    /// Upper bound of rows in one grouped transaction.
    void setMaxBatchSize(int rows);
    /// From now on, each running flow stops before its next step (a safe point: the step in
    /// progress is committed first) and goes back to the queue for another worker.
    void drain();

    /// Validates the arguments, stores a new flow and runs it to its end.
    [[nodiscard]] QCoro::Task<Result<FlowOutcome>> runNew(QString type, QJsonObject arguments);
    /// Claims a stored flow and runs it: completed steps are replayed from the log. The flow
    /// may be leased to this executor's owner already (prefetched, stolen, leased by a timer's
    /// tick), or free to claim; the claim joins the group commit of this event-loop turn.
    [[nodiscard]] QCoro::Task<Result<FlowOutcome>> run(qint64 flowId);
    /// Claims and starts up to `limit` due flows of `types` for this executor's owner, in one
    /// transaction (a worker's free slots), for runClaimed().
    Result<QList<ClaimedFlow>> claimDue(int limit, const ClaimFilter &types = {});
    /// Runs a flow that claimDue() took: the same as run(), without claiming it again.
    [[nodiscard]] QCoro::Task<Result<FlowOutcome>> runClaimed(ClaimedFlow flow);

    /// Flows running now.
    int inFlight() const;
    /// Transactions and rows written so far (for benchmarks and the console).
    qint64 commits() const;
    qint64 committedRows() const;

private:
    std::shared_ptr<detail::ExecutorCore> m_core;
};

} // namespace ergon
