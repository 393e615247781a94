#pragma once

#include "ergon/records.h"

#include <QList>
#include <QMap>

namespace ergon::detail {

/// The workers table of the in-memory log: one row per run of a worker, by run id, with the
/// same semantics as the SQL backends' table (see ExecutionLog's worker methods). Not locked:
/// the log's store holds its mutex around every call.
class WorkerTable
{
public:
    /// Adds the row of a new run; returns its id.
    qint64 registerRun(const WorkerRecord &worker);
    void beat(const WorkerRecord &worker, const QDateTime &now);
    void updateCounters(const WorkerRecord &worker);
    void countSteals(const QString &thief, qint64 stolen);
    /// By name, then oldest run first.
    QList<WorkerRecord> list() const;
    int forget(const QList<qint64> &runs, const QDateTime &now);

private:
    /// The run a record names: its id, or before it has one, the latest run of its name.
    WorkerRecord *run(const WorkerRecord &worker);

    QMap<qint64, WorkerRecord> m_runs;
    qint64 m_nextRun = 1;
};

} // namespace ergon::detail
