#include "session/workerpool.h"

#include <QCoreApplication>
#include <QSysInfo>

namespace ergon {

WorkerPool::WorkerPool(LogOpener opener, const FlowRegistry &registry, WorkNotifier *notifier, Options options,
                       QObject *parent)
    : QObject(parent)
    , m_opener(std::move(opener))
    , m_registry(registry)
    , m_notifier(notifier)
    , m_options(options)
    , m_prefix(QStringLiteral("%1-%2").arg(QSysInfo::machineHostName()).arg(QCoreApplication::applicationPid()))
{
}

WorkerPool::~WorkerPool()
{
    // Destroying a running handle aborts it: only reached at exit or by a session that gave
    // its workers no time; a graceful stop goes through stopAll() first.
    m_workers.clear();
}

QStringList WorkerPool::start(int count, int concurrency)
{
    QStringList started;
    for (int i = 0; i < count; ++i) {
        const QString name = QStringLiteral("%1-%2").arg(m_prefix).arg(m_next++);
        auto handle = FlowWorker(m_opener, m_registry)
                          .withName(name)
                          .withConcurrency(concurrency)
                          .withTimers(m_options.timerRefresh)
                          .withPollInterval(m_options.pollInterval)
                          .withLeaseDuration(m_options.leaseDuration)
                          .withNotifier(m_notifier)
                          .start();
        WorkerHandle *raw = handle.get();
        connect(raw, &WorkerHandle::failed, this, [this, name](const QString &error) {
            Q_EMIT problem(tr("Worker %1 could not start: %2").arg(name, error));
        });
        connect(raw, &WorkerHandle::halted, this,
                [this, name](const QString &error) { Q_EMIT problem(tr("Worker %1 %2").arg(name, error)); });
        connect(raw, &WorkerHandle::problem, this,
                [this, name](const QString &error) { Q_EMIT problem(tr("Worker %1: %2").arg(name, error)); });
        // Queued: a detached shutdown() task resumes on the same signal, and must run before
        // the handle goes.
        connect(
            raw, &WorkerHandle::stopped, this, [this, name] { remove(name); }, Qt::QueuedConnection);
        m_workers.push_back({std::move(handle), false});
        started.append(name);
    }
    if (!started.isEmpty())
        Q_EMIT changed();
    return started;
}

void WorkerPool::stop(const QStringList &names)
{
    bool any = false;
    for (const QString &name : names) {
        Entry *entry = find(name);
        if (!entry || entry->stopping)
            continue;
        entry->stopping = true;
        any = true;
        // The task only resolves when the thread has ended, which stopped() reports as well:
        // it may be dropped (detached) at once.
        [[maybe_unused]] auto shutdown = entry->handle->shutdown(m_options.shutdownDeadline);
    }
    if (any)
        Q_EMIT changed();
}

void WorkerPool::stopAll()
{
    if (m_workers.empty()) {
        Q_EMIT emptied();
        return;
    }
    stop(names());
}

void WorkerPool::abort(const QString &name)
{
    if (Entry *entry = find(name)) {
        entry->stopping = true;
        entry->handle->abort();
    }
}

int WorkerPool::inFlight() const
{
    int flows = 0;
    for (const Entry &entry : m_workers) {
        if (entry.handle->isRunning())
            flows += entry.handle->stats().inFlight;
    }
    return flows;
}

void WorkerPool::overlayLiveCounters(QList<WorkerRecord> &workers) const
{
    if (m_workers.empty())
        return;
    for (WorkerRecord &worker : workers) {
        const Entry *entry = find(worker.name);
        if (!entry || !entry->handle->isRunning())
            continue;
        const WorkerStats stats = entry->handle->stats();
        if (stats.run != worker.id)
            continue; // an earlier run of the same name: its counters are its own
        worker.completed = std::max(worker.completed, stats.completed);
        worker.failed = std::max(worker.failed, stats.failed);
        worker.steals = std::max(worker.steals, stats.steals);
        worker.inFlight = stats.inFlight;
    }
}

QStringList WorkerPool::names() const
{
    QStringList result;
    for (const Entry &entry : m_workers)
        result.append(entry.handle->name());
    return result;
}

QSet<qint64> WorkerPool::runs(bool stoppingOnly) const
{
    QSet<qint64> result;
    for (const Entry &entry : m_workers) {
        const qint64 run = entry.handle->stats().run;
        if (run != 0 && (!stoppingOnly || entry.stopping))
            result.insert(run);
    }
    return result;
}

bool WorkerPool::contains(const QString &name) const
{
    return find(name) != nullptr;
}

bool WorkerPool::isStopping(const QString &name) const
{
    const Entry *entry = find(name);
    return entry && entry->stopping;
}

WorkerPool::Entry *WorkerPool::find(const QString &name)
{
    for (Entry &entry : m_workers) {
        if (entry.handle->name() == name)
            return &entry;
    }
    return nullptr;
}

const WorkerPool::Entry *WorkerPool::find(const QString &name) const
{
    return const_cast<WorkerPool *>(this)->find(name);
}

void WorkerPool::remove(const QString &name)
{
    const auto it = std::find_if(m_workers.begin(), m_workers.end(),
                                 [&name](const Entry &entry) { return entry.handle->name() == name; });
    if (it == m_workers.end())
        return;
    // The handle emitted the signal that brought us here: let it go once control is back in
    // the event loop.
    it->handle.release()->deleteLater();
    m_workers.erase(it);
    Q_EMIT changed();
    if (m_workers.empty())
        Q_EMIT emptied();
}

} // namespace ergon
