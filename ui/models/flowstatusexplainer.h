#pragma once

#include "ergon/records.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace ergon {

class FlowRegistry;

/// The one line that says why a flow is where it is, and what it waits for.
struct FlowStatusExplanation {
    enum class Kind {
        None,         ///< nothing to explain: completed or cancelled
        Failed,       ///< stopped for good; a retry runs it again
        UnknownType,  ///< no loaded plugin provides its type
        Scheduled,    ///< pending, not due yet
        Queued,       ///< pending and due, waiting for a worker
        NoWorker,     ///< due, but no worker is alive
        Timer,        ///< waiting on a durable timer
        Backoff,      ///< a step failed and waits for its next attempt
        WorkerLost,   ///< held by a worker that stopped sending heartbeats
        LeaseExpired, ///< held under a lease nobody renewed
        Prefetched,   ///< leased by a worker, in its local queue
        Running,      ///< moving: a step runs
    };

    Kind kind = Kind::None;
    QString text;
    /// When the wait ends, where known (timer fire time, next attempt, due time, lease expiry).
    QDateTime until;

    /// True for the kinds that need someone's attention (nothing will move on its own).
    bool isProblem() const
    {
        return kind == Kind::Failed || kind == Kind::UnknownType || kind == Kind::NoWorker || kind == Kind::WorkerLost;
    }
};

/// Explains a flow's state as of `now` from what the log holds: the flow, its steps (in run
/// order; with or without attempts), the workers, and the flow types this console has loaded
/// (null: not known, the unknown-type case is then not reported). A pure function: the detail
/// pane calls it every second to count down; tests call it with fixed times.
FlowStatusExplanation explainFlowStatus(const FlowRecord &flow, const QList<StepRecord> &steps,
                                        const QList<WorkerRecord> &workers, const FlowRegistry *registry,
                                        const QDateTime &now);

/// The name of the step a "Retry failed step" re-runs: the last failed step, or empty.
QString failedStepName(const QList<StepRecord> &steps);

/// Whether a retry can change the outcome of a failed flow, and what to say about it. A retry
/// re-runs the failed step with a fresh budget and replays the completed ones; a flow whose own
/// code threw after its steps completed has no failed step: its replay runs the same code and
/// fails the same way, unless the code is another version by now.
struct RetryAdvice {
    bool helps = false;
    QString reason; ///< why not, or what the retry will do differently; empty for a failed step
};
RetryAdvice retryAdvice(const FlowRecord &flow, const QList<StepRecord> &steps, const FlowRegistry *registry);

} // namespace ergon
