#pragma once

#include "ergon/flowexecutor.h"
#include "ergon/flowworker.h"
#include "ergon/timerqueue.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <deque>

namespace ergon {

class Clock;
class FlowRegistry;

namespace detail {

/// Counters shared between a worker's thread and its handle.
struct WorkerCounters {
    std::atomic<qint64> completed{0};
    std::atomic<qint64> failed{0};
    std::atomic<qint64> steals{0};
    std::atomic<int> inFlight{0};
    std::atomic<bool> running{false};
};

/// The worker itself, living on the worker's thread: claims work, runs flows through a
/// FlowExecutor, drives timers, beats its heart, steals when idle, and stops.
class WorkerLoop : public QObject
{
    Q_OBJECT
public:
    WorkerLoop(WorkerConfig config, LogOpener opener, const FlowRegistry &registry, Clock &clock,
               std::shared_ptr<WorkerCounters> counters);
    ~WorkerLoop() override;

    void begin();
    void beginShutdown(std::chrono::milliseconds deadline);
    void abortNow();
    /// New work in this process, due at `due`.
    void wake(const QDateTime &due);

Q_SIGNALS:
    void failed(const QString &error);  ///< could not start
    void problem(const QString &error); ///< a passing fault; the worker carries on
    void finished();

private:
    enum class State { Starting, Running, Draining, Stopped };

    void fill();
    void scheduleFill();
    void startFlow(qint64 flowId);
    void flowDone(qint64 flowId, const Result<FlowOutcome> &outcome);
    void heartbeat();
    void refreshTimers();
    void armTimer();
    void timerFired();
    void finish(WorkerStatus status, bool releaseAll);
    void report(const Error &error);
    WorkerRecord record() const;
    QDateTime leaseUntil() const;

    WorkerConfig m_config;
    LogOpener m_opener;
    const FlowRegistry &m_registry;
    Clock &m_clock;
    std::shared_ptr<WorkerCounters> m_counters;
    QStringList m_types;

    std::unique_ptr<ExecutionLog> m_log;
    std::unique_ptr<FlowExecutor> m_executor;
    State m_state = State::Starting;
    QDateTime m_started;
    std::deque<qint64> m_queue; ///< prefetched: leased to us, not started
    QSet<qint64> m_running;
    TimerQueue m_timers;
    QTimer m_pollTimer;
    QTimer m_heartbeatTimer;
    QTimer m_refreshTimer;
    QTimer m_dueTimer; ///< the one precise timer over m_timers
    QTimer m_deadlineTimer;
    bool m_fillScheduled = false;
    qint64 m_nextWakeKey = -1; ///< keys of anonymous wake-ups in m_timers: negative, never a flow id
};

} // namespace detail
} // namespace ergon
