#include "ergon/inmemoryexecutionlog.h"

#include "ergon/jsontext.h"

#include "storage/memory/inmemorystore.h"

#include <QMutex>

#include <algorithm>
#include <functional>

namespace ergon {

namespace {
Error notFound(qint64 id)
{
    return Error(QStringLiteral("no flow with id %1").arg(id), QStringLiteral("not-found"));
}

bool matches(const FlowRecord &flow, const FlowQuery &query)
{
    if (query.status && flow.status != *query.status)
        return false;
    if (!query.type.isEmpty() && flow.type != query.type)
        return false;
    if (!query.text.isEmpty() && QString::number(flow.id) != query.text &&
        !QString::fromUtf8(toJsonText(flow.arguments)).contains(query.text, Qt::CaseInsensitive))
        return false;
    return true;
}

} // namespace

InMemoryExecutionLog::InMemoryExecutionLog()
    : m_store(std::make_shared<Store>())
{
}

InMemoryExecutionLog::InMemoryExecutionLog(std::shared_ptr<Store> store)
    : m_store(std::move(store))
{
}

InMemoryExecutionLog::~InMemoryExecutionLog() = default;

QString InMemoryExecutionLog::location() const
{
    return QStringLiteral("memory");
}

Result<QList<qint64>> InMemoryExecutionLog::scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now)
{
    QMutexLocker lock(&m_store->mutex);
    QList<qint64> ids;
    ids.reserve(flows.size());
    for (const NewFlow &flow : flows) {
        if (!flow.idempotencyKey.isEmpty()) {
            if (const auto it = m_store->idempotencyKeys.constFind(flow.idempotencyKey);
                it != m_store->idempotencyKeys.cend()) {
                ids.append(*it);
                continue;
            }
        }
        FlowRecord record;
        record.id = m_store->nextId++;
        record.type = flow.type;
        record.typeVersion = flow.typeVersion;
        record.plugin = flow.plugin;
        record.arguments = flow.arguments;
        record.priority = flow.priority;
        record.runAt = flow.runAt.isValid() ? flow.runAt : now;
        record.idempotencyKey = flow.idempotencyKey;
        record.created = now;
        record.updated = now;
        if (!flow.idempotencyKey.isEmpty())
            m_store->idempotencyKeys.insert(flow.idempotencyKey, record.id);
        ids.append(record.id);
        m_store->flows[record.id] = std::move(record); // QMap::insert() only copies
    }
    return ids;
}

Result<std::optional<FlowRecord>> InMemoryExecutionLog::flow(qint64 id)
{
    QMutexLocker lock(&m_store->mutex);
    const auto it = m_store->flows.constFind(id);
    if (it == m_store->flows.cend())
        return std::optional<FlowRecord>();
    return std::optional<FlowRecord>(m_store->withProgress(*it));
}

Result<QList<StepRecord>> InMemoryExecutionLog::steps(qint64 flowId, bool withAttempts)
{
    QMutexLocker lock(&m_store->mutex);
    QList<StepRecord> steps = m_store->steps.value(flowId);
    for (StepRecord &step : steps) {
        if (withAttempts)
            completeAttemptLog(step);
        else
            step.attemptLog.clear();
    }
    return steps;
}

Result<QList<FlowRecord>> InMemoryExecutionLog::flows(const FlowQuery &query)
{
    QMutexLocker lock(&m_store->mutex);
    QList<FlowRecord> page;
    int skipped = 0;
    const auto take = [&](const FlowRecord &flow) {
        if (!matches(flow, query) || skipped++ < query.offset)
            return;
        page.append(m_store->withProgress(flow));
    };
    if (query.ids) {
        QList<qint64> ids = *query.ids;
        std::sort(ids.begin(), ids.end(), std::greater<>());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        for (auto id = ids.cbegin(); id != ids.cend() && page.size() < query.limit; ++id) {
            if (const auto it = m_store->flows.constFind(*id); it != m_store->flows.cend())
                take(*it);
        }
        return page;
    }
    for (auto it = m_store->flows.cend(); it != m_store->flows.cbegin() && page.size() < query.limit;) {
        --it;
        take(*it);
    }
    return page;
}

Result<QList<FlowText>> InMemoryExecutionLog::flowTexts(qint64 afterId, int limit)
{
    QMutexLocker lock(&m_store->mutex);
    QList<FlowText> texts;
    for (auto it = m_store->flows.upperBound(afterId); it != m_store->flows.cend() && texts.size() < limit; ++it)
        texts.append(FlowText{it.key(), toJsonText(it->arguments)});
    return texts;
}

Result<QMap<FlowStatus, qint64>> InMemoryExecutionLog::countByStatus()
{
    QMutexLocker lock(&m_store->mutex);
    QMap<FlowStatus, qint64> counts;
    for (const FlowRecord &flow : std::as_const(m_store->flows))
        ++counts[flow.status];
    return counts;
}

