#pragma once

#include "execution/flowstarter.h"
#include "execution/groupcommitter.h"

#include "ergon/flow.h"
#include "ergon/flowcontext.h"
#include "ergon/records.h"

#include <QHash>
#include <QSet>

#include <chrono>
#include <memory>

namespace ergon {

class Clock;
class ExecutionLog;
class FlowIntake;
class FlowRegistry;

namespace detail {

/// Unwinds a flow's coroutine when the run must stop without writing anything more: the
/// executor was destroyed, the lease was lost, the flow was cancelled, or a commit failed.
/// Not a std::exception, so that flow code catching std::exception does not swallow it.
struct FlowAborted {
    explicit FlowAborted(QString why, bool handBackToQueue = false, QString errorKind = {})
        : reason(std::move(why))
        , handBack(handBackToQueue)
        , kind(std::move(errorKind))
    {
    }
    QString reason;
    /// The run stopped at a safe point for a shutdown: hand the flow back to the queue.
    bool handBack = false;
    /// The kind of the storage error that cut the run off (Error::kind()), if one did.
    QString kind;
};

/// Unwinds a flow's coroutine that parked itself (status waiting) on a durable timer or a wait
/// for a signal.
struct FlowSuspended {
    QDateTime wakeAt; ///< when it falls due by itself; invalid: only a signal wakes it
    /// The park is stored already: a signal wait parks in the commit that looked for its signal.
    bool written = false;
};

/// What every run of one executor shares; outlives the executor while runs unwind.
struct ExecutorCore {
    ExecutorCore(ExecutionLog &log, const FlowRegistry &registry, Clock &clock, QString owner);

    FlowIntake &intake; ///< runNew()'s new flows
    const FlowRegistry &registry;
    Clock &clock;
    QString owner;
    std::chrono::milliseconds leaseDuration{std::chrono::seconds(60)};
    /// Every run's writes, claims included.
    GroupCommitter committer;
    /// How every run gets its flow: the only other way into the log.
    FlowStarter starter;
    bool waitForTimers = true;
    bool stopped = false;
    bool draining = false; ///< flows stop before their next step and go back to the queue
    int inFlight = 0;
    /// The flows being run: one flow is never run twice at once by one executor (both runs'
    /// claims would succeed under the same owner, and their writes would collide).
    QSet<qint64> running;
};

/// co_await of a flow's durable write: resumes once the write is committed, and throws
/// FlowAborted when the commit failed or the flow is no longer ours. An awaiter rather than a
/// coroutine: a flow reaches several durable points per run, and each coroutine would cost a
/// frame allocation on the engine's hottest path.
class DurableWrite
{
public:
    DurableWrite(GroupCommitter::Awaiter write, const QString &owner)
        : m_write(std::move(write))
        , m_owner(owner)
    {
    }
    bool await_ready() const noexcept { return m_write.await_ready(); }
    bool await_suspend(std::coroutine_handle<> handle) { return m_write.await_suspend(handle); }
    void await_resume();

private:
    GroupCommitter::Awaiter m_write;
    const QString &m_owner;
};

/// co_await of a SignalWait's commit: resumes with how it was settled, and throws FlowAborted as
/// DurableWrite does.
class SettleWrite
{
public:
    SettleWrite(GroupCommitter::Awaiter write, const QString &owner)
        : m_write(std::move(write))
        , m_owner(owner)
    {
    }
    bool await_ready() const noexcept { return m_write.await_ready(); }
    bool await_suspend(std::coroutine_handle<> handle) { return m_write.await_suspend(handle); }
    SettledWait await_resume();

private:
    GroupCommitter::Awaiter m_write;
    const QString &m_owner;
};

/// The state of one flow being run: its record, the steps the log holds, and the position of
/// the replay. Owned by the coroutine that drives the run, so it lives exactly as long. It is
/// the runtime behind the flow's FlowContext (the step algorithm is in flowsteps.cpp).
class FlowRun final : public FlowRuntime
{
public:
    FlowRun(std::shared_ptr<ExecutorCore> core, FlowRecord record, QList<StepRecord> recorded, int typeVersion,
            std::unique_ptr<Flow> flow);

    ExecutorCore &core() const { return *m_core; }
    const FlowRecord &record() const { return m_record; }
    FlowContext &context() { return m_context; }
    Flow &flow() { return *m_flow; }
    int typeVersion() const { return m_typeVersion; }

    /// Throws FlowAborted once the executor has stopped.
    void ensureAlive() const;

    /// The next position in the run for a step or timer of this name: returns the step to
    /// fill in, taken from the log when it holds one (after checking it is the same step).
    StepRecord beginStep(const QString &name, StepKind kind, const QByteArray &inputHash);

    /// Writes a step (and a failed attempt, if any) in the next group commit. The step row is
    /// the flow's progress. Throws FlowAborted if the commit fails or the flow is no longer ours.
    [[nodiscard]] DurableWrite commitStep(StepRecord step, std::optional<AttemptRecord> failedAttempt);
    /// Writes the flow's new state (finished, waiting, or handed back).
    [[nodiscard]] DurableWrite commitFlow(FlowUpdate update, std::optional<StepRecord> step = std::nullopt);

    /// A guarded update of the flow's row.
    FlowUpdate flowUpdate(FlowStatus status) const;
    /// Looks for a pending signal for the open wait step, or parks the flow on it, in the next
    /// group commit (SignalWait). Throws FlowAborted as commitStep() does.
    [[nodiscard]] SettleWrite settleSignalWait(StepRecord wait);

    /// The flow parks on this timer: FlowSuspended is on its way to the run's driver, which
    /// writes the park. Until then the flow may call nothing more (beginStep() refuses).
    void park(StepRecord timer, QDateTime fireAt);
    /// The flow parked on a wait for the signal `name`, stored already (settleSignalWait()).
    void parkedOnSignal(const QString &name);
    /// Where a parked flow's exception went when the flow's coroutine ended otherwise: the
    /// flow caught it. Empty when the flow did not park, or the park reached the driver.
    QString swallowedSuspension() const;
    /// The timer the flow parks on, to write with the flow's row; once.
    std::optional<StepRecord> takeParkedTimer();

    int currentAttempt = 0;

    // FlowRuntime: what the flow's FlowContext asks of its run.
    qint64 flowId() const override { return m_record.id; }
    QString flowType() const override { return m_record.type; }
    QString workerName() const override { return m_core->owner; }
    int attempt() const override { return currentAttempt; }
    Clock &clock() const override { return m_core->clock; }
    QCoro::Task<QJsonValue> runStep(const QString &name, const StepOptions &options, BodyRef body) override;
    QCoro::Task<> sleepUntil(QString name, QDateTime fireAt) override;
    QCoro::Task<std::optional<QJsonValue>> waitForSignal(QString name,
                                                         std::optional<std::chrono::milliseconds> timeout) override;

private:
    std::shared_ptr<ExecutorCore> m_core;
    FlowRecord m_record;
    QList<StepRecord> m_recorded;
    int m_typeVersion;
    std::unique_ptr<Flow> m_flow;
    FlowContext m_context;
    int m_nextSeq = 0;
    struct Parked {
        std::optional<StepRecord> timer; ///< to write with the flow's row; none when stored already
        QString what;                    ///< "timer 'nap'", for messages
        QString call;                    ///< the call that parked it, for messages
    };
    std::unique_ptr<Parked> m_parked;
    /// Steps seen per name in this run. A flow has few distinct step names: a short list beats
    /// a hash table here.
    QList<std::pair<QString, int>> m_occurrences;
};

} // namespace detail
} // namespace ergon
