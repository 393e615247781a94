#pragma once

#include "ergon/inmemoryexecutionlog.h"
#include "ergon/logbatch.h"

#include "storage/memory/workertable.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QMutex>

namespace ergon {

/// What every connection of one in-memory log shares, guarded by its mutex.
class InMemoryExecutionLog::Store
{
public:
    QMutex mutex;
    qint64 nextId = 1;
    QMap<qint64, FlowRecord> flows;
    QHash<qint64, QList<StepRecord>> steps; ///< by flow, in seq order, each with its attempt log
    QHash<QString, qint64> idempotencyKeys;
    detail::WorkerTable workers;
    QList<StealRecord> steals;
    QList<SignalRecord> sentSignals; ///< every flow's, in the order they were stored (by id)
    qint64 nextSignalId = 1;

    /// The flow as read: its progress is the number of steps recorded, and what it waits for.
    FlowRecord withProgress(const FlowRecord &flow) const;
};

namespace detail {

/// Whether `owner` may claim the flow at `now`: pending or waiting and due, running under an
/// expired lease, or already leased to the owner (prefetched).
bool claimable(const FlowRecord &flow, const QString &owner, const QDateTime &now);

/// ExecutionLog::commit() on the store, under its mutex (the caller holds it): the rules of
/// applyLogBatch() with the store's writes.
Result<WriteOutcome> commitToStore(InMemoryExecutionLog::Store &store, const LogBatch &batch);

} // namespace detail
} // namespace ergon
