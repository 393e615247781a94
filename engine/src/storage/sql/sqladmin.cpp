#include "storage/sql/sqladmin.h"

#include "storage/sql/flowquerysql.h"
#include "storage/sql/sqlreads.h"
#include "storage/sql/sqlrows.h"

namespace ergon::sqladmin {

using sqlrows::fromTime;

Result<QString> beginWithFlowStatus(SqlSession &session, qint64 id, const QString &doing)
{
    if (auto begun = session.begin(doing); !begun)
        return begun.error();
    QString select = QStringLiteral("SELECT status FROM flows WHERE id = ?");
    select += session.lockRowsRead();
    auto status = session.run(select, {id}, doing);
    if (!status)
        return session.rolledBack(status.error());
    QSqlQuery *q = *status;
    auto found = nextRow(*q, session.readErrorOf(doing));
    if (!found)
        return session.rolledBack(found.error());
    if (!*found) {
        q->finish();
        return session.rolledBack(Error(QStringLiteral("no flow with id %1").arg(id), QStringLiteral("not-found")));
    }
    const QString current = q->value(0).toString();
    q->finish();
    return current;
}

Result<void> retryFlow(SqlSession &session, qint64 id, const QString &stepName, const QDateTime &now)
{
    const QString doing = QStringLiteral("retrying a flow in");
    auto status = beginWithFlowStatus(session, id, doing);
    if (!status)
        return status.error();
    const QString current = *status;
    if (current != toString(FlowStatus::Failed)) {
        return session.rolledBack(
            Error(QStringLiteral("flow %1 is %2, not failed: nothing to retry").arg(id).arg(current),
                  QStringLiteral("not-failed")));
    }
    const QString stepFilter = stepName.isEmpty() ? QString() : QStringLiteral(" AND name = ?");
    QVariantList stepValues{id};
    if (!stepName.isEmpty())
        stepValues.append(stepName);
    auto reset = session.run(
        QStringLiteral("UPDATE steps SET status = 'retrying', retry_base = attempts, next_attempt_at = NULL,"
                       " finished = NULL WHERE flow_id = ? AND status = 'failed'") +
            stepFilter,
        stepValues, doing);
    if (!reset)
        return session.rolledBack(reset.error());
    if (!stepName.isEmpty() && (*reset)->numRowsAffected() == 0) {
        return session.rolledBack(Error(QStringLiteral("flow %1 has no failed step '%2'").arg(id).arg(stepName),
                                        QStringLiteral("not-found")));
    }
    auto requeued =
        session.run(QStringLiteral("UPDATE flows SET status = 'pending', error = NULL, run_at = ?, updated = ?,"
                                   " finished = NULL, lease_owner = NULL, lease_expires = NULL, run_started = NULL"
                                   " WHERE id = ?"),
                    {fromTime(now), fromTime(now), id}, doing);
    if (!requeued)
        return session.rolledBack(requeued.error());
    if (auto notified = session.notifyWork(now, doing); !notified)
        return session.rolledBack(notified.error());
    return session.commit(doing);
}

Result<void> cancelFlow(SqlSession &session, qint64 id, const QDateTime &now)
{
    const QString doing = QStringLiteral("cancelling a flow in");
    auto cancelled = session.run(QStringLiteral("UPDATE flows SET status = 'cancelled', updated = ?, finished = ?,"
                                                " lease_owner = NULL, lease_expires = NULL, run_started = NULL"
                                                " WHERE id = ? AND status IN ('pending', 'running', 'waiting')"),
                                 {fromTime(now), fromTime(now), id}, doing);
    if (!cancelled)
        return cancelled.error();
    if ((*cancelled)->numRowsAffected() > 0)
        return {};
    auto existing = sqlreads::flow(session, id);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return Error(QStringLiteral("no flow with id %1").arg(id), QStringLiteral("not-found"));
    return Error(QStringLiteral("flow %1 is already %2").arg(id).arg(toString((*existing)->status)),
                 QStringLiteral("finished"));
}

Result<void> fireTimerNow(SqlSession &session, qint64 flowId, const QDateTime &now)
{
    const QString doing = QStringLiteral("firing a timer in");
    if (auto begun = session.begin(doing); !begun)
        return begun;
    auto flow =
        session.run(QStringLiteral("UPDATE flows SET run_at = ?, updated = ? WHERE id = ? AND status = 'waiting'"),
                    {fromTime(now), fromTime(now), flowId}, doing);
    if (!flow)
        return session.rolledBack(flow.error());
    if ((*flow)->numRowsAffected() == 0)
        return session.rolledBack(
            Error(QStringLiteral("flow %1 is not waiting on a timer").arg(flowId), QStringLiteral("not-waiting")));
    // The replay reads the fire time from the timer's step: move it too, or the flow would
    // park again until the original time.
    auto step = session.run(QStringLiteral("UPDATE steps SET next_attempt_at = ? WHERE flow_id = ? AND kind = 'timer'"
                                           " AND status = 'running'"),
                            {fromTime(now), flowId}, doing);
    if (!step)
        return session.rolledBack(step.error());
    auto timer = session.run(QStringLiteral("UPDATE timers SET fire_at = ? WHERE flow_id = ? AND fired_at IS NULL"),
                             {fromTime(now), flowId}, doing);
    if (!timer)
        return session.rolledBack(timer.error());
    if (auto notified = session.notifyWork(now, doing); !notified)
        return session.rolledBack(notified.error());
    return session.commit(doing);
}

} // namespace ergon::sqladmin
