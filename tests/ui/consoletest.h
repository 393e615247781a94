#pragma once

// Helpers of the console suites (Overview, Workers, Timers, Plugins, the window and its
// session): a private SQLite database, the bundled plugins, and hand-made snapshots.

#include "session/consolesnapshot.h"

#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace ergon::test {

/// A SQLite database in a private folder, removed with the object.
class ConsoleDatabase
{
public:
    explicit ConsoleDatabase(const QString &name = QStringLiteral("console.db"))
        : m_path(m_dir.filePath(name))
    {
    }
    bool isValid() const { return m_dir.isValid(); }
    const QString &path() const { return m_path; }
    QString folder() const { return m_dir.path(); }
    /// Opens a connection on the calling thread.
    LogOpener opener() const
    {
        return [path = m_path]() -> Result<std::unique_ptr<ExecutionLog>> {
            auto log = SqliteExecutionLog::open(path);
            if (!log)
                return log.error();
            return std::unique_ptr<ExecutionLog>(log.take());
        };
    }
    /// A connection for the test thread (setting up data, checking outcomes).
    std::unique_ptr<ExecutionLog> open() const
    {
        auto log = opener()();
        return log ? log.take() : nullptr;
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
};

/// The bundled plugins (demo and orders).
inline void loadBundledPlugins(PluginCatalog &catalog)
{
    catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
}

/// A worker record for hand-made snapshots.
inline WorkerRecord workerRecord(const QString &name, const QDateTime &heartbeat, qint64 completed = 0,
                                 qint64 failed = 0, qint64 leaseMs = 30000)
{
    WorkerRecord worker;
    worker.id = qint64(qHash(name) & 0x7fffffff) + 1; // one run per name, unless a test sets another
    worker.name = name;
    worker.host = QStringLiteral("host");
    worker.pid = 4242;
    worker.started = heartbeat.addSecs(-60);
    worker.heartbeat = heartbeat;
    worker.concurrency = 4;
    worker.completed = completed;
    worker.failed = failed;
    worker.leaseMs = leaseMs;
    return worker;
}

/// A snapshot taken at `taken` with the given counts (pending, running, waiting, completed,
/// failed, cancelled).
inline ConsoleSnapshot countsSnapshot(const QDateTime &taken, std::initializer_list<qint64> counts)
{
    ConsoleSnapshot snapshot;
    snapshot.taken = taken;
    int status = 0;
    for (const qint64 count : counts)
        snapshot.counts.insert(FlowStatus(status++), count);
    return snapshot;
}

/// How many flows have the status (-1 when the log cannot be read).
inline qint64 statusCount(ExecutionLog &log, FlowStatus status)
{
    auto counts = log.countByStatus();
    return counts ? counts->value(status) : -1;
}

/// The status a flow has now by name ("completed" ...), read through a connection of the test
/// thread; "unknown" when it cannot be read.
inline QString statusOf(ExecutionLog &log, qint64 id)
{
    auto flow = log.flow(id);
    if (!flow || !flow->has_value())
        return QStringLiteral("unknown");
    return toString((*flow)->status);
}

} // namespace ergon::test
