#pragma once

#include "records.h"
#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <chrono>

namespace ergon {

class Clock;
class ExecutionLog;
class FlowIntake;
class LogAdministration;
class FlowRegistry;
class WorkNotifier;

/// One flow to schedule. The ranges are limits.h's: a delay of 0 to 10 years, a priority of
/// ±1,000,000, a start time between the years 1970 and 9999; the key and every string of the
/// arguments must be storable as given (storabletext.h: valid Unicode, no NUL). A request out
/// of range is refused with an error of kind "out-of-range" or "invalid-text".
struct ScheduleRequest {
    QString type;
    QJsonObject arguments;
    std::chrono::milliseconds delay{0}; ///< not before now + delay
    QDateTime startAt;                  ///< not before this time (wins over delay when valid)
    int priority = 0;                   ///< higher runs first
    QString idempotencyKey;             ///< the same key again returns the existing flow's id
};

/// The façade for putting work in and taking it back: schedules flows (arguments validated
/// against their type's schema first), cancels and retries them, and wakes the workers of
/// this process.
class FlowScheduler
{
public:
    FlowScheduler(ExecutionLog &log, const FlowRegistry &registry, Clock &clock, WorkNotifier *notifier = nullptr);
    /// The same, on the two roles it uses: where flows enter, and cancel and retry.
    FlowScheduler(FlowIntake &intake, LogAdministration &administration, const FlowRegistry &registry, Clock &clock,
                  WorkNotifier *notifier = nullptr);

    Result<qint64> schedule(const ScheduleRequest &request);
    /// Schedules every request in one transaction, or none of them if one is refused.
    Result<QList<qint64>> scheduleMany(const QList<ScheduleRequest> &requests);
    /// Cancels a flow that has not finished; a running flow stops at its next step or timer.
    Result<void> cancel(qint64 flowId);
    /// Re-queues a failed flow from its failed step (or the named one).
    Result<void> retry(qint64 flowId, const QString &stepName = {});
    /// Sends the signal `name` with a JSON payload to a flow that has not finished (see
    /// FlowContext::waitForSignal()): stored when this returns, delivered once to the flow's
    /// next wait for that name, at once if it waits for it now (the workers of this process
    /// are woken). Refused: "not-found" (no such flow), "finished" (the message says how it
    /// finished), "invalid-text" (a name or payload the log cannot store as given), "invalid"
    /// (an empty name).
    Result<void> signal(qint64 flowId, const QString &name, const QJsonValue &payload = QJsonValue());

private:
    FlowIntake &m_intake;
    LogAdministration &m_administration;
    const FlowRegistry &m_registry;
    Clock &m_clock;
    WorkNotifier *m_notifier;
};

} // namespace ergon