Result<WriteOutcome> InMemoryExecutionLog::commit(const LogBatch &batch)
{
    QMutexLocker lock(&m_store->mutex);
    return detail::commitToStore(*m_store, batch);
}

Result<void> InMemoryExecutionLog::retryFlow(qint64 id, const QString &stepName, const QDateTime &now)
{
    QMutexLocker lock(&m_store->mutex);
    const auto it = m_store->flows.find(id);
    if (it == m_store->flows.end())
        return notFound(id);
    if (it->status != FlowStatus::Failed)
        return Error(QStringLiteral("flow %1 is %2, not failed: nothing to retry").arg(id).arg(toString(it->status)),
                     QStringLiteral("not-failed"));
    QList<StepRecord> &steps = m_store->steps[id];
    const auto isTarget = [&](const StepRecord &step) {
        return step.status == StepStatus::Failed && (stepName.isEmpty() || step.name == stepName);
    };
    if (!stepName.isEmpty() && std::none_of(steps.cbegin(), steps.cend(), isTarget))
        return Error(QStringLiteral("flow %1 has no failed step '%2'").arg(id).arg(stepName),
                     QStringLiteral("not-found"));
    for (StepRecord &step : steps) {
        if (!isTarget(step))
            continue;
        step.status = StepStatus::Retrying;
        step.retryBase = step.attempts;
        step.nextAttemptAt = QDateTime();
        step.finished = QDateTime();
    }
    it->status = FlowStatus::Pending;
    it->error.clear();
    it->runAt = now;
    it->updated = now;
    it->finished = QDateTime();
    it->leaseOwner.clear();
    it->leaseExpires = QDateTime();
    it->runStarted = QDateTime();
    return {};
}

Result<void> InMemoryExecutionLog::cancelFlow(qint64 id, const QDateTime &now)
{
    QMutexLocker lock(&m_store->mutex);
    const auto it = m_store->flows.find(id);
    if (it == m_store->flows.end())
        return notFound(id);
    if (isFinished(it->status))
        return Error(QStringLiteral("flow %1 is already %2").arg(id).arg(toString(it->status)),
                     QStringLiteral("finished"));
    it->status = FlowStatus::Cancelled;
    it->updated = now;
    it->finished = now;
    it->leaseOwner.clear();
    it->leaseExpires = QDateTime();
    it->runStarted = QDateTime();
    return {};
}

namespace {
/// Leases the first `limit` candidates in claim order (priority, then due time) to `owner`,
/// not yet started; returns their ids.
QList<qint64> leaseInClaimOrder(QList<FlowRecord *> &candidates, int limit, const QString &owner, const QDateTime &now,
                                const QDateTime &leaseUntil)
{
    std::sort(candidates.begin(), candidates.end(), [](const FlowRecord *a, const FlowRecord *b) {
        return a->priority != b->priority ? a->priority > b->priority
                                          : (a->runAt != b->runAt ? a->runAt < b->runAt : a->id < b->id);
    });
    QList<qint64> claimed;
    for (FlowRecord *flow : std::as_const(candidates)) {
        if (claimed.size() >= limit)
            break;
        flow->status = FlowStatus::Running;
        flow->leaseOwner = owner;
        flow->leaseExpires = leaseUntil;
        flow->runStarted = QDateTime();
        flow->updated = now;
        claimed.append(flow->id);
    }
    return claimed;
}
} // namespace

Result<QList<qint64>> InMemoryExecutionLog::claimDue(const QString &owner, const QDateTime &now,
                                                     const QDateTime &leaseUntil, int limit, const ClaimFilter &types)
{
    QMutexLocker lock(&m_store->mutex);
    QList<FlowRecord *> candidates;
    for (FlowRecord &flow : m_store->flows) {
        if (!types.accepts(flow.type, flow.plugin))
            continue;
        const bool due =
            (flow.status == FlowStatus::Pending || flow.status == FlowStatus::Waiting) && flow.runAt <= now;
        const bool expired = flow.status == FlowStatus::Running && flow.leaseExpires < now;
        if (due || expired)
            candidates.append(&flow);
    }
    return leaseInClaimOrder(candidates, limit, owner, now, leaseUntil);
}

Result<int> InMemoryExecutionLog::renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil)
{
    QMutexLocker lock(&m_store->mutex);
    int renewed = 0;
    for (FlowRecord &flow : m_store->flows) {
        if (flow.status == FlowStatus::Running && flow.leaseOwner == owner) {
            flow.leaseExpires = leaseUntil;
            flow.updated = now;
            ++renewed;
        }
    }
    return renewed;
}

