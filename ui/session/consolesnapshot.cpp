#include "session/consolesnapshot.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>

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
    QHash<QString, int> runsOfName;
    QHash<qint64, QDateTime> startedOf;
    for (const WorkerRecord &worker : snapshot.workers) {
        const WorkerLoad load{
            worker.name, worker.completed, worker.failed, effectiveStatus(worker, snapshot.taken), worker.id, {}};
        if (load.status != WorkerStatus::Stopped)
            loads.append(load);
        else if (load.completed + load.failed > 0)
            stopped.append(load);
        else
            continue;
        ++runsOfName[worker.name];
        startedOf.insert(worker.id, worker.started);
    }
    loads.append(stopped);
    // Runs that share a name are told apart by when they started (the time of day; the date
    // too when it is not the day of the snapshot), and by their id if even that is the same.
    QSet<QString> labels;
    for (WorkerLoad &load : loads) {
        QStringList notes;
        if (load.status == WorkerStatus::Lost)
            notes.append(QObject::tr("lost"));
        else if (load.status == WorkerStatus::Stopped)
            notes.append(QObject::tr("stopped"));
        if (runsOfName.value(load.worker) > 1) {
            const QDateTime started = startedOf.value(load.run).toLocalTime();
            const bool today = started.date() == snapshot.taken.toLocalTime().date();
            notes.append(started.isValid() ? started.toString(today ? QStringLiteral("HH:mm:ss")
                                                                    : QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                           : QObject::tr("run %1").arg(load.run));
        }
        load.label = notes.isEmpty() ? load.worker
                                     : QStringLiteral("%1 (%2)").arg(load.worker, notes.join(QStringLiteral(", ")));
        if (labels.contains(load.label))
            load.label += QObject::tr(" run %1").arg(load.run);
        labels.insert(load.label);
    }
    return loads;
}

} // namespace ergon
