#pragma once

#include "executionlog.h"

#include <memory>

namespace ergon {

/// The embedded default: one SQLite file (WAL), shared by any number of threads and processes
/// on one host, each with its own connection.
///
/// Writes run in BEGIN IMMEDIATE transactions so that two writers queue on the busy timeout
/// instead of failing; every statement is prepared once and bound. The schema is versioned
/// with PRAGMA user_version and migrated step by step; a file from a newer version, a file that
/// is not an SQLite database, or an SQLite database of another application is refused with a
/// clear error and left untouched. A file without write permission opens read-only.
class SqliteExecutionLog final : public ExecutionLog
{
public:
    enum class Synchronous { Normal, Full };
    struct Options {
        Synchronous synchronous = Synchronous::Normal;
        int busyTimeoutMs = 5000;
    };

    /// The schema version this build writes.
    static constexpr int schemaVersion = 4;

    static Result<std::unique_ptr<SqliteExecutionLog>> open(const QString &path, Options options);
    static Result<std::unique_ptr<SqliteExecutionLog>> open(const QString &path) { return open(path, Options()); }
    ~SqliteExecutionLog() override;

    bool isReadOnly() const;

    QString location() const override;
    Result<QList<qint64>> scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now) override;
    Result<std::optional<FlowRecord>> flow(qint64 id) override;
    Result<QList<StepRecord>> steps(qint64 flowId, bool withAttempts) override;
    Result<QList<FlowRecord>> flows(const FlowQuery &query) override;
    Result<QMap<FlowStatus, qint64>> countByStatus() override;
    Result<QList<FlowText>> flowTexts(qint64 afterId, int limit) override;
    Result<bool> claimFlow(qint64 id, const QString &owner, const QDateTime &now, const QDateTime &leaseUntil) override;
    Result<WriteOutcome> commit(const LogBatch &batch) override;
    Result<void> retryFlow(qint64 id, const QString &stepName, const QDateTime &now) override;
    Result<void> cancelFlow(qint64 id, const QDateTime &now) override;
    Result<QList<qint64>> claimDue(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil, int limit,
                                   const QStringList &types) override;
    Result<QList<ClaimedFlow>> claimDueStarted(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil,
                                               int limit, const QStringList &types = {}) override;
    Result<int> renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil) override;
    Result<int> releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted) override;
    Result<QList<StealRecord>> stealFlows(const QString &thief, const QDateTime &now, const QDateTime &leaseUntil,
                                          int limit) override;
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
                                        const QStringList &types = {}) override;
    Result<QList<StealRecord>> steals(int limit) override;

private:
    class Private;
    explicit SqliteExecutionLog(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace ergon
