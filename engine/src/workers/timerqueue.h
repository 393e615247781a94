#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>

#include <queue>
#include <vector>

namespace ergon {

/// Due times of flows, earliest first: a min-heap that a single precise timer drives (one
/// QTimer per sleeper is quadratic in Qt 6.4). Pushing a flow again with a new due time
/// replaces the old one; stale heap entries are skipped when they surface.
class TimerQueue
{
public:
    void push(qint64 flowId, const QDateTime &due);
    /// Removes and returns, in due order, every flow due at or before `now`.
    QList<qint64> takeDue(const QDateTime &now);
    /// The earliest due time, invalid when empty.
    QDateTime nextDue();
    bool isEmpty();
    qsizetype size() const { return m_due.size(); }
    bool contains(qint64 flowId) const { return m_due.contains(flowId); }

private:
    struct Entry {
        qint64 dueMs;
        qint64 flowId;
        bool operator>(const Entry &other) const
        {
            return dueMs != other.dueMs ? dueMs > other.dueMs : flowId > other.flowId;
        }
    };
    void dropStale();

    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> m_heap;
    QHash<qint64, qint64> m_due; ///< the current due time of each queued flow
};

} // namespace ergon
