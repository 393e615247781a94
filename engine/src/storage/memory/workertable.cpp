#include "storage/memory/workertable.h"

#include <algorithm>

namespace ergon::detail {

qint64 WorkerTable::registerRun(const WorkerRecord &worker)
{
    WorkerRecord row = worker;
    row.id = m_nextRun++;
    m_runs.insert(row.id, row);
    return row.id;
}

void WorkerTable::beat(const WorkerRecord &worker, const QDateTime &now)
{
    if (WorkerRecord *row = run(worker)) {
        row->heartbeat = worker.heartbeat;
        row->status = worker.status;
        updateCounters(worker);
    }
    for (WorkerRecord &other : m_runs) {
        if (effectiveStatus(other, now) == WorkerStatus::Lost)
            other.status = WorkerStatus::Lost;
    }
}

void WorkerTable::updateCounters(const WorkerRecord &worker)
{
    if (WorkerRecord *row = run(worker)) {
        row->inFlight = worker.inFlight;
        row->completed = worker.completed;
        row->failed = worker.failed;
    }
}

void WorkerTable::countSteals(const QString &thief, qint64 stolen)
{
    WorkerRecord latest;
    latest.name = thief;
    if (WorkerRecord *row = run(latest))
        row->steals += stolen;
}

QList<WorkerRecord> WorkerTable::list() const
{
    QList<WorkerRecord> rows = m_runs.values(); // by run
    std::stable_sort(rows.begin(), rows.end(),
                     [](const WorkerRecord &a, const WorkerRecord &b) { return a.name < b.name; });
    return rows;
}

int WorkerTable::forget(const QList<qint64> &runs, const QDateTime &now)
{
    int forgotten = 0;
    for (const qint64 id : runs) {
        const auto found = m_runs.find(id);
        if (found != m_runs.end() && effectiveStatus(*found, now) != WorkerStatus::Alive) {
            m_runs.erase(found);
            ++forgotten;
        }
    }
    return forgotten;
}

WorkerRecord *WorkerTable::run(const WorkerRecord &worker)
{
    if (worker.id > 0) {
        const auto found = m_runs.find(worker.id);
        return found == m_runs.end() ? nullptr : &*found;
    }
    WorkerRecord *latest = nullptr;
    for (WorkerRecord &row : m_runs) {
        if (row.name == worker.name)
            latest = &row; // by run ascending: the last one found is the latest
    }
    return latest;
}

} // namespace ergon::detail
