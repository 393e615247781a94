#pragma once

#include "records.h"

#include <QHash>
#include <QList>
#include <QSet>

#include <optional>

namespace ergon {

/// A change to one flow's row, applied only while the writer still holds the flow: its lease
/// owner matches and it is still running. A refused update (lease lost, flow cancelled) also
/// drops the batch's step and attempt writes of that flow.
struct FlowUpdate {
    qint64 flowId = 0;
    QString leaseOwner; ///< the guard: the owner the writer believes it is
    FlowStatus status = FlowStatus::Running;
    QByteArray resultJson; ///< set when completed
    QString error;         ///< set when failed
    QDateTime runAt;       ///< next due time when it goes back to the queue or waits
    QDateTime updated;
    bool releaseLease = false; ///< clears owner and expiry (finished, waiting, handed back)
};

/// Takes a flow for a run (the start of FlowExecutor::run): succeeds if the flow is pending and
/// due, waiting and due, running under an expired lease, or already leased to the owner.
struct FlowClaim {
    qint64 flowId = 0;
    QString owner;
    QDateTime now;
    QDateTime leaseUntil;
};

/// A claimed flow as it is now, and whether the log holds steps of it to replay.
struct ClaimedFlow {
    FlowRecord record;
    bool hasSteps = false;
    /// The steps to replay, when the log read them in the claim's own transaction (SQLite and
    /// in-memory do; otherwise the executor reads them after the claim).
    std::optional<QList<StepRecord>> steps;
};

/// A flow's wait for a signal (FlowContext::waitForSignal()), settled in the commit under the
/// flow's lease: the oldest pending signal of the step's name is taken and the step completes
/// with its payload; else, once the step's timeout (nextAttemptAt) has passed, it completes as
/// timed out; else the step is written open and the flow parks, waiting, due at the timeout (or
/// never), its lease released. Looking for the signal and parking are one transaction, so a
/// signal sent meanwhile is never missed: its sender sees the flow waiting and makes it due.
struct SignalWait {
    StepRecord step; ///< the wait step, open; step.worker is the guard (as for steps)
    QDateTime now;
};

/// How a SignalWait was settled: parked, or completed with the step's stored result
/// ({"payload": …} or {"timeout": true}).
struct SettledWait {
    bool parked = false;
    QByteArray resultJson;
};

/// What a commit did besides writing: the flows it refused to write for (lease lost, cancelled)
/// and the flows it claimed.
struct WriteOutcome {
    QSet<qint64> refused;
    QHash<qint64, ClaimedFlow> claimed;
    QHash<qint64, SettledWait> settled; ///< the batch's signal waits, by flow
};

/// One failed attempt of one step, appended to its step's history. (The last attempt of a
/// completed step lives in the step's own row: one row per step when nothing fails.)
struct AttemptWrite {
    qint64 flowId = 0;
    int seq = 0;
    AttemptRecord attempt;
};

/// Everything one commit writes, for any number of flows; BatchCommitter::commit() applies it in
/// one transaction. The GroupCommitter merges the batches of concurrent flows into one.
///
/// Order within the transaction: claims, then steps and attempts, then signal waits, then flow
/// updates. A step is
/// written only while its worker (StepRecord::worker, the writer) holds the flow running; a
/// refused step makes the flow refused for the rest of the batch. A completed step is never
/// overwritten.
struct LogBatch {
    QList<FlowClaim> claims;
    QList<StepRecord> steps;
    QList<AttemptWrite> attempts;
    QList<SignalWait> signalWaits;
    QList<FlowUpdate> flows;

    bool isEmpty() const
    {
        return claims.isEmpty() && flows.isEmpty() && steps.isEmpty() && attempts.isEmpty() && signalWaits.isEmpty();
    }
    qsizetype size() const
    {
        return claims.size() + flows.size() + steps.size() + attempts.size() + signalWaits.size();
    }
    void append(LogBatch &&other);
};

} // namespace ergon
