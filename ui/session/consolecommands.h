#pragma once

#include "session/consoletypes.h"

#include "ergon/clock.h"
#include "ergon/result.h"

#include <QObject>

#include <functional>
#include <memory>

namespace ergon {

class ExecutionLog;
class FlowRegistry;
class FlowScheduler;
class WorkNotifier;

/// Carries out what the user asks for — schedule, retry, cancel, fire a timer now, forget
/// stopped workers — on its own
/// thread with its own connection, so that the GUI never waits for the database. Every command
/// ends with finished() or failed(); long ones report progress() on the way.
///
/// Move it to a QThread and connect QThread::finished to deleteLater(); invoke its slots
/// across threads (queued). It opens its connection on its first command. Work it creates is
/// announced to the in-process workers through the WorkNotifier.
class ConsoleCommands : public QObject
{
    Q_OBJECT

public:
    using Opener = std::function<Result<std::unique_ptr<ExecutionLog>>()>;

    enum class Command { Schedule, Retry, Cancel, FireTimer, ForgetWorkers };
    Q_ENUM(Command)

    /// Flows scheduled per transaction: one batch commits at a time and reports progress.
    static constexpr int scheduleBatch = 500;

    /// The registry (validates arguments) and the notifier must outlive the object; both are
    /// used from its thread (the registry only read, the notifier only emits).
    ConsoleCommands(Opener opener, const FlowRegistry &registry, WorkNotifier *notifier, QObject *parent = nullptr);
    ~ConsoleCommands() override;

public Q_SLOTS:
    /// Schedules `count` flows of the request, in batches of scheduleBatch. With an idempotency
    /// key and a count above one, the flows' keys are KEY-1 … KEY-N (as `schedule --key` makes
    /// them): the same request again schedules nothing new.
    void schedule(const ergon::ScheduleRequest &request, int count);
    /// Re-queues failed flows from their failed step (or the named one).
    void retry(const QList<qint64> &flowIds, const QString &stepName = {});
    void cancel(const QList<qint64> &flowIds);
    /// Makes the durable timers of waiting flows due now and wakes the workers; the summary
    /// names the flow of each timer fired.
    void fireTimersNow(const QList<qint64> &flowIds);
    /// Deletes the rows of these worker runs that are not alive (ExecutionLog::forgetWorkers).
    void forgetWorkers(const QList<qint64> &runs);

Q_SIGNALS:
    void progress(ergon::ConsoleCommands::Command command, int done, int total);
    void finished(ergon::ConsoleCommands::Command command, const QString &summary);
    void failed(ergon::ConsoleCommands::Command command, const QString &error);
    /// Flows were scheduled (their ids, in order), so that a page can show them.
    void scheduled(const QList<qint64> &flowIds);

private:
    using Summary = std::function<QString(const QList<qint64> &done)>;

    Result<void> ensureOpen();
    /// "768, 771", the first ten ids and how many more.
    static QString flowList(const QList<qint64> &flowIds);
    /// Runs one action per flow and reports the outcome of them all at once.
    void forEachFlow(Command command, const QList<qint64> &flowIds, const QString &verb,
                     const std::function<Result<void>(qint64)> &action);
    void forEachFlow(Command command, const QList<qint64> &flowIds, const Summary &summarize,
                     const std::function<Result<void>(qint64)> &action);

    Opener m_opener;
    const FlowRegistry &m_registry;
    WorkNotifier *m_notifier;
    SystemClock m_clock;
    std::unique_ptr<ExecutionLog> m_log;
    std::unique_ptr<FlowScheduler> m_scheduler;
};

} // namespace ergon
