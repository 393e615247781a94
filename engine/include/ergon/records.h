#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace ergon {

enum class FlowStatus { Pending, Running, Waiting, Completed, Failed, Cancelled };
enum class StepStatus { Running, Retrying, Completed, Failed };
enum class StepKind { Step, Timer, Signal };

QString toString(FlowStatus status);
QString toString(StepStatus status);
QString toString(StepKind kind);
std::optional<FlowStatus> flowStatusFromString(const QString &text);
std::optional<StepStatus> stepStatusFromString(const QString &text);
std::optional<StepKind> stepKindFromString(const QString &text);
inline bool isFinished(FlowStatus status)
{
    return status == FlowStatus::Completed || status == FlowStatus::Failed || status == FlowStatus::Cancelled;
}

/// The due time of a flow that waits with nothing due (a wait for a signal without a timeout):
/// 9999-12-31T23:59:59.999Z, later than any due time a flow can be given (limits.h), so that
/// every query over due times (claims, upcoming()) keeps working and never reaches it.
QDateTime neverDue();
bool isNeverDue(const QDateTime &time);

/// What a waiting flow waits for: its open wait step (a durable timer, or a wait for a signal).
struct FlowWait {
    StepKind kind = StepKind::Timer;
    QString name;    ///< the timer's name; the signal's name
    QDateTime until; ///< the timer's fire time; the signal wait's timeout (invalid: none)
};

/// A flow to be stored by ExecutionLog::scheduleFlows().
struct NewFlow {
    QString type;
    int typeVersion = 1;
    QString plugin; ///< the plugin that provides the type where it was scheduled; empty: none
    QJsonObject arguments;
    int priority = 0;       ///< higher runs first
    QDateTime runAt;        ///< not before; invalid means now
    QString idempotencyKey; ///< scheduling the same key again returns the first flow's id
};

/// One flow as stored: queue entry, status, lease and outcome.
struct FlowRecord {
    qint64 id = 0;
    QString type;
    int typeVersion = 1;
    QString plugin; ///< see NewFlow::plugin; empty for flows stored before it was recorded
    QJsonObject arguments;
    FlowStatus status = FlowStatus::Pending;
    int priority = 0;
    QDateTime runAt;
    QString idempotencyKey;
    QString leaseOwner;
    QDateTime leaseExpires;
    QDateTime runStarted;  ///< when its current run began; invalid while only prefetched
    QByteArray resultJson; ///< JSON text; empty until completed
    QString error;
    int stepCount = 0; ///< steps (and timers) recorded so far: its progress
    QDateTime created;
    QDateTime updated;
    QDateTime finished;
    /// While waiting: what for (filled by FlowReader::flow() and flows(), not by claims).
    std::optional<FlowWait> waitingFor;
};

/// One attempt of a step: when it ran, where, and how it ended (empty error: success).
struct AttemptRecord {
    int number = 1;
    QDateTime started;
    QDateTime finished;
    QString error;
    QString worker;
};

/// One step (or durable timer) of a flow, at its position in the run.
struct StepRecord {
    qint64 flowId = 0;
    int seq = 0; ///< position in the run: 0, 1, 2 ...
    QString name;
    int occurrence = 0;   ///< how many steps of the same name came before it in the run
    QByteArray inputHash; ///< hex SHA-1 of the step's inputs, where the caller gave any
    StepKind kind = StepKind::Step;
    StepStatus status = StepStatus::Running;
    QByteArray resultJson;
    QString error;
    QString worker;                  ///< the worker that ran its last attempt
    int attempts = 0;                ///< attempts stored so far, across manual retries
    int retryBase = 0;               ///< attempts made before the last manual retry (policy budget starts here)
    int typeVersion = 1;             ///< the flow type's version that recorded the step
    QDateTime started;               ///< the first attempt's start
    QDateTime finished;              ///< when it completed or failed for good
    QDateTime attemptStarted;        ///< the last attempt's start
    QDateTime nextAttemptAt;         ///< while Retrying; for a timer, its fire time
    QList<AttemptRecord> attemptLog; ///< filled by ExecutionLog::steps() when asked
};

/// Adds the last attempt of a completed step, kept in the step's own row, to its attempt log
/// (which the attempts table fills with the failed ones).
void completeAttemptLog(StepRecord &step);

enum class WorkerStatus { Alive, Lost, Stopped };
QString toString(WorkerStatus status);
std::optional<WorkerStatus> workerStatusFromString(const QString &text);

/// One run of a worker as the workers table shows it: identity, liveness and counters. A name
/// may be reused by later runs (a restarted service, the console's workers started again):
/// each run keeps a row of its own, told apart by its id.
struct WorkerRecord {
    qint64 id = 0; ///< the run, given by ExecutionLog::registerWorker(); 0 before it registered
    QString name;
    QString host;
    qint64 pid = 0;
    QDateTime started;
    QDateTime heartbeat;
    int concurrency = 1;
    int inFlight = 0;
    qint64 completed = 0;
    qint64 failed = 0;
    qint64 steals = 0;
    WorkerStatus status = WorkerStatus::Alive;
    qint64 leaseMs = 30000; ///< its lease duration: a heartbeat older than this means lost
};

/// The worker's status as of `now`: an alive worker whose heartbeat is older than its lease
/// duration is lost, even if no other worker has marked it so yet.
WorkerStatus effectiveStatus(const WorkerRecord &worker, const QDateTime &now);

/// A durable timer that has not fired yet.
struct TimerRecord {
    qint64 flowId = 0;
    int seq = 0;
    QString name;
    QString flowType;
    QDateTime fireAt;
};

/// A signal sent to a flow (FlowIntake::sendSignal()): pending until a wait for its name takes
/// it, then delivered to that one wait step.
struct SignalRecord {
    qint64 id = 0; ///< signals of one flow and name are delivered in id order
    qint64 flowId = 0;
    QString name;
    QByteArray payloadJson; ///< JSON text ("null" when sent without a payload)
    QDateTime created;
    QDateTime consumed;   ///< when a wait took it; invalid while pending
    int consumedSeq = -1; ///< the position of the wait step that took it; -1 while pending
};

/// One move of a prefetched flow from one worker's queue to another's.
struct StealRecord {
    qint64 flowId = 0;
    QString fromWorker;
    QString toWorker;
    QDateTime at;
};

} // namespace ergon

Q_DECLARE_METATYPE(ergon::FlowRecord)
Q_DECLARE_METATYPE(ergon::StepRecord)
