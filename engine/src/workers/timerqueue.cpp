#include "workers/timerqueue.h"

namespace ergon {

void TimerQueue::push(qint64 flowId, const QDateTime &due)
{
    const qint64 dueMs = due.toMSecsSinceEpoch();
    auto it = m_due.find(flowId);
    if (it != m_due.end() && *it == dueMs)
        return;
    m_due.insert(flowId, dueMs);
    m_heap.push(Entry{dueMs, flowId});
}

void TimerQueue::dropStale()
{
    while (!m_heap.empty()) {
        const Entry &top = m_heap.top();
        const auto it = m_due.constFind(top.flowId);
        if (it != m_due.cend() && *it == top.dueMs)
            return;
        m_heap.pop();
    }
}

QList<qint64> TimerQueue::takeDue(const QDateTime &now)
{
    const qint64 nowMs = now.toMSecsSinceEpoch();
    QList<qint64> due;
    for (dropStale(); !m_heap.empty() && m_heap.top().dueMs <= nowMs; dropStale()) {
        due.append(m_heap.top().flowId);
        m_due.remove(m_heap.top().flowId);
        m_heap.pop();
    }
    return due;
}

QDateTime TimerQueue::nextDue()
{
    dropStale();
    return m_heap.empty() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(m_heap.top().dueMs, Qt::UTC);
}

bool TimerQueue::isEmpty()
{
    dropStale();
    return m_heap.empty();
}

} // namespace ergon
