#pragma once

#include "logbatch.h"
#include "records.h"
#include "result.h"

#include <QList>
#include <QMap>
#include <QSet>

#include <optional>

namespace ergon {

/// Which flows to list, newest first, a page at a time.
struct FlowQuery {
    std::optional<FlowStatus> status;
    QString type;
    QString text;                ///< matched against the id and the arguments' text
    int limit = 100;
    int offset = 0;
};

/// The durable record of flows, steps, attempts and timers: the one interface every storage
/// backend implements and the conformance suite checks.
///
/// An ExecutionLog object is a connection: it belongs to the thread that opened it and is used
/// from that thread only. Open one per thread (see openExecutionLog()). Calls are synchronous;
/// the engine keeps them off the GUI thread and batches writes through the GroupCommitter.
class ExecutionLog
{
public:
    virtual ~ExecutionLog() = default;

    /// Where the log lives, for messages ("orders.db", "memory").
    virtual QString location() const = 0;

    /// Stores new flows as pending, in one transaction, and returns their ids in order. A flow
    /// whose idempotency key is already stored is not added again: its existing id is returned.
    virtual Result<QList<qint64>> scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now) = 0;

    virtual Result<std::optional<FlowRecord>> flow(qint64 id) = 0;
    /// The flow's steps in run order; with attempts, each carries its attempt history.
    virtual Result<QList<StepRecord>> steps(qint64 flowId, bool withAttempts = false) = 0;
    virtual Result<QList<FlowRecord>> flows(const FlowQuery &query) = 0;
    virtual Result<QMap<FlowStatus, qint64>> countByStatus() = 0;

    /// Takes one flow for the owner until leaseUntil if it is pending and due, waiting and due,
    /// or running under an expired lease. False when it is not claimable now.
    virtual Result<bool> claimFlow(qint64 id, const QString &owner, const QDateTime &now,
                                   const QDateTime &leaseUntil) = 0;

    /// Applies a batch in one transaction. Returns the flows whose update was refused because
    /// the writer no longer holds them (their step and attempt writes were dropped too).
    virtual Result<QSet<qint64>> write(const LogBatch &batch) = 0;

    /// Re-queues a failed flow. Its failed step (or the named one, which must have failed) gets
    /// a fresh retry budget; completed steps stay and are replayed from the log.
    virtual Result<void> retryFlow(qint64 id, const QString &stepName, const QDateTime &now) = 0;
    /// Cancels a flow that has not finished. A running flow stops at its next step.
    virtual Result<void> cancelFlow(qint64 id, const QDateTime &now) = 0;
};

} // namespace ergon
