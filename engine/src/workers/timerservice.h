#pragma once

#include "workers/workerloop.h"

#include "ergon/claimfilter.h"
#include "workers/timerqueue.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace ergon {

namespace detail {

/// A worker's durable timers, on a thread and a connection of their own: one precise timer over
/// a min-heap of due times. On its own thread a due timer does not wait for the worker's
/// event-loop turn in progress (a group commit, a claim, a thousand flows resuming).
///
/// Each tick fires every due timer and leases to the worker as many of the fired flows as it
/// has free slots (WorkQueue::fireAndClaimDue()), in one transaction: they go straight to
/// the worker that fired them, before flows that have not started, with no claim round trip.
class TimerService : public QObject
{
    Q_OBJECT
public:
    struct Settings {
        QString owner;
        ClaimFilter types;
        int concurrency = 1;
        std::chrono::milliseconds leaseDuration{std::chrono::seconds(60)};
        std::chrono::milliseconds refresh{std::chrono::seconds(1)};
    };

    /// The counters' inFlight (the worker's running flows) sizes each claim.
    TimerService(Settings settings, LogOpener opener, Clock &clock, std::shared_ptr<WorkerCounters> counters);
    ~TimerService() override;

    /// On the service's thread: opens the connection and arms from the log's upcoming due times.
    void begin();
    /// On the service's thread: stops the timers and closes the connection.
    void end();
    /// A flow parked until `due` (any thread: queued to the service's).
    void push(qint64 flowId, const QDateTime &due);
    /// Claim whatever is due at `due`, timers or not (any thread: queued to the service's).
    void wakeAt(const QDateTime &due);

Q_SIGNALS:
    /// A tick fired timers: `claimed` are leased to the worker now; the worker should also look
    /// for more (fired flows it had no room for, flows that fell due).
    void ticked(const QList<qint64> &claimed);
    /// A failed call: its message, and its Error::kind() (the worker acts on a full disk and a
    /// damaged file).
    void problem(const QString &error, const QString &kind);

private:
    void refresh();
    /// Opens the service's own connection; false (reported) when it cannot.
    bool openLog();
    void arm();
    void fire();

    Settings m_settings;
    LogOpener m_opener;
    AlignedClock m_clock;
    std::shared_ptr<WorkerCounters> m_counters;
    std::unique_ptr<ExecutionLog> m_log;
    TimerQueue m_timers;
    QTimer m_dueTimer; ///< the one precise timer over m_timers
    QTimer m_refreshTimer;
    qint64 m_nextWakeKey = -1; ///< keys of anonymous wake-ups in m_timers: negative, never a flow id
};

} // namespace detail
} // namespace ergon
