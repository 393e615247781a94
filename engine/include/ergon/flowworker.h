#pragma once

#include "executionlog.h"
#include "result.h"

#include <QCoroTask>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

class QThread;

namespace ergon {

class Clock;
class FlowRegistry;
class WorkNotifier;

namespace detail {
class WorkerLoop;
struct WorkerCounters;
} // namespace detail

/// Opens a connection to the log; called on the worker's own thread.
using LogOpener = std::function<Result<std::unique_ptr<ExecutionLog>>()>;

/// A worker's configuration; FlowWorker is its builder.
struct WorkerConfig {
    QString name;
    int concurrency = 8;                         ///< flows run at once
    int prefetch = 0;                            ///< flows leased ahead into the local queue
    bool stealing = true;                        ///< take queued flows from busier workers when idle
    bool timers = true;                          ///< drive durable timers (due flows wake on time)
    std::chrono::milliseconds timerRefresh{500}; ///< how often due times are read from the log
    std::chrono::milliseconds pollInterval{200}; ///< how often to look for work from other processes
    std::chrono::milliseconds leaseDuration{30000};
    /// At most how often the worker's counters (in flight, completed, failed) are written
    /// between heartbeats, once they change: what keeps the workers' table current for the
    /// console and `workers` without a write per flow.
    std::chrono::milliseconds countersInterval{500};
};

/// What a running worker has done so far.
struct WorkerStats {
    qint64 completed = 0;
    qint64 failed = 0;
    qint64 steals = 0;
    int inFlight = 0;
    qint64 run = 0; ///< the run's id (WorkerRecord::id) once it registered, 0 before
};

/// A started worker. Owns its thread: destroying the handle of a running worker aborts it.
class WorkerHandle : public QObject
{
    Q_OBJECT
public:
    ~WorkerHandle() override;

    const QString &name() const { return m_name; }
    bool isRunning() const;
    WorkerStats stats() const;

    /// Graceful stop: no more claims; queued flows go back at once; running flows stop at their
    /// next step boundary (the step in progress commits first) and go back to the queue; after
    /// the deadline the rest are abandoned and their leases released. Resolves when the worker's
    /// thread has ended.
    [[nodiscard]] QCoro::Task<> shutdown(std::chrono::milliseconds deadline = std::chrono::seconds(10));
    /// The same, blocking the caller (scripts, tests; never the GUI thread).
    void shutdownAndWait(std::chrono::milliseconds deadline = std::chrono::seconds(10));
    /// Stops at once, as a crash would: nothing more is written; its leases expire on their own
    /// and other workers take its flows over.
    void abort();

Q_SIGNALS:
    /// The worker could not start (e.g. the log could not be opened).
    void failed(const QString &error);
    /// The worker stopped by itself, on a damaged database (an error of kind "corrupt"): it
    /// claims nothing more and writes nothing more, not even the hand-back of its flows, whose
    /// leases expire on their own. stopped() follows.
    void halted(const QString &error);
    /// A passing fault (e.g. the database stayed locked); the worker carries on. A full disk is
    /// one line, then quiet retries with back-off until space comes back.
    void problem(const QString &error);
    void stopped();

private:
    friend class FlowWorker;
    WorkerHandle(QString name, std::shared_ptr<detail::WorkerCounters> counters);
    void waitForThread();

    QString m_name;
    std::shared_ptr<detail::WorkerCounters> m_counters;
    QThread *m_thread = nullptr;
    QPointer<detail::WorkerLoop> m_loop;
};

/// Builds and starts workers: each runs on its own QThread with its own connection to the
/// log, and runs its flows as coroutines on that thread.
///
/// \code
/// auto handle = FlowWorker(opener, catalog.registry()).withName("worker-1").withConcurrency(16)
///                   .withTimers(std::chrono::milliseconds(100)).start();
/// \endcode
///
/// Every number has a range (limits.h): concurrency 1 to 100,000, prefetch 0 to 100,000, the
/// lease 100 ms to 1 day, the poll interval 1 ms to 1 hour, the timers' refresh 10 ms to 1 hour.
/// A value out of range is refused: check() names it, and start() returns a handle that emits
/// failed() with that reason and runs nothing.
class FlowWorker
{
public:
    FlowWorker(LogOpener opener, const FlowRegistry &registry);

    FlowWorker &withName(QString name);
    FlowWorker &withConcurrency(int flows);
    FlowWorker &withPrefetch(int flows);
    FlowWorker &withStealing(bool enabled);
    /// Drives durable timers, reading due times from the log at this interval.
    FlowWorker &withTimers(std::chrono::milliseconds refresh);
    FlowWorker &withoutTimers();
    FlowWorker &withPollInterval(std::chrono::milliseconds interval);
    FlowWorker &withLeaseDuration(std::chrono::milliseconds duration);
    /// The clock; it must be safe to use from the worker's thread. Default: the system clock.
    FlowWorker &withClock(Clock &clock);
    /// In-process wake-ups from a FlowScheduler.
    FlowWorker &withNotifier(WorkNotifier *notifier);

    const WorkerConfig &config() const { return m_config; }
    /// The first value given out of its range, if any.
    Result<void> check() const;

    [[nodiscard]] std::unique_ptr<WorkerHandle> start() const;

private:
    LogOpener m_opener;
    const FlowRegistry &m_registry;
    Clock *m_clock;
    WorkNotifier *m_notifier = nullptr;
    WorkerConfig m_config;
    std::optional<Error> m_invalid;

    void refuseOutOfRange(const Result<void> &checked);
};

} // namespace ergon
