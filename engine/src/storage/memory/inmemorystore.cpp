#include "storage/memory/inmemorystore.h"

#include "storage/logbatchrules.h"

#include <algorithm>

namespace ergon {

FlowRecord InMemoryExecutionLog::Store::withProgress(const FlowRecord &flow) const
{
    FlowRecord copy = flow;
    const QList<StepRecord> &recorded = steps.value(flow.id);
    copy.stepCount = int(recorded.size());
    if (flow.status != FlowStatus::Waiting)
        return copy;
    for (auto step = recorded.crbegin(); step != recorded.crend(); ++step) {
        if (step->status == StepStatus::Running && (step->kind == StepKind::Timer || step->kind == StepKind::Signal)) {
            copy.waitingFor = FlowWait{step->kind, step->name, step->nextAttemptAt};
            break;
        }
    }
    return copy;
}

} // namespace ergon

namespace ergon::detail {

bool claimable(const FlowRecord &flow, const QString &owner, const QDateTime &now)
{
    const bool queuedAndDue =
        (flow.status == FlowStatus::Pending || flow.status == FlowStatus::Waiting) && flow.runAt <= now;
    const bool leaseFree = flow.status == FlowStatus::Running && (flow.leaseExpires < now || flow.leaseOwner == owner);
    return queuedAndDue || leaseFree;
}

namespace {

void applyUpdate(FlowRecord &flow, const FlowUpdate &update)
{
    flow.status = update.status;
    if (!update.resultJson.isEmpty())
        flow.resultJson = update.resultJson;
    flow.error = update.error;
    if (update.runAt.isValid())
        flow.runAt = update.runAt;
    flow.updated = update.updated;
    if (isFinished(update.status))
        flow.finished = update.updated;
    if (update.releaseLease) {
        flow.leaseOwner.clear();
        flow.leaseExpires = QDateTime();
        flow.runStarted = QDateTime();
    }
}

void upsertStep(QList<StepRecord> &steps, const StepRecord &step)
{
    auto it = std::lower_bound(steps.begin(), steps.end(), step.seq,
                               [](const StepRecord &existing, int seq) { return existing.seq < seq; });
    if (it != steps.end() && it->seq == step.seq) {
        if (it->status == StepStatus::Completed)
            return; // a completed step is recorded exactly once
        QList<AttemptRecord> attempts = std::move(it->attemptLog);
        *it = step;
        it->attemptLog = std::move(attempts);
        return;
    }
    StepRecord stored = step;
    stored.attemptLog.clear();
    steps.insert(it, std::move(stored));
}

/// The in-memory store's writes for applyLogBatch(), under the store's mutex.
class StoreBatchWriter final : public LogBatchWriter
{
public:
    explicit StoreBatchWriter(InMemoryExecutionLog::Store &store)
        : m_store(store)
    {
    }

    Result<std::optional<ClaimedFlow>> claim(const FlowClaim &claim) override;
    Result<QList<qint64>> notHeldBy(const QString &writer, const QList<qint64> &flowIds) override;
    Result<void> writeStep(const StepRecord &step) override;
    Result<void> writeAttempt(const AttemptWrite &write) override;
    Result<bool> updateFlow(const FlowUpdate &update) override;
    Result<std::optional<QByteArray>> takeSignal(qint64 flowId, const QString &name, int seq,
                                                 const QDateTime &now) override;

private:
    bool holds(qint64 flowId, const QString &owner) const
    {
        const auto it = m_store.flows.constFind(flowId);
        return it != m_store.flows.cend() && it->leaseOwner == owner && it->status == FlowStatus::Running;
    }

    InMemoryExecutionLog::Store &m_store;
};

Result<std::optional<ClaimedFlow>> StoreBatchWriter::claim(const FlowClaim &claim)
{
    std::optional<ClaimedFlow> claimed;
    const auto it = m_store.flows.find(claim.flowId);
    if (it == m_store.flows.end() || !claimable(*it, claim.owner, claim.now))
        return claimed;
    it->status = FlowStatus::Running;
    it->leaseOwner = claim.owner;
    it->leaseExpires = claim.leaseUntil;
    it->runStarted = claim.now;
    it->updated = claim.now;
    const FlowRecord record = m_store.withProgress(*it);
    claimed = ClaimedFlow{record, record.stepCount > 0, std::nullopt};
    return claimed;
}

Result<QList<qint64>> StoreBatchWriter::notHeldBy(const QString &writer, const QList<qint64> &flowIds)
{
    QList<qint64> unheld;
    for (const qint64 id : flowIds) {
        if (!holds(id, writer))
            unheld.append(id);
    }
    return unheld;
}

Result<void> StoreBatchWriter::writeStep(const StepRecord &step)
{
    upsertStep(m_store.steps[step.flowId], step);
    return {};
}

Result<void> StoreBatchWriter::writeAttempt(const AttemptWrite &write)
{
    QList<StepRecord> &steps = m_store.steps[write.flowId];
    const auto step = std::find_if(steps.begin(), steps.end(), [&](const StepRecord &s) { return s.seq == write.seq; });
    if (step == steps.end())
        return {};
    const bool known = std::any_of(step->attemptLog.cbegin(), step->attemptLog.cend(),
                                   [&](const AttemptRecord &a) { return a.number == write.attempt.number; });
    if (!known)
        step->attemptLog.append(write.attempt);
    return {};
}

Result<bool> StoreBatchWriter::updateFlow(const FlowUpdate &update)
{
    const auto it = m_store.flows.find(update.flowId);
    if (it == m_store.flows.end())
        return false;
    if (!update.leaseOwner.isEmpty() && !holds(update.flowId, update.leaseOwner))
        return false;
    applyUpdate(*it, update);
    return true;
}
Result<std::optional<QByteArray>> StoreBatchWriter::takeSignal(qint64 flowId, const QString &name, int seq,
                                                               const QDateTime &now)
{
    std::optional<QByteArray> payload;
    for (SignalRecord &signal : m_store.sentSignals) {
        if (signal.flowId == flowId && signal.name == name && !signal.consumed.isValid()) {
            signal.consumed = now;
            signal.consumedSeq = seq;
            payload = signal.payloadJson;
            break;
        }
    }
    return payload;
}
} // namespace

Result<WriteOutcome> commitToStore(InMemoryExecutionLog::Store &store, const LogBatch &batch)
{
    StoreBatchWriter writer(store);
    return applyLogBatch(batch, writer);
}

} // namespace ergon::detail
