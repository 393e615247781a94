#include "execution/flowrun_p.h"

#include "ergon/clock.h"
#include "ergon/executionlog.h"
#include "ergon/steperror.h"

#include <algorithm>

namespace ergon::detail {

ExecutorCore::ExecutorCore(ExecutionLog &log, const FlowRegistry &registry, Clock &clock, QString owner)
    : intake(log)
    , registry(registry)
    , clock(clock)
    , owner(std::move(owner))
    , committer(log)
    , starter(log, log, committer, clock, this->owner, leaseDuration)
{
}

FlowRun::FlowRun(std::shared_ptr<ExecutorCore> core, FlowRecord record, QList<StepRecord> recorded, int typeVersion,
                 std::unique_ptr<Flow> flow)
    : m_core(std::move(core))
    , m_record(std::move(record))
    , m_recorded(std::move(recorded))
    , m_typeVersion(typeVersion)
    , m_flow(std::move(flow))
    , m_context(*this)
{
}

void FlowRun::ensureAlive() const
{
    if (m_core->stopped)
        throw FlowAborted{QStringLiteral("the executor stopped")};
}

namespace {
QString describeStep(const QString &name, StepKind kind, const QByteArray &inputHash)
{
    QString text =
        kind == StepKind::Timer ? QStringLiteral("timer '%1'").arg(name) : QStringLiteral("step '%1'").arg(name);
    if (!inputHash.isEmpty())
        text += QStringLiteral(" (input %1)").arg(QString::fromLatin1(inputHash.left(8)));
    return text;
}
} // namespace

StepRecord FlowRun::beginStep(const QString &name, StepKind kind, const QByteArray &inputHash)
{
    ensureAlive();
    if (m_parked)
        throw FlowAborted{swallowedSuspension()};
    if (m_core->draining)
        throw FlowAborted{QStringLiteral("the worker is shutting down"), true};
    const int seq = m_nextSeq++;
    int occurrence = 0;
    auto seen = std::find_if(m_occurrences.begin(), m_occurrences.end(),
                             [&](const auto &entry) { return entry.first == name; });
    if (seen == m_occurrences.end())
        m_occurrences.append({name, 1});
    else
        occurrence = seen->second++;
    if (seq < m_recorded.size()) {
        const StepRecord &recorded = m_recorded.at(seq);
        if (recorded.name != name || recorded.kind != kind || recorded.inputHash != inputHash) {
            QString message =
                QStringLiteral("non-deterministic replay of flow %1 (%2) at position %3: the log holds %4, "
                               "but the flow now asks for %5")
                    .arg(m_record.id)
                    .arg(m_record.type)
                    .arg(seq + 1)
                    .arg(describeStep(recorded.name, recorded.kind, recorded.inputHash),
                         describeStep(name, kind, inputHash));
            if (recorded.typeVersion != m_typeVersion)
                message += QStringLiteral("; recorded by version %1, replayed by version %2")
                               .arg(recorded.typeVersion)
                               .arg(m_typeVersion);
            throw NonDeterminismError(message);
        }
        return recorded;
    }
    StepRecord step;
    step.flowId = m_record.id;
    step.seq = seq;
    step.name = name;
    step.occurrence = occurrence;
    step.inputHash = inputHash;
    step.kind = kind;
    step.typeVersion = m_typeVersion;
    return step;
}

FlowUpdate FlowRun::flowUpdate(FlowStatus status) const
{
    FlowUpdate update;
    update.flowId = m_record.id;
    update.leaseOwner = m_core->owner;
    update.status = status;
    update.updated = m_core->clock.now();
    return update;
}

void FlowRun::park(StepRecord timer, QDateTime fireAt)
{
    Q_UNUSED(fireAt); // the timer's step holds it
    QString what = QStringLiteral("timer '%1'").arg(timer.name);
    m_parked = std::make_unique<Parked>(Parked{std::move(timer), std::move(what), QStringLiteral("ctx.sleep()")});
}

void FlowRun::parkedOnSignal(const QString &name)
{
    m_parked = std::make_unique<Parked>(Parked{std::nullopt, QStringLiteral("its wait for signal '%1'").arg(name),
                                               QStringLiteral("ctx.waitForSignal()")});
}

QString FlowRun::swallowedSuspension() const
{
    if (!m_parked)
        return {};
    return QStringLiteral("flow %1 (%2) caught the engine's suspension at %3 and went on: code around "
                          "%4 must let it through (a catch (...) must rethrow); the flow is failed "
                          "instead of parked")
        .arg(m_record.id)
        .arg(m_record.type, m_parked->what, m_parked->call);
}

std::optional<StepRecord> FlowRun::takeParkedTimer()
{
    if (!m_parked)
        return std::nullopt;
    std::unique_ptr<Parked> parked = std::move(m_parked);
    return std::move(parked->timer);
}

void DurableWrite::await_resume()
{
    const GroupCommitter::Outcome outcome = m_write.await_resume();
    if (!outcome.status)
        throw FlowAborted{outcome.status.error().message(), false, outcome.status.error().kind()};
    if (outcome.refused)
        throw FlowAborted{QStringLiteral("the flow is no longer held by %1 (lease lost or cancelled)").arg(m_owner)};
}

SettledWait SettleWrite::await_resume()
{
    GroupCommitter::Outcome outcome = m_write.await_resume();
    if (!outcome.status)
        throw FlowAborted{outcome.status.error().message(), false, outcome.status.error().kind()};
    if (outcome.refused || !outcome.settled)
        throw FlowAborted{QStringLiteral("the flow is no longer held by %1 (lease lost or cancelled)").arg(m_owner)};
    return std::move(*outcome.settled);
}

SettleWrite FlowRun::settleSignalWait(StepRecord wait)
{
    LogBatch batch;
    batch.signalWaits.append(SignalWait{std::move(wait), m_core->clock.now()});
    return SettleWrite(m_core->committer.commit(m_record.id, std::move(batch)), m_core->owner);
}

DurableWrite FlowRun::commitStep(StepRecord step, std::optional<AttemptRecord> failedAttempt)
{
    LogBatch batch;
    if (failedAttempt)
        batch.attempts.append(AttemptWrite{step.flowId, step.seq, *failedAttempt});
    batch.steps.append(std::move(step));
    return DurableWrite(m_core->committer.commit(m_record.id, std::move(batch)), m_core->owner);
}

DurableWrite FlowRun::commitFlow(FlowUpdate update, std::optional<StepRecord> step)
{
    LogBatch batch;
    batch.flows.append(std::move(update));
    if (step)
        batch.steps.append(std::move(*step));
    return DurableWrite(m_core->committer.commit(m_record.id, std::move(batch)), m_core->owner);
}

} // namespace ergon::detail
