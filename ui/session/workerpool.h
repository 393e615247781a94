#pragma once

#include "ergon/flowworker.h"

#include <QObject>
#include <QSet>
#include <QStringList>

#include <chrono>
#include <memory>
#include <vector>

namespace ergon {

class FlowRegistry;
class WorkNotifier;

/// The workers this console runs in its own process, each on its own thread with its own
/// connection. Starting is immediate; stopping is graceful and asynchronous (the handles'
/// shutdown()), so that the GUI thread never waits for a flow to reach its next step.
class WorkerPool : public QObject
{
    Q_OBJECT

public:
    struct Options {
        std::chrono::milliseconds leaseDuration{30000};
        std::chrono::milliseconds shutdownDeadline{10000}; ///< grace for running flows on stop
        std::chrono::milliseconds timerRefresh{500};
        std::chrono::milliseconds pollInterval{200};
    };

    /// The registry and the notifier must outlive the pool.
    WorkerPool(LogOpener opener, const FlowRegistry &registry, WorkNotifier *notifier, Options options,
               QObject *parent = nullptr);
    ~WorkerPool() override;

    /// Starts `count` workers, named "<prefix>-<n>" with numbers not used before in this pool.
    /// Returns their names.
    QStringList start(int count, int concurrency);
    /// Asks the named workers to stop; they leave the pool when their threads have ended.
    void stop(const QStringList &names);
    void stopAll();
    /// Stops a worker at once, as a crash would (its leases expire on their own). Blocks until
    /// its thread has ended, which is immediate; for tests and for leaving in a hurry.
    void abort(const QString &name);

    /// Puts the live counters of this pool's workers into the snapshot's worker rows: the rows
    /// carry the counters of the last heartbeat, which may be seconds old.
    void overlayLiveCounters(QList<WorkerRecord> &workers) const;

    /// The workers running or stopping, by name.
    QStringList names() const;
    /// The runs (WorkerRecord::id) of the workers running or stopping, those registered so far:
    /// a row of the workers table is this console's by its run, not its name, which an earlier
    /// run (another console, or this one on the database before) may have had too.
    QSet<qint64> runs(bool stoppingOnly = false) const;
    bool contains(const QString &name) const;
    bool isStopping(const QString &name) const;
    bool isEmpty() const { return m_workers.empty(); }
    /// The workers, and the flows they are running now (their live counters).
    int size() const { return int(m_workers.size()); }
    int inFlight() const;
    /// How long a stopping worker's running flows have to reach their next step.
    std::chrono::milliseconds shutdownDeadline() const { return m_options.shutdownDeadline; }
    /// The prefix of the names; "<host>-<pid>" by default, so that other consoles and
    /// processes on the same database never collide.
    void setNamePrefix(const QString &prefix) { m_prefix = prefix; }

Q_SIGNALS:
    /// Workers were added, asked to stop, or have left.
    void changed();
    /// Every worker has left (after stopAll() or the last stop()).
    void emptied();
    /// A worker could not start, or reports a passing fault.
    void problem(const QString &message);

private:
    struct Entry {
        std::unique_ptr<WorkerHandle> handle;
        bool stopping = false;
    };
    Entry *find(const QString &name);
    const Entry *find(const QString &name) const;
    void remove(const QString &name);

    LogOpener m_opener;
    const FlowRegistry &m_registry;
    WorkNotifier *m_notifier;
    Options m_options;
    QString m_prefix;
    int m_next = 1;
    std::vector<Entry> m_workers;
};

} // namespace ergon
