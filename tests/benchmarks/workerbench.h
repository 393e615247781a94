#pragma once

#include "rawcommits.h"

#include <ergon/executionlog.h>
#include <ergon/flowworker.h>

#include <QJsonObject>
#include <QString>

#include <chrono>
#include <functional>

namespace ergon {
class FlowRegistry;
}

// What bench_workers' phases share: their settings, a fresh place to store each phase, the log
// openers the workers call, scheduling in batches and waiting in an event loop.
namespace ergon::bench {

struct Settings {
    QString location; ///< a postgresql:// URL, or empty for SQLite
    QString dir;      ///< SQLite: where the files go
    QString plugins;
    int flows = 20000;
    int steps = 3;
    int concurrency = 256;
    int scheduleFlows = 100000;
    int timers = 10000;
    int baselineCommits = 20000;
    int baselineCommitsFull = 2000;
    Synchronous synchronous = Synchronous::Normal; ///< SQLite: of the phase under way
    int timeoutSeconds = 600;
};

bool isPostgres(const Settings &settings);

/// A fresh place for one phase: a new SQLite file (deleted with its WAL afterwards), or a new
/// schema on the server (dropped afterwards).
class Storage
{
public:
    Storage(const Settings &settings, const QString &name);
    ~Storage();
    Storage(const Storage &) = delete;
    Storage &operator=(const Storage &) = delete;

    const QString &location() const { return m_location; }

    /// One statement on an administrative connection to the server.
    static bool admin(const QString &url, const QString &sql);

private:
    bool m_postgres;
    QString m_location;
    QString m_schema;
    QString m_base;
};

/// Opens the phase's storage; SQLite files with the synchronous mode given.
LogOpener opener(const QString &location, Synchronous synchronous = Synchronous::Normal);

/// Schedules `count` flows through the scheduler, in batches of 1,000 (due at once).
Result<int> schedule(ExecutionLog &log, const FlowRegistry &registry, const QString &type, const QJsonObject &args,
                     int count);

/// Runs the event loop until `done` says so (checked every `every`) or the timeout.
bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds every, int timeoutSeconds);

} // namespace ergon::bench
