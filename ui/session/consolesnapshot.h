#pragma once

#include "ergon/records.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

#include <chrono>
#include <numeric>

namespace ergon {

/// Everything the live pages show at one moment, read in one pass by the ConsoleReader on its
/// own thread and handed to the GUI thread by a queued signal. A plain value: the pages' models
/// swap it in and never read the log themselves.
struct ConsoleSnapshot {
    QDateTime taken;                        ///< the reader's clock (UTC) when the read began
    std::chrono::milliseconds buildTime{0}; ///< how long the read took
    QString location;                       ///< which log, for the status bar

    QMap<FlowStatus, qint64> counts;  ///< every flow of the log by status
    QList<WorkerRecord> workers;      ///< every worker row, by name; see effectiveStatus()
    QList<TimerRecord> timers;        ///< pending durable timers, earliest first, capped
    bool timersTruncated = false;     ///< more timers are pending than `timers` holds
    QList<FlowRecord> latestFailures; ///< the newest failed flows, newest first
    QList<StealRecord> steals;        ///< the latest steals, newest first

    qint64 count(FlowStatus status) const { return counts.value(status); }
    qint64 total() const { return std::accumulate(counts.cbegin(), counts.cend(), qint64(0)); }
    /// Flows queued for a worker: pending plus waiting (on a timer or a retry back-off).
    qint64 queueDepth() const { return count(FlowStatus::Pending) + count(FlowStatus::Waiting); }
    int aliveWorkers() const;
    int lostWorkers() const;
};

/// One bar of the work distribution: a worker run and the flows it finished.
struct WorkerLoad {
    QString worker;
    qint64 completed = 0;
    qint64 failed = 0;
    WorkerStatus status = WorkerStatus::Alive;
    qint64 run = 0; ///< WorkerRecord::id
    QString label;  ///< the bar's: the name, its status unless alive, and when it started
                    ///< if another run shown has the same name ("w-1 (stopped, 14:02:07)")
};

/// The flows each worker run finished, from the runs' own counters, alive and lost runs first
/// (stopped ones only while they hold finished work), in the snapshot's order.
QList<WorkerLoad> workerLoads(const ConsoleSnapshot &snapshot);

} // namespace ergon

Q_DECLARE_METATYPE(ergon::ConsoleSnapshot)
