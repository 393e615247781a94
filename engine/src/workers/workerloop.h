#pragma once

#include "ergon/claimfilter.h"
#include "workers/diskfullbackoff.h"

#include "ergon/clock.h"
#include "ergon/flowexecutor.h"
#include "ergon/flowworker.h"
#include <QObject>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <deque>

class QThread;

namespace ergon {

class FlowRegistry;

namespace detail {

class TimerService;

/// A worker's clock: the injected one, shifted onto the log's server clock when the log has one
/// (WorkQueue::serverNow()), so that the leases and due times a worker writes and compares
/// are judged by one clock on every host. Sleeps are the injected clock's.
class AlignedClock final : public Clock
{
public:
    explicit AlignedClock(Clock &base)
        : m_base(base)
    {
    }

    QDateTime now() const override { return m_base.now().addMSecs(m_offsetMs); }
    [[nodiscard]] QCoro::Task<> sleepFor(std::chrono::milliseconds duration) override
    {
        return m_base.sleepFor(duration);
    }
    /// Measures the offset to the log's server clock again (no change without one).
    void align(ExecutionLog &log);
    qint64 offsetMs() const { return m_offsetMs; }
    Clock &base() const { return m_base; }

private:
    Clock &m_base;
    qint64 m_offsetMs = 0;
};

/// Counters shared between a worker's thread and its handle.
struct WorkerCounters {
    std::atomic<qint64> completed{0};
    std::atomic<qint64> failed{0};
    std::atomic<qint64> steals{0};
    std::atomic<int> inFlight{0};
    std::atomic<bool> running{false};
    std::atomic<qint64> run{0}; ///< the run's id in the workers table, once registered
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
    void halted(const QString &error);  ///< stopped on a damaged database, writing nothing more
    void problem(const QString &error); ///< a passing fault; the worker carries on
    void finished();

private:
    enum class State { Starting, Running, Draining, Stopped };

    void fill();
    void scheduleFill();
    void startFlow(qint64 flowId);
    void startClaimed(ClaimedFlow flow);
    /// Counts the flow in flight; false when it runs here already (not to be started again).
    bool markRunning(qint64 flowId);
    void whenDone(qint64 flowId, QCoro::Task<Result<FlowOutcome>> run);
    void flowDone(qint64 flowId, const Result<FlowOutcome> &outcome);
    void heartbeat();
    /// The counters changed: written within WorkerConfig::countersInterval.
    void countersChanged();
    void writeCounters();
    void startTimers();
    void stopTimers();
    void timersTicked(const QList<qint64> &claimed);
    void finish(WorkerStatus status, bool releaseAll);
    /// Marks the loop stopped and stops every timer of its own (abortNow() and finish()).
    void enterStopped();

    void report(const Error &error);
    /// A damaged database: stops claiming and running at once, writes nothing more (no release,
    /// no last heartbeat: the leases expire on their own), and says why.
    void halt(const Error &error);
    /// A full disk: the poll stops, and retries come with back-off (diskFullBackoff), each after
    /// giving back what the log holds of the space (LogAdministration::reclaimSpace()).
    void waitForSpace(const Error &error);
    void retryAfterFullDisk();
    /// What the worker does about an error of its own calls or its timers': halt, wait for space,
    /// or report it and carry on. False when the worker stopped.
    bool handle(const Error &error);
    WorkerRecord record() const;
    QDateTime leaseUntil() const;

    WorkerConfig m_config;
    LogOpener m_opener;
    const FlowRegistry &m_registry;
    AlignedClock m_alignedClock;
    Clock &m_clock; ///< m_alignedClock
    std::shared_ptr<WorkerCounters> m_counters;
    ClaimFilter m_types;

    std::unique_ptr<ExecutionLog> m_log;
    std::unique_ptr<FlowExecutor> m_executor;
    State m_state = State::Starting;
    QDateTime m_started;
    std::deque<qint64> m_queue;  ///< prefetched: leased to us, not started
    QList<qint64> m_interrupted; ///< runs cut off by a storage error: tried again at the next poll
    QSet<qint64> m_running;
    QTimer m_pollTimer;
    QTimer m_heartbeatTimer;
    QTimer m_deadlineTimer;
    QTimer m_countersTimer;
    qint64 m_run = 0; ///< this run's row in the workers table
    bool m_fillScheduled = false;
    DiskFullBackoff m_diskFull;
    QTimer m_spaceTimer; ///< the next try after a full disk (begin() again while Starting)
    /// Durable timers, on a thread of their own (with timers on only).
    QThread *m_timerThread = nullptr;
    TimerService *m_timerService = nullptr;
};

} // namespace detail
} // namespace ergon
