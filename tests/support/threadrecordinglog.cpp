#include "threadrecordinglog.h"

namespace ergon::test {

void ThreadRecord::record(const char *method)
{
    QMutexLocker locker(&m_mutex);
    ++m_total;
    m_calls.append({QThread::currentThread(), QString::fromLatin1(method)});
}

QStringList ThreadRecord::callsOn(const QThread *thread) const
{
    QMutexLocker locker(&m_mutex);
    QStringList methods;
    for (const auto &[where, method] : m_calls) {
        if (where == thread)
            methods.append(method);
    }
    return methods;
}

int ThreadRecord::total() const
{
    QMutexLocker locker(&m_mutex);
    return m_total;
}

ThreadRecordingLog::ThreadRecordingLog(std::unique_ptr<ExecutionLog> log, std::shared_ptr<ThreadRecord> record)
    : m_log(std::move(log))
    , m_record(std::move(record))
{
}

ThreadRecordingLog::~ThreadRecordingLog() = default;

ThreadRecordingLog::Opener ThreadRecordingLog::wrap(Opener opener, std::shared_ptr<ThreadRecord> record)
{
    return [opener = std::move(opener), record = std::move(record)]() -> Result<std::unique_ptr<ExecutionLog>> {
        record->record("open");
        auto log = opener();
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(std::make_unique<ThreadRecordingLog>(log.take(), record));
    };
}

QString ThreadRecordingLog::location() const
{
    m_record->record("location");
    return m_log->location();
}

Result<QList<qint64>> ThreadRecordingLog::scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now)
{
    m_record->record("scheduleFlows");
    return m_log->scheduleFlows(flows, now);
}

Result<std::optional<FlowRecord>> ThreadRecordingLog::flow(qint64 id)
{
    m_record->record("flow");
    return m_log->flow(id);
}

Result<QList<StepRecord>> ThreadRecordingLog::steps(qint64 flowId, bool withAttempts)
{
    m_record->record("steps");
    return m_log->steps(flowId, withAttempts);
}

Result<QList<FlowRecord>> ThreadRecordingLog::flows(const FlowQuery &query)
{
    m_record->record("flows");
    return m_log->flows(query);
}

Result<QList<FlowText>> ThreadRecordingLog::flowTexts(qint64 afterId, int limit)
{
    m_record->record("flowTexts");
    return m_log->flowTexts(afterId, limit);
}

Result<QMap<FlowStatus, qint64>> ThreadRecordingLog::countByStatus()
{
    m_record->record("countByStatus");
    return m_log->countByStatus();
}

Result<QList<qint64>> ThreadRecordingLog::claimDue(const QString &owner, const QDateTime &now,
                                                   const QDateTime &leaseUntil, int limit, const ClaimFilter &types)
{
    m_record->record("claimDue");
    return m_log->claimDue(owner, now, leaseUntil, limit, types);
}

Result<QList<ClaimedFlow>> ThreadRecordingLog::claimDueStarted(const QString &owner, const QDateTime &now,
                                                               const QDateTime &leaseUntil, int limit,
                                                               const ClaimFilter &types)
{
    m_record->record("claimDueStarted");
    return m_log->claimDueStarted(owner, now, leaseUntil, limit, types);
}

Result<int> ThreadRecordingLog::renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil)
{
    m_record->record("renewLeases");
    return m_log->renewLeases(owner, now, leaseUntil);
}

Result<int> ThreadRecordingLog::releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted)
{
    m_record->record("releaseFlows");
    return m_log->releaseFlows(owner, now, onlyNotStarted);
}

Result<QList<StealRecord>> ThreadRecordingLog::stealFlows(const QString &thief, const QDateTime &now,
                                                          const QDateTime &leaseUntil, int limit,
                                                          const ClaimFilter &types)
{
    m_record->record("stealFlows");
    return m_log->stealFlows(thief, now, leaseUntil, limit, types);
}

Result<QList<std::pair<qint64, QDateTime>>> ThreadRecordingLog::upcoming(const QDateTime &now, const QDateTime &horizon,
                                                                         int limit)
{
    m_record->record("upcoming");
    return m_log->upcoming(now, horizon, limit);
}

Result<qint64> ThreadRecordingLog::registerWorker(const WorkerRecord &worker)
{
    m_record->record("registerWorker");
    return m_log->registerWorker(worker);
}

Result<void> ThreadRecordingLog::heartbeat(const WorkerRecord &worker, const QDateTime &lostBefore)
{
    m_record->record("heartbeat");
    return m_log->heartbeat(worker, lostBefore);
}

Result<void> ThreadRecordingLog::updateWorkerCounters(const WorkerRecord &worker)
{
    m_record->record("updateWorkerCounters");
    return m_log->updateWorkerCounters(worker);
}

Result<QList<WorkerRecord>> ThreadRecordingLog::workers()
{
    m_record->record("workers");
    return m_log->workers();
}

Result<int> ThreadRecordingLog::forgetWorkers(const QList<qint64> &runs, const QDateTime &now)
{
    m_record->record("forgetWorkers");
    return m_log->forgetWorkers(runs, now);
}

Result<QList<TimerRecord>> ThreadRecordingLog::pendingTimers(int limit)
{
    m_record->record("pendingTimers");
    return m_log->pendingTimers(limit);
}

Result<void> ThreadRecordingLog::fireTimerNow(qint64 flowId, const QDateTime &now)
{
    m_record->record("fireTimerNow");
    return m_log->fireTimerNow(flowId, now);
}

Result<int> ThreadRecordingLog::fireDueTimers(const QDateTime &now)
{
    m_record->record("fireDueTimers");
    return m_log->fireDueTimers(now);
}

Result<FiredTimers> ThreadRecordingLog::fireAndClaimDue(const QString &owner, const Clock &clock,
                                                        std::chrono::milliseconds leaseDuration, int limit,
                                                        const ClaimFilter &types)
{
    m_record->record("fireAndClaimDue");
    return m_log->fireAndClaimDue(owner, clock, leaseDuration, limit, types);
}

Result<QList<StealRecord>> ThreadRecordingLog::steals(int limit)
{
    m_record->record("steals");
    return m_log->steals(limit);
}

Result<SignalSent> ThreadRecordingLog::sendSignal(qint64 flowId, const QString &name, const QByteArray &payloadJson,
                                                  const QDateTime &now)
{
    m_record->record("sendSignal");
    return m_log->sendSignal(flowId, name, payloadJson, now);
}

Result<QList<SignalRecord>> ThreadRecordingLog::flowSignals(qint64 flowId)
{
    m_record->record("flowSignals");
    return m_log->flowSignals(flowId);
}

Result<WriteOutcome> ThreadRecordingLog::commit(const LogBatch &batch)
{
    m_record->record("commit");
    return m_log->commit(batch);
}

Result<void> ThreadRecordingLog::retryFlow(qint64 id, const QString &stepName, const QDateTime &now)
{
    m_record->record("retryFlow");
    return m_log->retryFlow(id, stepName, now);
}

Result<void> ThreadRecordingLog::cancelFlow(qint64 id, const QDateTime &now)
{
    m_record->record("cancelFlow");
    return m_log->cancelFlow(id, now);
}

std::optional<QDateTime> ThreadRecordingLog::serverNow()
{
    m_record->record("serverNow");
    return m_log->serverNow();
}

void ThreadRecordingLog::setWorkListener(std::function<void(const QDateTime &due)> listener)
{
    m_record->record("setWorkListener");
    m_log->setWorkListener(std::move(listener));
}

} // namespace ergon::test
