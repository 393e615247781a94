#include "storage/sql/sqlrows.h"

#include "storage/sql/flowquerysql.h"

#include "ergon/jsontext.h"

namespace ergon::sqlrows {

QVariant fromTime(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toMSecsSinceEpoch()) : QVariant(QMetaType::fromType<qint64>());
}

QDateTime toTime(const QVariant &value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

QVariant nullIfEmpty(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

QVariant nullIfEmpty(const QByteArray &utf8)
{
    return utf8.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(QString::fromUtf8(utf8));
}

Result<FlowRecord> flowFromRow(const QSqlQuery &query, const QString &where)
{
    FlowRecord flow;
    flow.id = query.value(0).toLongLong();
    flow.type = query.value(1).toString();
    flow.typeVersion = query.value(2).toInt();
    flow.arguments = objectFromJsonText(query.value(3).toString().toUtf8()).value_or(QJsonObject());
    const auto status = flowStatusFromString(query.value(4).toString());
    if (!status)
        return unknownStoredValue(where, QStringLiteral("the status of flow %1").arg(flow.id),
                                  query.value(4).toString());
    flow.status = *status;
    flow.priority = query.value(5).toInt();
    flow.runAt = toTime(query.value(6));
    flow.idempotencyKey = query.value(7).toString();
    flow.leaseOwner = query.value(8).toString();
    flow.leaseExpires = toTime(query.value(9));
    flow.resultJson = query.value(10).toString().toUtf8();
    flow.error = query.value(11).toString();
    flow.stepCount = query.value(flowStepCountColumn).toInt();
    flow.created = toTime(query.value(13));
    flow.updated = toTime(query.value(14));
    flow.finished = toTime(query.value(15));
    flow.runStarted = toTime(query.value(16));
    flow.plugin = query.value(17).toString();
    // "kind name" of the open wait step: the kind never holds a space, the name may.
    const QString wait = query.value(flowWaitColumn).toString();
    if (const qsizetype space = wait.indexOf(QLatin1Char(' ')); space > 0) {
        if (const auto kind = stepKindFromString(wait.left(space)))
            flow.waitingFor = FlowWait{*kind, wait.mid(space + 1), toTime(query.value(flowWaitColumn + 1))};
    }
    return flow;
}

Result<StepRecord> stepFromRow(const QSqlQuery &query, const QString &where)
{
    StepRecord step;
    step.flowId = query.value(0).toLongLong();
    step.seq = query.value(1).toInt();
    step.name = query.value(2).toString();
    step.occurrence = query.value(3).toInt();
    step.inputHash = query.value(4).toString().toLatin1();
    const auto kind = stepKindFromString(query.value(5).toString());
    const auto status = stepStatusFromString(query.value(6).toString());
    if (!kind || !status) {
        return unknownStoredValue(where,
                                  QStringLiteral("the %1 of step %2 of flow %3")
                                      .arg(kind ? QStringLiteral("status") : QStringLiteral("kind"))
                                      .arg(step.seq)
                                      .arg(step.flowId),
                                  query.value(kind ? 6 : 5).toString());
    }
    step.kind = *kind;
    step.status = *status;
    step.resultJson = query.value(7).toString().toUtf8();
    step.error = query.value(8).toString();
    step.worker = query.value(9).toString();
    step.attempts = query.value(10).toInt();
    step.retryBase = query.value(11).toInt();
    step.typeVersion = query.value(12).toInt();
    step.started = toTime(query.value(13));
    step.finished = toTime(query.value(14));
    step.nextAttemptAt = toTime(query.value(15));
    step.attemptStarted = toTime(query.value(16));
    return step;
}

SignalRecord signalFromRow(const QSqlQuery &query)
{
    SignalRecord signal;
    signal.id = query.value(0).toLongLong();
    signal.flowId = query.value(1).toLongLong();
    signal.name = query.value(2).toString();
    signal.payloadJson = query.value(3).toString().toUtf8();
    signal.created = toTime(query.value(4));
    signal.consumed = toTime(query.value(5));
    signal.consumedSeq = query.value(6).isNull() ? -1 : query.value(6).toInt();
    return signal;
}

} // namespace ergon::sqlrows
