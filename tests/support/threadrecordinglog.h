#pragma once

#include <ergon/executionlog.h>
#include <ergon/result.h>

#include <QMutex>
#include <QStringList>
#include <QThread>

#include <functional>
#include <memory>

namespace ergon::test {

/// Where the ExecutionLog calls of a test ran: every call through a ThreadRecordingLog adds its
/// method and thread here. Shared by all the connections an opener makes, from any thread.
class ThreadRecord
{
public:
    void record(const char *method);
    /// Calls made on the given thread (e.g. the GUI thread), as "method" names, in order.
    QStringList callsOn(const QThread *thread) const;
    /// Every call recorded so far.
    int total() const;

private:
    mutable QMutex m_mutex;
    QList<std::pair<const QThread *, QString>> m_calls;
    int m_total = 0;
};

/// A decorator of an ExecutionLog that records the thread of every call, then forwards it.
/// Tests wrap an opener's logs in it to prove that nothing reads or writes the log from the
/// GUI thread.
class ThreadRecordingLog final : public ExecutionLog
{
public:
    ThreadRecordingLog(std::unique_ptr<ExecutionLog> log, std::shared_ptr<ThreadRecord> record);
    ~ThreadRecordingLog() override;

    /// Wraps an opener: every log it opens records into `record`.
    using Opener = std::function<Result<std::unique_ptr<ExecutionLog>>()>;
    static Opener wrap(Opener opener, std::shared_ptr<ThreadRecord> record);

    QString location() const override;
    Result<QList<qint64>> scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now) override;
    Result<std::optional<FlowRecord>> flow(qint64 id) override;
    Result<QList<StepRecord>> steps(qint64 flowId, bool withAttempts) override;
    Result<QList<FlowRecord>> flows(const FlowQuery &query) override;
    Result<QMap<FlowStatus, qint64>> countByStatus() override;
    Result<QList<FlowText>> flowTexts(qint64 afterId, int limit) override;
    Result<QList<qint64>> claimDue(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil, int limit,
                                   const ClaimFilter &types) override;
    Result<QList<ClaimedFlow>> claimDueStarted(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil,
                                               int limit, const ClaimFilter &types) override;
    Result<int> renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil) override;
    Result<int> releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted) override;
    Result<QList<StealRecord>> stealFlows(const QString &thief, const QDateTime &now, const QDateTime &leaseUntil,
                                          int limit, const ClaimFilter &types = {}) override;
    Result<QList<std::pair<qint64, QDateTime>>> upcoming(const QDateTime &now, const QDateTime &horizon,
                                                         int limit) override;
    Result<qint64> registerWorker(const WorkerRecord &worker) override;
    Result<void> heartbeat(const WorkerRecord &worker, const QDateTime &lostBefore) override;
    Result<void> updateWorkerCounters(const WorkerRecord &worker) override;
    Result<QList<WorkerRecord>> workers() override;
    Result<int> forgetWorkers(const QList<qint64> &runs, const QDateTime &now) override;
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
    Result<WriteOutcome> commit(const LogBatch &batch) override;
    Result<void> retryFlow(qint64 id, const QString &stepName, const QDateTime &now) override;
    Result<void> cancelFlow(qint64 id, const QDateTime &now) override;
    std::optional<QDateTime> serverNow() override;
    void setWorkListener(std::function<void(const QDateTime &due)> listener) override;

private:
    std::unique_ptr<ExecutionLog> m_log;
    std::shared_ptr<ThreadRecord> m_record;
};

} // namespace ergon::test
