#pragma once

#include "executionlog.h"

#include <chrono>
#include <memory>

namespace ergon {

/// The embedded default: one SQLite file (WAL), shared by any number of threads and processes
/// on one host, each with its own connection.
///
/// Writes run in BEGIN IMMEDIATE transactions so that two writers queue on the busy timeout
/// instead of failing; every statement is prepared once and bound. The schema is versioned
/// with PRAGMA user_version and migrated step by step; a file from a newer version, a file that
/// is not an SQLite database, or an SQLite database of another application is refused with a
/// clear error and left untouched, and so is an empty file or a damaged one (see
/// Options::quickCheckMaxBytes). A file without write permission, or in a folder without,
/// opens read-only. Every read checks for errors: a damaged page is an error, never fewer rows.
class SqliteExecutionLog final : public ExecutionLog
{
public:
    enum class Synchronous { Normal, Full };
    /// Files up to this size are checked (PRAGMA quick_check) when a process first opens them:
    /// about 75,000 flows, a fifth of a second here (1,000,000 flows took 2.5 s).
    static constexpr qint64 defaultQuickCheckMaxBytes = qint64(32) * 1024 * 1024;

    struct Options {
        Synchronous synchronous = Synchronous::Normal;
        int busyTimeoutMs = 5000;
        /// The steady clock the busy timeout is counted on: one budget for the wait for this
        /// process's turn to write and SQLite's wait for the lock. Tests pass a fake one.
        std::chrono::steady_clock::time_point (*busyClock)() = &std::chrono::steady_clock::now;
        /// A missing file is created as a new database; without, it is refused with "no such
        /// database: PATH" (kind "no-database"), for callers that only read.
        bool create = true;
        /// A file up to this size is checked for damage when the first connection of this
        /// process opens it (-1: any size, 0: never); a damaged one is refused (kind
        /// "corrupt") and left untouched. checkIntegrity() checks a file of any size.
        qint64 quickCheckMaxBytes = defaultQuickCheckMaxBytes;
    };

    /// The schema version this build writes.
    static constexpr int schemaVersion = 5;

    static Result<std::unique_ptr<SqliteExecutionLog>> open(const QString &path, Options options);
    static Result<std::unique_ptr<SqliteExecutionLog>> open(const QString &path) { return open(path, Options()); }
    ~SqliteExecutionLog() override;

    bool isReadOnly() const;
    /// PRAGMA quick_check over the whole file, whatever its size (kind "corrupt" when damaged).
    Result<void> checkIntegrity();

    QString location() const override;
    Result<QList<qint64>> scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now) override;
    Result<std::optional<FlowRecord>> flow(qint64 id) override;
    Result<QList<StepRecord>> steps(qint64 flowId, bool withAttempts) override;
    Result<QList<FlowRecord>> flows(const FlowQuery &query) override;
    Result<QMap<FlowStatus, qint64>> countByStatus() override;
    Result<QList<FlowText>> flowTexts(qint64 afterId, int limit) override;
    Result<WriteOutcome> commit(const LogBatch &batch) override;
    Result<void> retryFlow(qint64 id, const QString &stepName, const QDateTime &now) override;
    Result<void> cancelFlow(qint64 id, const QDateTime &now) override;
    Result<QList<qint64>> claimDue(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil, int limit,
                                   const ClaimFilter &types) override;
    Result<QList<ClaimedFlow>> claimDueStarted(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil,
                                               int limit, const ClaimFilter &types = {}) override;
    Result<int> renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil) override;
    Result<int> releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted) override;
    Result<QList<StealRecord>> stealFlows(const QString &thief, const QDateTime &now, const QDateTime &leaseUntil,
                                          int limit, const ClaimFilter &types = {}) override;
    Result<QList<std::pair<qint64, QDateTime>>> upcoming(const QDateTime &now, const QDateTime &horizon,
                                                         int limit) override;
    Result<qint64> registerWorker(const WorkerRecord &worker) override;
    Result<void> heartbeat(const WorkerRecord &worker, const QDateTime &now) override;
    Result<void> updateWorkerCounters(const WorkerRecord &worker) override;
    Result<int> forgetWorkers(const QList<qint64> &runs, const QDateTime &now) override;
    Result<QList<WorkerRecord>> workers() override;
    Result<QList<TimerRecord>> pendingTimers(int limit) override;
    Result<void> fireTimerNow(qint64 flowId, const QDateTime &now) override;
    Result<int> fireDueTimers(const QDateTime &now) override;
    Result<FiredTimers> fireAndClaimDue(const QString &owner, const Clock &clock,
                                        std::chrono::milliseconds leaseDuration, int limit,
                                        const ClaimFilter &types = {}) override;
    Result<QList<StealRecord>> steals(int limit) override;
    Result<SignalSent> sendSignal(qint64 flowId, const QString &name, const QByteArray &payloadJson,
                                  const QDateTime &now) override;
    Result<QList<SignalRecord>> flowSignals(qint64 flowId) override;
    /// Checkpoints and truncates the write-ahead log, and keeps it small from then on.
    Result<void> reclaimSpace() override;

private:
    class Private;
    explicit SqliteExecutionLog(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace ergon
