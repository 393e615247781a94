#include "execution/groupcommitter.h"

#include "ergon/executionlog.h"

#include <QPointer>

#include <tuple>

namespace ergon {

GroupCommitter::Awaiter::Awaiter(GroupCommitter *committer, qint64 flowId, LogBatch &&batch)
    : m_committer(committer)
{
    // Between here and the suspension no event is processed, so the group cannot be flushed
    // before the coroutine is registered to resume.
    if (!m_committer->isAborted())
        std::tie(m_group, m_waiter) = m_committer->enqueue(flowId, std::move(batch));
}

bool GroupCommitter::Awaiter::await_ready() const noexcept
{
    return m_waiter < 0;
}

bool GroupCommitter::Awaiter::await_suspend(std::coroutine_handle<> handle)
{
    if (m_committer->isAborted()) {
        // Aborted since the batch was handed in: its group is gone; go on at once.
        m_waiter = -1;
        return false;
    }
    Waiter &waiter = m_committer->waiterAt(m_group, m_waiter);
    waiter.handle = handle;
    waiter.outcome = &m_outcome;
    return true;
}

GroupCommitter::Outcome GroupCommitter::Awaiter::await_resume()
{
    // Ready at once only when aborted. Otherwise the outcome was filled in before the resume,
    // and the committer may be gone by now: do not touch it.
    if (m_waiter < 0)
        m_outcome.status = Error(m_committer->m_abortReason, QStringLiteral("aborted"));
    return std::move(m_outcome);
}

GroupCommitter::GroupCommitter(BatchCommitter &log, QObject *parent)
    : QObject(parent)
    , m_log(log)
{
}

GroupCommitter::~GroupCommitter()
{
    abort(QStringLiteral("the executor stopped before the commit"));
}

void GroupCommitter::abort(const QString &reason)
{
    if (m_aborted)
        return;
    m_aborted = true;
    m_abortReason = reason;
    std::deque<Group> groups = std::exchange(m_groups, {});
    m_firstGroup += groups.size();
    for (Group &group : groups) {
        for (Waiter &waiter : group.waiters) {
            if (!waiter.handle)
                continue; // handed in, never awaited
            waiter.outcome->status = Error(reason, QStringLiteral("aborted"));
            waiter.handle.resume();
        }
    }
}

std::pair<quint64, qint32> GroupCommitter::enqueue(qint64 flowId, LogBatch &&batch)
{
    if (m_groups.empty() || m_groups.back().batch.size() >= m_maxBatchRows)
        m_groups.emplace_back();
    Group &group = m_groups.back();
    group.batch.append(std::move(batch));
    group.waiters.push_back(Waiter{flowId, {}, nullptr});
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        // Queued: every flow that reaches a durable point in this event-loop turn joins the
        // same transaction.
        QMetaObject::invokeMethod(this, &GroupCommitter::flush, Qt::QueuedConnection);
    }
    return {m_firstGroup + m_groups.size() - 1, qint32(group.waiters.size() - 1)};
}

GroupCommitter::Waiter &GroupCommitter::waiterAt(quint64 group, qint32 waiter)
{
    return m_groups[size_t(group - m_firstGroup)].waiters[size_t(waiter)];
}

void GroupCommitter::flush()
{
    m_flushScheduled = false;
    // One full group per event-loop turn: between two transactions the thread's timers and
    // signals get their turn (a durable timer due now must not wait for every group).
    std::vector<Group> groups;
    if (!m_groups.empty()) {
        groups.push_back(std::move(m_groups.front()));
        m_groups.pop_front();
        ++m_firstGroup;
    }
    if (!m_groups.empty()) {
        m_flushScheduled = true;
        QMetaObject::invokeMethod(this, &GroupCommitter::flush, Qt::QueuedConnection);
    }
    // A resumed flow may finish and release the last owner of this committer: after each
    // resume, check that it still exists before touching a member.
    QPointer<GroupCommitter> self(this);
    for (Group &group : groups) {
        if (!self || m_aborted) {
            const QString reason = self ? m_abortReason : QStringLiteral("the executor stopped before the commit");
            for (Waiter &waiter : group.waiters) {
                if (!waiter.handle)
                    continue;
                waiter.outcome->status = Error(reason, QStringLiteral("aborted"));
                waiter.handle.resume();
            }
            continue;
        }
        auto written = m_log.commit(group.batch);
        if (written) {
            ++m_commits;
            m_rows += group.batch.size();
        }
        for (Waiter &waiter : group.waiters) {
            if (!waiter.outcome)
                continue;
            if (!written) {
                waiter.outcome->status = written.error();
                continue;
            }
            waiter.outcome->refused = written->refused.contains(waiter.flowId);
            if (auto claimed = written->claimed.find(waiter.flowId); claimed != written->claimed.end())
                waiter.outcome->claimed = std::make_unique<ClaimedFlow>(std::move(*claimed));
            if (auto settled = written->settled.find(waiter.flowId); settled != written->settled.end())
                waiter.outcome->settled = std::make_unique<SettledWait>(std::move(*settled));
        }
        // Resumed flows hand in their next batches, which go to the next flush.
        for (Waiter &waiter : group.waiters) {
            if (waiter.handle)
                waiter.handle.resume();
        }
    }
}

} // namespace ergon
