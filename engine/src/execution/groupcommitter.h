#pragma once

#include "ergon/logbatch.h"
#include "ergon/result.h"

#include <QObject>

#include <coroutine>
#include <deque>
#include <memory>
#include <vector>

namespace ergon {

class BatchCommitter;

/// Group commit for the coroutines of one thread. Each flow hands in the writes of its next
/// durable point and suspends; at the end of the event-loop turn every batch handed in is
/// written in one transaction, then each flow resumes knowing its writes are stored (under the
/// log's synchronous mode). Many flows, one fsync.
class GroupCommitter : public QObject
{
    Q_OBJECT
public:
    /// What a flow learns when it resumes.
    struct Outcome {
        Result<void> status;  ///< the transaction failed: nothing of the batch is stored
        bool refused = false; ///< stored batch, but this flow's writes were refused (lease lost, cancelled)
        /// The flow, when the batch claimed it. On the heap: an outcome lives in the frame of
        /// every coroutine that awaits a commit, and only claims fill it in.
        std::unique_ptr<ClaimedFlow> claimed;
        /// How the batch settled the flow's signal wait, when it had one (on the heap, as claimed).
        std::unique_ptr<SettledWait> settled;
    };

    /// Hands the batch in when made (so that it does not sit in the awaiting coroutine's
    /// frame); co_await registers the coroutine to resume once the batch is committed.
    class Awaiter
    {
    public:
        Awaiter(GroupCommitter *committer, qint64 flowId, LogBatch &&batch);
        bool await_ready() const noexcept;
        bool await_suspend(std::coroutine_handle<> handle);
        Outcome await_resume();

    private:
        GroupCommitter *m_committer;
        quint64 m_group = 0;  ///< the group the batch went to (sequence number); see m_firstGroup
        qint32 m_waiter = -1; ///< its place among the group's waiters; -1: not handed in (aborted)
        Outcome m_outcome;
    };

    explicit GroupCommitter(BatchCommitter &log, QObject *parent = nullptr);
    /// Fails every flow still waiting, as if the process had died before the commit.
    ~GroupCommitter() override;

    /// co_await commit(id, batch): resumes once the batch is in a committed transaction.
    [[nodiscard]] Awaiter commit(qint64 flowId, LogBatch batch) { return Awaiter(this, flowId, std::move(batch)); }

    /// Stops writing for good and fails every waiting flow with the reason.
    void abort(const QString &reason);
    bool isAborted() const { return m_aborted; }

    void setMaxBatchRows(int rows) { m_maxBatchRows = std::max(1, rows); }
    qint64 commits() const { return m_commits; }
    qint64 committedRows() const { return m_rows; }

private:
    struct Waiter {
        qint64 flowId;
        std::coroutine_handle<> handle; ///< null until the awaiter is suspended
        Outcome *outcome = nullptr;
    };
    struct Group {
        LogBatch batch;
        std::vector<Waiter> waiters;
    };

    /// Adds the batch to the open group; returns where its waiter is.
    std::pair<quint64, qint32> enqueue(qint64 flowId, LogBatch &&batch);
    Waiter &waiterAt(quint64 group, qint32 waiter);
    void flush();

    BatchCommitter &m_log;
    std::deque<Group> m_groups;
    quint64 m_firstGroup = 0; ///< the sequence number of m_groups.front()
    bool m_flushScheduled = false;
    bool m_aborted = false;
    QString m_abortReason;
    int m_maxBatchRows = 4000;
    qint64 m_commits = 0;
    qint64 m_rows = 0;
};

} // namespace ergon
