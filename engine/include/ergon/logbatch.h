#pragma once

#include "records.h"

#include <QList>

namespace ergon {

/// A change to one flow's row, applied only while the writer still holds the flow: its lease
/// owner matches and it is still running. A refused update (lease lost, flow cancelled) also
/// drops the batch's step and attempt writes of that flow.
struct FlowUpdate {
    qint64 flowId = 0;
    QString leaseOwner;          ///< the guard: the owner the writer believes it is
    FlowStatus status = FlowStatus::Running;
    int stepCount = -1;          ///< progress; -1 leaves it unchanged
    QByteArray resultJson;       ///< set when completed
    QString error;               ///< set when failed
    QDateTime runAt;             ///< next due time when it goes back to the queue or waits
    QDateTime updated;
    bool releaseLease = false;   ///< clears owner and expiry (finished, waiting, handed back)
};

/// One attempt of one step, appended to its step's history.
struct AttemptWrite {
    qint64 flowId = 0;
    int seq = 0;
    AttemptRecord attempt;
};

/// Everything one commit writes, for any number of flows; ExecutionLog::write() applies it in
/// one transaction. The GroupCommitter merges the batches of concurrent flows into one.
struct LogBatch {
    QList<FlowUpdate> flows;
    QList<StepRecord> steps;     ///< upserts; a completed step is never overwritten
    QList<AttemptWrite> attempts;

    bool isEmpty() const { return flows.isEmpty() && steps.isEmpty() && attempts.isEmpty(); }
    qsizetype size() const { return flows.size() + steps.size() + attempts.size(); }
    void append(LogBatch &&other);
};

} // namespace ergon