Result<int> InMemoryExecutionLog::releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted)
{
    QMutexLocker lock(&m_store->mutex);
    int released = 0;
    for (FlowRecord &flow : m_store->flows) {
        if (flow.status != FlowStatus::Running || flow.leaseOwner != owner ||
            (onlyNotStarted && flow.runStarted.isValid()))
            continue;
        flow.status = FlowStatus::Pending;
        flow.leaseOwner.clear();
        flow.leaseExpires = QDateTime();
        flow.runStarted = QDateTime();
        flow.updated = now;
        ++released;
    }
    return released;
}

Result<QList<StealRecord>> InMemoryExecutionLog::stealFlows(const QString &thief, const QDateTime &now,
                                                            const QDateTime &leaseUntil, int limit,
                                                            const ClaimFilter &types)
{
    QMutexLocker lock(&m_store->mutex);
    QHash<QString, QList<FlowRecord *>> queues;
    for (FlowRecord &flow : m_store->flows) {
        if (flow.status == FlowStatus::Running && !flow.runStarted.isValid() && !flow.leaseOwner.isEmpty() &&
            flow.leaseOwner != thief && flow.leaseExpires >= now && types.accepts(flow.type, flow.plugin))
            queues[flow.leaseOwner].append(&flow);
    }
    QString victim;
    for (auto it = queues.cbegin(); it != queues.cend(); ++it) {
        if (victim.isEmpty() || it->size() > queues.value(victim).size())
            victim = it.key();
    }
    QList<StealRecord> stolen;
    if (victim.isEmpty() || limit <= 0)
        return stolen;
    QList<FlowRecord *> queue = queues.value(victim);
    std::sort(queue.begin(), queue.end(), [](const FlowRecord *a, const FlowRecord *b) {
        return a->priority != b->priority ? a->priority > b->priority : a->runAt < b->runAt;
    });
    const qsizetype take = std::min<qsizetype>(limit, (queue.size() + 1) / 2);
    for (qsizetype i = 0; i < take; ++i) {
        FlowRecord *flow = queue.at(i);
        flow->leaseOwner = thief;
        flow->leaseExpires = leaseUntil;
        flow->updated = now;
        stolen.append(StealRecord{flow->id, victim, thief, now});
    }
    m_store->steals.append(stolen);
    m_store->workers.countSteals(thief, stolen.size());
    return stolen;
}

Result<QList<std::pair<qint64, QDateTime>>> InMemoryExecutionLog::upcoming(const QDateTime &now,
                                                                           const QDateTime &horizon, int limit)
{
    QMutexLocker lock(&m_store->mutex);
    QList<std::pair<qint64, QDateTime>> due;
    for (const FlowRecord &flow : std::as_const(m_store->flows)) {
        if ((flow.status == FlowStatus::Pending || flow.status == FlowStatus::Waiting) && flow.runAt > now &&
            flow.runAt <= horizon)
            due.append({flow.id, flow.runAt});
    }
    std::sort(due.begin(), due.end(), [](const auto &a, const auto &b) { return a.second < b.second; });
    if (due.size() > limit)
        due.resize(limit);
    return due;
}

Result<qint64> InMemoryExecutionLog::registerWorker(const WorkerRecord &worker)
{
    QMutexLocker lock(&m_store->mutex);
    return m_store->workers.registerRun(worker);
}

Result<void> InMemoryExecutionLog::heartbeat(const WorkerRecord &worker, const QDateTime &now)
{
    QMutexLocker lock(&m_store->mutex);
    m_store->workers.beat(worker, now);
    return {};
}

Result<void> InMemoryExecutionLog::updateWorkerCounters(const WorkerRecord &worker)
{
    QMutexLocker lock(&m_store->mutex);
    m_store->workers.updateCounters(worker);
    return {};
}

Result<QList<WorkerRecord>> InMemoryExecutionLog::workers()
{
    QMutexLocker lock(&m_store->mutex);
    return m_store->workers.list();
}

Result<int> InMemoryExecutionLog::forgetWorkers(const QList<qint64> &runs, const QDateTime &now)
{
    QMutexLocker lock(&m_store->mutex);
    return m_store->workers.forget(runs, now);
}

Result<QList<TimerRecord>> InMemoryExecutionLog::pendingTimers(int limit)
{
    QMutexLocker lock(&m_store->mutex);
    QList<TimerRecord> timers;
    for (auto it = m_store->steps.cbegin(); it != m_store->steps.cend(); ++it) {
        const auto flow = m_store->flows.constFind(it.key());
        if (flow == m_store->flows.cend() || isFinished(flow->status))
            continue;
        for (const StepRecord &step : *it) {
            if (step.kind == StepKind::Timer && step.status != StepStatus::Completed && step.nextAttemptAt.isValid())
                timers.append(TimerRecord{step.flowId, step.seq, step.name, flow->type, step.nextAttemptAt});
        }
    }
    std::sort(timers.begin(), timers.end(),
              [](const TimerRecord &a, const TimerRecord &b) { return a.fireAt < b.fireAt; });
    if (timers.size() > limit)
        timers.resize(limit);
    return timers;
}

