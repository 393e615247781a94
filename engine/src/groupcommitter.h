#pragma once

#include "ergon/logbatch.h"
#include "ergon/result.h"

#include <QObject>

#include <coroutine>
#include <memory>
#include <vector>

namespace ergon {

class ExecutionLog;

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
        Result<void> status;   ///< the transaction failed: nothing of the batch is stored
        bool refused = false;  ///< stored batch, but this flow's writes were refused (lease lost, cancelled)
        /// The flow, when the batch claimed it. On the heap: an outcome lives in the frame of
        /// every coroutine that awaits a commit, and only claims fill it in.
        std::unique_ptr<ClaimedFlow> claimed;
    };

    class Awaiter
    {
    public:
        Awaiter(GroupCommitter *committer, qint64 flowId, LogBatch batch);
        bool await_ready() const noexcept;
        void await_suspend(std::coroutine_handle<> handle);
        Outcome await_resume();

    private:
        GroupCommitter *m_committer;
        qint64 m_flowId;
        LogBatch m_batch;
        Outcome m_outcome;
        bool m_handedIn = false;
    };

    explicit GroupCommitter(ExecutionLog &log, QObject *parent = nullptr);
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
        std::coroutine_handle<> handle;
        qint64 flowId;
        Outcome *outcome;
    };
    struct Group {
        LogBatch batch;
        std::vector<Waiter> waiters;
    };

    void enqueue(qint64 flowId, LogBatch &&batch, std::coroutine_handle<> handle, Outcome *outcome);
    void flush();

    ExecutionLog &m_log;
    std::vector<Group> m_groups;
    bool m_flushScheduled = false;
    bool m_aborted = false;
    QString m_abortReason;
    int m_maxBatchRows = 4000;
    qint64 m_commits = 0;
    qint64 m_rows = 0;
};

} // namespace ergon
