#pragma once

#include "ergon/logbatch.h"
#include "ergon/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace ergon::detail {

/// The writes of one backend that applyLogBatch() drives, each inside the one transaction the
/// backend has opened for the batch. A backend says how to write; the rules of what is written
/// (the order, the lease guard, what a refusal drops) are applyLogBatch()'s alone, so that the
/// three backends cannot drift apart.
class LogBatchWriter
{
public:
    virtual ~LogBatchWriter() = default;

    /// Takes the flow (FlowClaim): the flow as claimed, or nothing when it is not claimable now.
    virtual Result<std::optional<ClaimedFlow>> claim(const FlowClaim &claim) = 0;
    /// Of `flowIds` (distinct, ascending), the flows that `writer` does not hold running (owner
    /// and status; a flow that does not exist is not held). The answer must stay true until the
    /// transaction ends: a backend whose writers run concurrently locks the rows it found held
    /// (PostgreSQL: FOR UPDATE, in id order); SQLite's write lock and the in-memory store's mutex
    /// already exclude every other writer.
    virtual Result<QList<qint64>> notHeldBy(const QString &writer, const QList<qint64> &flowIds) = 0;
    /// Writes a step, unguarded (the rules have decided); a completed step is kept as recorded.
    virtual Result<void> writeStep(const StepRecord &step) = 0;
    /// Appends an attempt to its step's history, unless the same attempt is stored already.
    virtual Result<void> writeAttempt(const AttemptWrite &write) = 0;
    /// Applies a flow's update; with update.leaseOwner set, only while that owner holds the flow
    /// running, checked in the write itself. False when that check refused it.
    virtual Result<bool> updateFlow(const FlowUpdate &update) = 0;
    /// Takes the oldest pending signal of the flow with this name (marks it consumed at `now` by
    /// the wait step at `seq`) and returns its payload (JSON text); nothing when none is pending.
    virtual Result<std::optional<QByteArray>> takeSignal(qint64 flowId, const QString &name, int seq,
                                                         const QDateTime &now) = 0;
};

/// Applies a LogBatch through a backend's writer; the caller owns the transaction (commits on
/// success, rolls back on an error). The rules:
/// 1. Claims first, in order: a flow claimed here is held by its claimer for the rest.
/// 2. Then the lease decision, once per flow and writer, before anything of any flow is written:
///    each step's worker and each update's lease owner (empty: an administrative write, not
///    guarded) must hold the flow running. Where one of them does not, the flow is refused as a
///    whole: none of its steps, attempts or update in this batch is written. An update that is
///    its flow's only write in the batch is not asked about up front: its own guarded write (3)
///    refuses exactly the same flows, one lookup cheaper per finished flow.
/// 3. Then steps, attempts (which follow their flow's decision: an attempt's worker is history,
///    possibly an earlier holder, not the writer), signal waits (see SignalWait: take a pending
///    signal, or time out, or park) and flow updates, in batch order. An update is also guarded
///    in its own write, so a second update of one flow after the first released it is refused
///    too.
///
/// Why once per flow, up front, rather than per row: the lease is the flow's, not a row's, so a
/// flow's writes of one batch are accepted or refused together, whatever order the rows come
/// in; one check per writer is also one statement per batch, not one per row (on SQLite the
/// guard inside each step's INSERT cost two thirds of the INSERT).
Result<WriteOutcome> applyLogBatch(const LogBatch &batch, LogBatchWriter &writer);

} // namespace ergon::detail
