#pragma once

#include "executionlog.h"

#include <memory>

namespace ergon {

/// An ExecutionLog held in memory, for tests and demos. Several InMemoryExecutionLog objects
/// may share one store (one per thread, like connections); the store is guarded by a mutex.
class InMemoryExecutionLog final : public ExecutionLog
{
public:
    class Store;

    /// A log with a new, empty store.
    InMemoryExecutionLog();
    /// Another connection to an existing store.
    explicit InMemoryExecutionLog(std::shared_ptr<Store> store);
    ~InMemoryExecutionLog() override;

    std::shared_ptr<Store> store() const { return m_store; }

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

private:
    int fireDue(const QDateTime &now); ///< under the store's lock
    std::shared_ptr<Store> m_store;
};

} // namespace ergon
