#include "execution/flowstarter.h"

#include "ergon/clock.h"
#include "ergon/executionlog.h"
#include "ergon/jsontext.h"

namespace ergon::detail {

FlowStarter::FlowStarter(FlowReader &reader, WorkQueue &queue, GroupCommitter &committer, Clock &clock,
                         const QString &owner, const std::chrono::milliseconds &leaseDuration)
    : m_reader(reader)
    , m_queue(queue)
    , m_committer(committer)
    , m_clock(clock)
    , m_owner(owner)
    , m_leaseDuration(leaseDuration)
{
}

GroupCommitter::Awaiter FlowStarter::claim(qint64 flowId)
{
    const QDateTime now = m_clock.now();
    LogBatch batch;
    batch.claims.append(FlowClaim{flowId, m_owner, now, now.addMSecs(m_leaseDuration.count())});
    return m_committer.commit(flowId, std::move(batch));
}

Result<QList<ClaimedFlow>> FlowStarter::claimDue(int limit, const ClaimFilter &types)
{
    const QDateTime now = m_clock.now();
    return m_queue.claimDueStarted(m_owner, now, now.addMSecs(m_leaseDuration.count()), limit, types);
}

namespace {

FlowOutcome outcomeOf(const FlowRecord &record)
{
    FlowOutcome outcome;
    outcome.flowId = record.id;
    outcome.status = record.status;
    outcome.error = record.error;
    if (auto result = fromJsonText(record.resultJson); result)
        outcome.result = *result;
    return outcome;
}

} // namespace

Result<FlowOutcome> FlowStarter::notClaimed(qint64 flowId)
{
    const QDateTime now = m_clock.now();
    auto found = m_reader.flow(flowId);
    if (!found)
        return found.error();
    if (!found->has_value())
        return Error(QStringLiteral("no flow with id %1").arg(flowId), QStringLiteral("not-found"));
    const FlowRecord &record = **found;
    if (isFinished(record.status)) {
        FlowOutcome finished = outcomeOf(record);
        finished.ranHere = false;
        return finished;
    }
    QString why;
    if (!record.leaseOwner.isEmpty())
        why = QStringLiteral(" and held by %1").arg(record.leaseOwner);
    else if (isNeverDue(record.runAt) && record.waitingFor)
        why = QStringLiteral(" for signal '%1'").arg(record.waitingFor->name); // no timeout: until it comes
    else if (record.runAt > now)
        why = QStringLiteral(" until %1").arg(record.runAt.toString(Qt::ISODate));
    return Error(QStringLiteral("flow %1 cannot be run now: it is %2%3").arg(flowId).arg(toString(record.status), why),
                 QStringLiteral("not-claimable"));
}

Result<QList<StepRecord>> FlowStarter::replaySteps(ClaimedFlow &claimed)
{
    if (claimed.steps)
        return std::move(*claimed.steps);
    if (!claimed.hasSteps)
        return QList<StepRecord>();
    return m_reader.steps(claimed.record.id);
}

} // namespace ergon::detail
