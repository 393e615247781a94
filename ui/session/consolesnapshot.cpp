#include "session/consolesnapshot.h"

#include <algorithm>

namespace ergon {

int ConsoleSnapshot::aliveWorkers() const
{
    return int(std::count_if(workers.cbegin(), workers.cend(), [this](const WorkerRecord &worker) {
        return effectiveStatus(worker, taken) == WorkerStatus::Alive;
    }));
}

int ConsoleSnapshot::lostWorkers() const
{
    return int(std::count_if(workers.cbegin(), workers.cend(), [this](const WorkerRecord &worker) {
        return effectiveStatus(worker, taken) == WorkerStatus::Lost;
    }));
}

QList<WorkerLoad> workerLoads(const ConsoleSnapshot &snapshot)
{
    QList<WorkerLoad> loads;
    QList<WorkerLoad> stopped;
    for (const WorkerRecord &worker : snapshot.workers) {
        const WorkerLoad load{worker.name, worker.completed, worker.failed, effectiveStatus(worker, snapshot.taken)};
        if (load.status != WorkerStatus::Stopped)
            loads.append(load);
        else if (load.completed + load.failed > 0)
            stopped.append(load);
    }
    loads.append(stopped);
    return loads;
}

} // namespace ergon
