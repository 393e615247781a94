#include "storage/sql/sqlsignals.h"

#include "storage/sql/sqladmin.h"

#include "storage/sql/flowquerysql.h"
#include "storage/sql/sqlrows.h"

namespace ergon::sqlsignals {

using sqlrows::fromTime;

Result<SignalSent> sendSignal(SqlSession &session, qint64 flowId, const QString &name, const QByteArray &payloadJson,
                              const QDateTime &now)
{
    const QString doing = QStringLiteral("sending a signal in");
    auto status = sqladmin::beginWithFlowStatus(session, flowId, doing);
    if (!status)
        return status.error();
    const QString current = *status;
    if (const auto known = flowStatusFromString(current); !known || isFinished(*known)) {
        return session.rolledBack(
            Error(QStringLiteral("flow %1 is already %2").arg(flowId).arg(current), QStringLiteral("finished")));
    }

    auto inserted = session.run(
        QStringLiteral("INSERT INTO signals (flow_id, name, payload, created) VALUES (?, ?, ?, ?) RETURNING id"),
        {flowId, name, QString::fromUtf8(payloadJson.isEmpty() ? QByteArrayLiteral("null") : payloadJson),
         fromTime(now)},
        doing);
    if (!inserted)
        return session.rolledBack(inserted.error());
    QSqlQuery *q = *inserted;
    auto row = nextRow(*q, session.readErrorOf(doing));
    if (!row)
        return session.rolledBack(row.error());
    SignalSent sent;
    sent.id = *row ? q->value(0).toLongLong() : 0;
    q->finish();

    // Due now if it waits for a signal of this name; one that waits on something else, or not
    // yet, finds the signal at its wait.
    auto woken = session.run(
        QStringLiteral("UPDATE flows SET run_at = ?, updated = ? WHERE id = ? AND status = 'waiting' AND run_at > ?"
                       " AND EXISTS (SELECT 1 FROM steps WHERE steps.flow_id = flows.id AND steps.kind = 'signal'"
                       " AND steps.status = 'running' AND steps.name = ?)"),
        {fromTime(now), fromTime(now), flowId, fromTime(now), name}, doing);
    if (!woken)
        return session.rolledBack(woken.error());
    sent.woke = (*woken)->numRowsAffected() > 0;
    if (sent.woke) {
        if (auto notified = session.notifyWork(now, doing); !notified)
            return session.rolledBack(notified.error());
    }
    if (auto committed = session.commit(doing); !committed)
        return committed.error();
    return sent;
}

Result<std::optional<QByteArray>> takeSignal(SqlSession &session, qint64 flowId, const QString &name, int seq,
                                             const QDateTime &now)
{
    const QString doing = QStringLiteral("delivering a signal in");
    auto taken = session.run(QStringLiteral("UPDATE signals SET consumed = ?, consumed_seq = ? WHERE id = ("
                                            "SELECT min(id) FROM signals WHERE flow_id = ? AND name = ?"
                                            " AND consumed IS NULL) RETURNING payload"),
                             {fromTime(now), seq, flowId, name}, doing);
    if (!taken)
        return taken.error();
    QSqlQuery *q = *taken;
    auto row = nextRow(*q, session.readErrorOf(doing));
    if (!row)
        return row.error();
    std::optional<QByteArray> payload;
    if (*row)
        payload = q->value(0).toString().toUtf8();
    q->finish();
    return payload;
}

} // namespace ergon::sqlsignals
