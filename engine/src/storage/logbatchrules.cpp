#include "storage/logbatchrules.h"

#include <QVarLengthArray>

#include <algorithm>

namespace ergon::detail {

namespace {
/// The flows each guarded writer of a batch writes to; most batches have one writer.
using FlowsByWriter = QVarLengthArray<std::pair<QString, QList<qint64>>, 2>;

QList<qint64> *flowsOf(FlowsByWriter &byWriter, const QString &writer)
{
    auto it = std::find_if(byWriter.begin(), byWriter.end(), [&](const auto &entry) { return entry.first == writer; });
    if (it == byWriter.end()) {
        byWriter.append({writer, {}});
        it = byWriter.end() - 1;
    }
    return &it->second;
}

void sortUnique(QList<qint64> &ids)
{
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

bool containsSorted(const QList<qint64> &ids, qint64 id)
{
    return std::binary_search(ids.cbegin(), ids.cend(), id);
}

/// Rule 2's question, per guarded writer: the flows whose writes need the lease decided before
/// anything is written. Every step's and signal wait's flow, under the step's worker. An update's flow only when
/// the batch writes something else of that flow (another writer's step, an administrative step,
/// an attempt) that the update's owner does not already answer for with its own steps: an
/// update that is its flow's only write is decided by its own guarded write, which refuses
/// exactly the same flows, so asking first would cost one lookup per finished flow for nothing.
FlowsByWriter flowsToDecide(const LogBatch &batch)
{
    FlowsByWriter byWriter;
    QList<qint64> *last = nullptr; // most steps of a batch are one worker's
    QString lastWriter;
    QList<qint64> unguarded; // flows with administrative steps or attempts: rare
    for (const StepRecord &step : batch.steps) {
        if (step.worker.isEmpty()) {
            unguarded.append(step.flowId);
            continue;
        }
        if (!last || step.worker != lastWriter) {
            last = flowsOf(byWriter, step.worker);
            lastWriter = step.worker;
        }
        last->append(step.flowId);
    }
    // A signal wait takes its signal before its park's guarded write: decided up front, as a step.
    for (const SignalWait &wait : batch.signalWaits) {
        if (wait.step.worker.isEmpty())
            unguarded.append(wait.step.flowId);
        else
            flowsOf(byWriter, wait.step.worker)->append(wait.step.flowId);
    }
    for (const AttemptWrite &write : batch.attempts)
        unguarded.append(write.flowId);
    sortUnique(unguarded);
    for (auto &entry : byWriter)
        sortUnique(entry.second);

    const auto hasOtherWrites = [&](const QString &owner, qint64 flowId) {
        if (containsSorted(unguarded, flowId))
            return true;
        return std::any_of(byWriter.cbegin(), byWriter.cend(), [&](const auto &entry) {
            return entry.first != owner && containsSorted(entry.second, flowId);
        });
    };
    QList<std::pair<QString, qint64>> updates; // added once the lookups above are done
    for (const FlowUpdate &update : batch.flows) {
        if (update.leaseOwner.isEmpty())
            continue; // administrative: not guarded
        const auto owner = std::find_if(byWriter.cbegin(), byWriter.cend(),
                                        [&](const auto &entry) { return entry.first == update.leaseOwner; });
        if (owner != byWriter.cend() && containsSorted(owner->second, update.flowId))
            continue; // decided with the owner's steps
        if (hasOtherWrites(update.leaseOwner, update.flowId))
            updates.append({update.leaseOwner, update.flowId});
    }
    if (!updates.isEmpty()) {
        for (const auto &[owner, flowId] : std::as_const(updates))
            flowsOf(byWriter, owner)->append(flowId);
        for (auto &entry : byWriter)
            sortUnique(entry.second);
    }
    return byWriter;
}

/// The stored result of a wait that received a signal: {"payload": <the payload's JSON text>}.
QByteArray deliveredResult(const QByteArray &payloadJson)
{
    return QByteArrayLiteral("{\"payload\":") + (payloadJson.isEmpty() ? QByteArrayLiteral("null") : payloadJson) +
        QByteArrayLiteral("}");
}

/// SignalWait's rule: take the oldest pending signal, else time out once due, else park.
Result<SettledWait> settleSignalWait(const SignalWait &wait, LogBatchWriter &writer, bool &refused)
{
    StepRecord step = wait.step;
    auto taken = writer.takeSignal(step.flowId, step.name, step.seq, wait.now);
    if (!taken)
        return taken.error();
    const bool timedOut = !*taken && step.nextAttemptAt.isValid() && step.nextAttemptAt <= wait.now;
    if (*taken || timedOut) {
        step.status = StepStatus::Completed;
        step.finished = wait.now;
        step.resultJson = *taken ? deliveredResult(**taken) : QByteArrayLiteral("{\"timeout\":true}");
    } else {
        step.status = StepStatus::Running;
    }
    if (auto written = writer.writeStep(step); !written)
        return written.error();
    if (step.status == StepStatus::Completed)
        return SettledWait{false, step.resultJson};

    FlowUpdate park;
    park.flowId = step.flowId;
    park.leaseOwner = step.worker;
    park.status = FlowStatus::Waiting;
    park.runAt = step.nextAttemptAt.isValid() ? step.nextAttemptAt : neverDue();
    park.updated = wait.now;
    park.releaseLease = true;
    auto parked = writer.updateFlow(park);
    if (!parked)
        return parked.error();
    refused = !*parked;
    return SettledWait{true, {}};
}
} // namespace

Result<WriteOutcome> applyLogBatch(const LogBatch &batch, LogBatchWriter &writer)
{
    WriteOutcome outcome;
    for (const FlowClaim &claim : batch.claims) {
        auto claimed = writer.claim(claim);
        if (!claimed)
            return claimed.error();
        if (*claimed)
            outcome.claimed.emplace(claim.flowId, std::move(**claimed)); // insert() would copy
    }

    for (const auto &[owner, ids] : flowsToDecide(batch)) {
        auto unheld = writer.notHeldBy(owner, ids);
        if (!unheld)
            return unheld.error();
        for (const qint64 id : std::as_const(*unheld))
            outcome.refused.insert(id);
    }

    for (const StepRecord &step : batch.steps) {
        if (outcome.refused.contains(step.flowId))
            continue;
        if (auto written = writer.writeStep(step); !written)
            return written.error();
    }
    for (const AttemptWrite &write : batch.attempts) {
        if (outcome.refused.contains(write.flowId))
            continue;
        if (auto written = writer.writeAttempt(write); !written)
            return written.error();
    }
    for (const SignalWait &wait : batch.signalWaits) {
        if (outcome.refused.contains(wait.step.flowId))
            continue;
        bool refused = false;
        auto settled = settleSignalWait(wait, writer, refused);
        if (!settled)
            return settled.error();
        if (refused)
            outcome.refused.insert(wait.step.flowId);
        else
            outcome.settled.insert(wait.step.flowId, settled.take());
    }
    for (const FlowUpdate &update : batch.flows) {
        if (outcome.refused.contains(update.flowId))
            continue;
        auto applied = writer.updateFlow(update);
        if (!applied)
            return applied.error();
        if (!*applied)
            outcome.refused.insert(update.flowId);
    }
    return outcome;
}

} // namespace ergon::detail
