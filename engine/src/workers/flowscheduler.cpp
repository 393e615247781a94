#include "ergon/flowscheduler.h"

#include "ergon/clock.h"
#include "ergon/executionlog.h"
#include "ergon/flowregistry.h"
#include "ergon/jsontext.h"
#include "ergon/limits.h"
#include "ergon/storabletext.h"
#include "ergon/worknotifier.h"

namespace ergon {

FlowScheduler::FlowScheduler(ExecutionLog &log, const FlowRegistry &registry, Clock &clock, WorkNotifier *notifier)
    : FlowScheduler(log, log, registry, clock, notifier)
{
}

FlowScheduler::FlowScheduler(FlowIntake &intake, LogAdministration &administration, const FlowRegistry &registry,
                             Clock &clock, WorkNotifier *notifier)
    : m_intake(intake)
    , m_administration(administration)
    , m_registry(registry)
    , m_clock(clock)
    , m_notifier(notifier)
{
}

Result<qint64> FlowScheduler::schedule(const ScheduleRequest &request)
{
    auto ids = scheduleMany({request});
    if (!ids)
        return ids.error();
    return ids->first();
}

namespace {

// What the log would store wrongly or not at all: a delay past int64 milliseconds (a run_at
// in the past), a start outside QDateTime's range, text that cannot be read back as given.
Result<void> checkRequest(const ScheduleRequest &request)
{
    if (auto delay = limits::check(request.delay, limits::delay); !delay)
        return delay;
    if (auto priority = limits::check(request.priority, limits::priority); !priority)
        return priority;
    if (request.startAt.isValid()) {
        const qint64 year = request.startAt.date().year();
        if (year < 1970 || year > 9999)
            return Error(QStringLiteral("the start time %1 is not between the years 1970 and 9999")
                             .arg(request.startAt.toString(Qt::ISODate)),
                         QStringLiteral("out-of-range"));
    }
    if (auto key = checkStorableText(request.idempotencyKey, QStringLiteral("the idempotency key")); !key)
        return key;
    return checkStorableJson(request.arguments, QStringLiteral("the arguments"));
}

} // namespace

Result<QList<qint64>> FlowScheduler::scheduleMany(const QList<ScheduleRequest> &requests)
{
    const QDateTime now = m_clock.now();
    QList<NewFlow> flows;
    flows.reserve(requests.size());
    QDateTime earliest;
    for (const ScheduleRequest &request : requests) {
        if (auto checked = checkRequest(request); !checked)
            return checked.error();
        auto arguments = m_registry.validate(request.type, request.arguments);
        if (!arguments)
            return arguments.error();
        NewFlow flow;
        flow.type = request.type;
        flow.typeVersion = m_registry.info(request.type)->version;
        flow.plugin = m_registry.info(request.type)->plugin; // workers run it with the same plugin
        flow.arguments = arguments.take();
        flow.priority = request.priority;
        flow.runAt = request.startAt.isValid() ? request.startAt.toUTC() : now.addMSecs(request.delay.count());
        flow.idempotencyKey = request.idempotencyKey;
        if (!earliest.isValid() || flow.runAt < earliest)
            earliest = flow.runAt;
        flows.append(std::move(flow));
    }
    if (flows.isEmpty())
        return QList<qint64>();
    auto ids = m_intake.scheduleFlows(flows, now);
    if (ids && m_notifier)
        m_notifier->announce(earliest);
    return ids;
}

Result<void> FlowScheduler::cancel(qint64 flowId)
{
    return m_administration.cancelFlow(flowId, m_clock.now());
}

Result<void> FlowScheduler::retry(qint64 flowId, const QString &stepName)
{
    auto retried = m_administration.retryFlow(flowId, stepName, m_clock.now());
    if (retried && m_notifier)
        m_notifier->announce(m_clock.now());
    return retried;
}

Result<void> FlowScheduler::signal(qint64 flowId, const QString &name, const QJsonValue &payload)
{
    if (name.trimmed().isEmpty())
        return Error(QStringLiteral("a signal needs a name"), QStringLiteral("invalid"));
    if (auto storable = checkStorableText(name, QStringLiteral("the signal's name")); !storable)
        return storable;
    if (auto storable = checkStorableJson(payload, QStringLiteral("the signal's payload")); !storable)
        return storable;
    const QDateTime now = m_clock.now();
    auto sent = m_intake.sendSignal(flowId, name, toJsonText(payload.isUndefined() ? QJsonValue() : payload), now);
    if (!sent)
        return sent.error();
    if (sent->woke && m_notifier)
        m_notifier->announce(now);
    return {};
}

} // namespace ergon
