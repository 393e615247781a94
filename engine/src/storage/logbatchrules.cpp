#include "storage/logbatchrules.h"

#include <QVarLengthArray>

#include <algorithm>

namespace ergon::detail {

namespace {
/// The flows each guarded writer of a batch writes to; most batches have one writer.
using FlowsByWriter = QVarLengthArray<std::pair<QString, QList<qint64>>, 2>;

void addWrite(FlowsByWriter &byWriter, const QString &writer, qint64 flowId)
{
    if (writer.isEmpty())
        return; // administrative: not guarded
    auto it = std::find_if(byWriter.begin(), byWriter.end(), [&](const auto &entry) { return entry.first == writer; });
    if (it == byWriter.end()) {
        byWriter.append({writer, {}});
        it = byWriter.end() - 1;
    }
    it->second.append(flowId);
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
            outcome.claimed.insert(claim.flowId, std::move(**claimed));
    }

    FlowsByWriter byWriter;
    for (const StepRecord &step : batch.steps)
        addWrite(byWriter, step.worker, step.flowId);
    for (const SignalWait &wait : batch.signalWaits)
        addWrite(byWriter, wait.step.worker, wait.step.flowId);
    for (const FlowUpdate &update : batch.flows)
        addWrite(byWriter, update.leaseOwner, update.flowId);
    for (auto &[owner, ids] : byWriter) {
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
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