Result<void> InMemoryExecutionLog::fireTimerNow(qint64 flowId, const QDateTime &now)
{
    QMutexLocker lock(&m_store->mutex);
    const auto flow = m_store->flows.find(flowId);
    if (flow == m_store->flows.end() || flow->status != FlowStatus::Waiting)
        return Error(QStringLiteral("flow %1 is not waiting on a timer").arg(flowId), QStringLiteral("not-waiting"));
    flow->runAt = now;
    flow->updated = now;
    for (StepRecord &step : m_store->steps[flowId]) {
        if (step.kind == StepKind::Timer && step.status == StepStatus::Running)
            step.nextAttemptAt = now;
    }
    return {};
}

Result<int> InMemoryExecutionLog::fireDueTimers(const QDateTime &now)
{
    QMutexLocker lock(&m_store->mutex);
    return fireDue(now);
}

int InMemoryExecutionLog::fireDue(const QDateTime &now)
{
    int fired = 0;
    for (const FlowRecord &flow : std::as_const(m_store->flows)) {
        if (flow.status != FlowStatus::Waiting)
            continue;
        for (StepRecord &step : m_store->steps[flow.id]) {
            if (step.kind == StepKind::Timer && step.status == StepStatus::Running && step.nextAttemptAt.isValid() &&
                step.nextAttemptAt <= now) {
                step.status = StepStatus::Completed;
                step.finished = now;
                ++fired;
            }
        }
    }
    return fired;
}

Result<FiredTimers> InMemoryExecutionLog::fireAndClaimDue(const QString &owner, const Clock &clock,
                                                          std::chrono::milliseconds leaseDuration, int limit,
                                                          const ClaimFilter &types)
{
    QMutexLocker lock(&m_store->mutex);
    const QDateTime now = clock.now(); // under the lock: see ExecutionLog::fireAndClaimDue()
    const QDateTime leaseUntil = now.addMSecs(leaseDuration.count());
    FiredTimers result;
    result.fired = fireDue(now);
    QList<FlowRecord *> due;
    for (FlowRecord &flow : m_store->flows) {
        if (flow.status == FlowStatus::Waiting && flow.runAt <= now && types.accepts(flow.type, flow.plugin))
            due.append(&flow);
    }
    result.claimed = leaseInClaimOrder(due, limit, owner, now, leaseUntil);
    return result;
}

Result<QList<StealRecord>> InMemoryExecutionLog::steals(int limit)
{
    QMutexLocker lock(&m_store->mutex);
    QList<StealRecord> recent;
    for (qsizetype i = m_store->steals.size() - 1; i >= 0 && recent.size() < limit; --i)
        recent.append(m_store->steals.at(i));
    return recent;
}

Result<SignalSent> InMemoryExecutionLog::sendSignal(qint64 flowId, const QString &name, const QByteArray &payloadJson,
                                                    const QDateTime &now)
{
    QMutexLocker lock(&m_store->mutex);
    const auto flow = m_store->flows.find(flowId);
    if (flow == m_store->flows.end())
        return notFound(flowId);
    if (isFinished(flow->status))
        return Error(QStringLiteral("flow %1 is already %2").arg(flowId).arg(toString(flow->status)),
                     QStringLiteral("finished"));
    SignalRecord signal;
    signal.id = m_store->nextSignalId++;
    signal.flowId = flowId;
    signal.name = name;
    signal.payloadJson = payloadJson.isEmpty() ? QByteArrayLiteral("null") : payloadJson;
    signal.created = now;
    m_store->sentSignals.append(signal);

    SignalSent sent{signal.id, false};
    if (flow->status != FlowStatus::Waiting || flow->runAt <= now)
        return sent;
    const QList<StepRecord> &steps = m_store->steps[flowId];
    sent.woke = std::any_of(steps.cbegin(), steps.cend(), [&](const StepRecord &step) {
        return step.kind == StepKind::Signal && step.status == StepStatus::Running && step.name == name;
    });
    if (sent.woke) {
        flow->runAt = now;
        flow->updated = now;
    }
    return sent;
}

Result<QList<SignalRecord>> InMemoryExecutionLog::flowSignals(qint64 flowId)
{
    QMutexLocker lock(&m_store->mutex);
    QList<SignalRecord> sent;
    for (const SignalRecord &signal : std::as_const(m_store->sentSignals)) {
        if (signal.flowId == flowId)
            sent.append(signal);
    }
    return sent;
}

} // namespace ergon
