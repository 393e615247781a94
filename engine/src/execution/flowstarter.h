#pragma once

#include "execution/groupcommitter.h"

#include "ergon/claimfilter.h"
#include "ergon/flowexecutor.h"
#include "ergon/logbatch.h"
#include "ergon/result.h"

#include <chrono>

namespace ergon {

class Clock;
class FlowReader;
class WorkQueue;

namespace detail {

/// The one way a flow reaches a run: claims it for the executor's owner and starts it, and is
/// the executor's only way into the log besides the group committer.
///
/// However a flow arrived (prefetched, stolen, leased by its timer's tick, or named by its
/// id), it is started by one FlowClaim in the thread's group commit: every flow started in the
/// same event-loop turn shares one transaction. Free slots take due flows with the same claim,
/// leased and started in one transaction (WorkQueue::claimDueStarted()). Either way the run
/// gets a ClaimedFlow: the row as claimed, and the steps to replay.
class FlowStarter
{
public:
    FlowStarter(FlowReader &reader, WorkQueue &queue, GroupCommitter &committer, Clock &clock, const QString &owner,
                const std::chrono::milliseconds &leaseDuration);

    /// co_await: the flow's claim, in the group commit; Outcome::claimed is set when it took.
    [[nodiscard]] GroupCommitter::Awaiter claim(qint64 flowId);
    /// Up to `limit` due flows of `types`, claimed and started at once (free slots).
    Result<QList<ClaimedFlow>> claimDue(int limit, const ClaimFilter &types);
    /// Why a claim took nothing: the flow finished elsewhere (its outcome, not run here), or it
    /// cannot run now (an error of kind "not-claimable"), or it does not exist ("not-found").
    Result<FlowOutcome> notClaimed(qint64 flowId);
    /// The steps the claimed flow replays: those its claim read, else read now.
    Result<QList<StepRecord>> replaySteps(ClaimedFlow &claimed);

private:
    FlowReader &m_reader;
    WorkQueue &m_queue;
    GroupCommitter &m_committer;
    Clock &m_clock;
    const QString &m_owner;
    const std::chrono::milliseconds &m_leaseDuration; ///< the executor's, as set now
};

} // namespace detail
} // namespace ergon
