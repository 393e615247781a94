#pragma once

#include <QString>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace ergon {

/// The turns of one SQLite file's writers within this process.
///
/// SQLite's write lock is a file lock that a waiter polls from its busy handler: it sleeps,
/// retries, and against writers that commit back to back (the workers' group commits) keeps
/// waking up to a held lock. Writers of the same process queue here instead, and the next one
/// wakes the moment the turn is handed on; an urgent writer (a timer service firing due timers)
/// goes ahead of every writer still waiting. Writers of other processes meet at SQLite's lock,
/// as before. The gate only orders writers: a turn that does not come within the wait given is
/// not taken, and the writer goes on to SQLite's own waiting.
class SqliteWriteGate
{
public:
    enum class Urgency { Normal, Urgent };
    /// The steady clock a wait is counted on: the real one, or a test's fake.
    using SteadyNow = std::chrono::steady_clock::time_point (*)();

    /// The gate of the database file at `canonicalPath`, shared by every connection of this
    /// process to that file.
    static std::shared_ptr<SqliteWriteGate> forFile(const QString &canonicalPath);

    /// Waits for the turn; false when it did not come within `wait` (not taken then).
    bool enter(Urgency urgency, std::chrono::milliseconds wait);
    /// Waits for the turn until `now()` reaches `deadline`; false when it did not come by then.
    /// A clock other than the real one is read again every millisecond, as a fake clock moves
    /// without waking the wait.
    bool enter(Urgency urgency, std::chrono::steady_clock::time_point deadline, SteadyNow now);
    void leave();
    /// Writers waiting for their turn now (what the tests await instead of guessing a delay).
    int waiting();

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_held = false;
    int m_urgentWaiting = 0;
    int m_waiting = 0;
};

} // namespace ergon
