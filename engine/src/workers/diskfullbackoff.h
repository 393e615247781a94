#pragma once

#include <QElapsedTimer>

#include <chrono>

namespace ergon::detail {

/// A worker's wait for disk space after SQLite said "database or disk is full": the retries'
/// back-off (0.1 s doubling to 5 s, so that a little space freed is used within seconds) and
/// what is worth a line (the first full disk, then at most one line a minute however often the
/// retries fail).
class DiskFullBackoff
{
public:
    static constexpr std::chrono::milliseconds firstDelay{100};
    static constexpr std::chrono::milliseconds maxDelay{5000};
    static constexpr std::chrono::milliseconds quietFor{60000};

    /// Notes a full disk; true when it is to be reported.
    bool noteFull();
    /// Waiting for space since the last noteFull(), until noteWritten().
    bool isWaiting() const { return m_waiting; }
    /// The wait before the next try.
    std::chrono::milliseconds nextDelay();
    /// A write went through: the next full disk starts a new back-off.
    void noteWritten();

private:
    bool m_waiting = false;
    std::chrono::milliseconds m_delay = firstDelay;
    QElapsedTimer m_sinceReported;
};

} // namespace ergon::detail
