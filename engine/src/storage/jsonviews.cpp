#include "ergon/jsonviews.h"

#include "ergon/jsontext.h"

namespace ergon {

namespace {

QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

// A stored result that does not parse (written by hand, or by a bug) is shown as its text
// rather than hidden: the reader sees what is there.
QJsonValue storedJson(const QByteArray &text)
{
    if (text.isEmpty())
        return QJsonValue::Null;
    auto value = fromJsonText(text);
    return value ? *value : QJsonValue(QString::fromUtf8(text));
}

constexpr FlowStatus allFlowStatuses[] = {FlowStatus::Pending,   FlowStatus::Running, FlowStatus::Waiting,
                                          FlowStatus::Completed, FlowStatus::Failed,  FlowStatus::Cancelled};

// What a waiting flow waits for: {"kind": "timer" | "signal", "name": …, "until": time or
// null}; null for a flow that does not wait.
QJsonValue waitToJson(const FlowRecord &flow)
{
    if (flow.status != FlowStatus::Waiting || !flow.waitingFor)
        return QJsonValue::Null;
    const FlowWait &wait = *flow.waitingFor;
    return QJsonObject{
        {QStringLiteral("kind"), toString(wait.kind)},
        {QStringLiteral("name"), wait.name},
        {QStringLiteral("until"), isNeverDue(wait.until) ? QJsonValue(QJsonValue::Null) : timeToJson(wait.until)},
    };
}

} // namespace

QJsonValue timeToJson(const QDateTime &time)
{
    if (!time.isValid())
        return QJsonValue::Null;
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject flowToJson(const FlowRecord &flow)
{
    return QJsonObject{
        {QStringLiteral("id"), flow.id},
        {QStringLiteral("type"), flow.type},
        {QStringLiteral("type_version"), flow.typeVersion},
        {QStringLiteral("plugin"), textOrNull(flow.plugin)},
        {QStringLiteral("status"), toString(flow.status)},
        {QStringLiteral("priority"), flow.priority},
        {QStringLiteral("args"), flow.arguments},
        {QStringLiteral("result"), storedJson(flow.resultJson)},
        {QStringLiteral("error"), textOrNull(flow.error)},
        {QStringLiteral("lease_owner"), textOrNull(flow.leaseOwner)},
        {QStringLiteral("idempotency_key"), textOrNull(flow.idempotencyKey)},
        {QStringLiteral("step_count"), flow.stepCount},
        {QStringLiteral("created"), timeToJson(flow.created)},
        {QStringLiteral("updated"), timeToJson(flow.updated)},
        {QStringLiteral("run_at"), timeToJson(flow.runAt)},
        {QStringLiteral("run_started"), timeToJson(flow.runStarted)},
        {QStringLiteral("finished"), timeToJson(flow.finished)},
        {QStringLiteral("waiting_for"), waitToJson(flow)},
    };
}

QJsonObject flowToJson(const FlowRecord &flow, const QList<StepRecord> &steps)
{
    QJsonArray stepArray;
    for (const StepRecord &step : steps)
        stepArray.append(stepToJson(step));
    QJsonObject object = flowToJson(flow);
    object.insert(QStringLiteral("steps"), stepArray);
    return object;
}

QJsonObject stepToJson(const StepRecord &step)
{
    QJsonArray attempts;
    for (const AttemptRecord &attempt : step.attemptLog)
        attempts.append(attemptToJson(attempt));
    return QJsonObject{
        {QStringLiteral("seq"), step.seq},
        {QStringLiteral("name"), step.name},
        {QStringLiteral("occurrence"), step.occurrence},
        {QStringLiteral("kind"), toString(step.kind)},
        {QStringLiteral("status"), toString(step.status)},
        {QStringLiteral("worker"), textOrNull(step.worker)},
        {QStringLiteral("attempts"), attempts},
        {QStringLiteral("attempt_count"), step.attempts},
        {QStringLiteral("result"), storedJson(step.resultJson)},
        {QStringLiteral("error"), textOrNull(step.error)},
        {QStringLiteral("type_version"), step.typeVersion},
        {QStringLiteral("started"), timeToJson(step.started)},
        {QStringLiteral("finished"), timeToJson(step.finished)},
        {QStringLiteral("next_attempt_at"), timeToJson(step.nextAttemptAt)},
    };
}

QJsonObject attemptToJson(const AttemptRecord &attempt)
{
    return QJsonObject{
        {QStringLiteral("number"), attempt.number},
        {QStringLiteral("started"), timeToJson(attempt.started)},
        {QStringLiteral("finished"), timeToJson(attempt.finished)},
        {QStringLiteral("error"), textOrNull(attempt.error)},
        {QStringLiteral("worker"), textOrNull(attempt.worker)},
    };
}

QJsonObject workerToJson(const WorkerRecord &worker, const QDateTime &now)
{
    return QJsonObject{
        {QStringLiteral("name"), worker.name},
        {QStringLiteral("host"), worker.host},
        {QStringLiteral("pid"), worker.pid},
        {QStringLiteral("status"), toString(effectiveStatus(worker, now))},
        {QStringLiteral("recorded_status"), toString(worker.status)},
        {QStringLiteral("started"), timeToJson(worker.started)},
        {QStringLiteral("heartbeat"), timeToJson(worker.heartbeat)},
        {QStringLiteral("concurrency"), worker.concurrency},
        {QStringLiteral("in_flight"), worker.inFlight},
        {QStringLiteral("completed"), worker.completed},
        {QStringLiteral("failed"), worker.failed},
        {QStringLiteral("steals"), worker.steals},
        {QStringLiteral("lease_ms"), worker.leaseMs},
    };
}

QJsonObject timerToJson(const TimerRecord &timer, const QDateTime &now)
{
    const qint64 remainingMs = std::max<qint64>(0, now.msecsTo(timer.fireAt));
    return QJsonObject{
        {QStringLiteral("flow_id"), timer.flowId},
        {QStringLiteral("type"), timer.flowType},
        {QStringLiteral("name"), timer.name},
        {QStringLiteral("seq"), timer.seq},
        {QStringLiteral("fire_at"), timeToJson(timer.fireAt)},
        {QStringLiteral("remaining_s"), double(remainingMs) / 1000.0},
    };
}

QJsonObject statusCountsToJson(const QMap<FlowStatus, qint64> &counts)
{
    QJsonObject object;
    for (const FlowStatus status : allFlowStatuses)
        object.insert(toString(status), counts.value(status, 0));
    return object;
}

QJsonArray flowsToJson(const QList<FlowRecord> &flows)
{
    QJsonArray array;
    for (const FlowRecord &flow : flows)
        array.append(flowToJson(flow));
    return array;
}

QJsonArray workersToJson(const QList<WorkerRecord> &workers, const QDateTime &now)
{
    QJsonArray array;
    for (const WorkerRecord &worker : workers)
        array.append(workerToJson(worker, now));
    return array;
}

QJsonArray timersToJson(const QList<TimerRecord> &timers, const QDateTime &now)
{
    QJsonArray array;
    for (const TimerRecord &timer : timers)
        array.append(timerToJson(timer, now));
    return array;
}

} // namespace ergon
