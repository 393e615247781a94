#include "storage/postgres/postgresexecutionlog_p.h"

#include "storage/sql/sqlrows.h"
#include "storage/sql/workersql.h"

#include <algorithm>

namespace ergon {

using sqlrows::fromTime;

namespace {

struct Candidate {
    qint64 id;
    int priority;
    qint64 due;
};

/// A row of "SELECT id, priority, run_at" (or RETURNING them).
Candidate candidateFromRow(const QSqlQuery &row)
{
    return Candidate{row.value(0).toLongLong(), row.value(1).toInt(), row.value(2).toLongLong()};
}

void sortByClaimOrder(QList<Candidate> &candidates)
{
    std::sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
        return a.priority != b.priority ? a.priority > b.priority : (a.due != b.due ? a.due < b.due : a.id < b.id);
    });
}

} // namespace

Result<QList<qint64>> PostgresExecutionLog::claimDue(const QString &owner, const QDateTime &now,
                                                     const QDateTime &leaseUntil, int limit, const ClaimFilter &types)
{
    const QString doing = QStringLiteral("claiming flows in");
    if (limit <= 0)
        return QList<qint64>();
    // One ordered index scan per queued status (flows_pending and flows_waiting serve priority, then due time),
    // plus expired leases, each locking its rows and skipping those another claimer holds;
    // the best `limit` of their union are leased in the same statement.
    QVariantList typeValues;
    const QString typeFilter = claimFilterCondition(types, typeValues);
    const QString queued =
        QStringLiteral("SELECT id, priority, run_at FROM flows WHERE status = '%1' AND run_at <= ?") + typeFilter +
        QStringLiteral(" ORDER BY priority DESC, run_at LIMIT ? FOR UPDATE SKIP LOCKED");
    const QString sql =
        QStringLiteral("WITH pending AS (") + queued.arg(QStringLiteral("pending")) +
        QStringLiteral("), waiting AS (") + queued.arg(QStringLiteral("waiting")) +
        QStringLiteral("), expired AS (SELECT id, priority, run_at FROM flows WHERE status = 'running'"
                       " AND lease_expires < ?") +
        typeFilter +
        QStringLiteral(
            " LIMIT ? FOR UPDATE SKIP LOCKED),"
            " chosen AS (SELECT * FROM pending UNION ALL SELECT * FROM waiting UNION ALL SELECT * FROM expired"
            " ORDER BY priority DESC, run_at, id LIMIT ?)"
            " UPDATE flows SET status = 'running', lease_owner = ?, lease_expires = ?, run_started = NULL,"
            " updated = ? FROM chosen WHERE flows.id = chosen.id"
            " RETURNING flows.id, flows.priority, flows.run_at");
    QVariantList values;
    for (int i = 0; i < 2; ++i)
        values << fromTime(now) << typeValues << limit;
    values << fromTime(now) << typeValues << limit << limit << owner << fromTime(leaseUntil) << fromTime(now);
    auto query = d->run(sql, values, doing);
    auto rows = readRows<Candidate>(std::move(query), candidateFromRow, d->readError(doing));
    if (!rows)
        return rows.error();
    QList<Candidate> claimed = rows.take();
    sortByClaimOrder(claimed);
    QList<qint64> ids;
    ids.reserve(qsizetype(claimed.size()));
    for (const Candidate &candidate : std::as_const(claimed))
        ids.append(candidate.id);
    return ids;
}

Result<int> PostgresExecutionLog::renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil)
{
    auto query = d->run(QStringLiteral("UPDATE flows SET lease_expires = ?, updated = ? WHERE lease_owner = ?"
                                       " AND status = 'running'"),
                        {fromTime(leaseUntil), fromTime(now), owner}, QStringLiteral("renewing leases in"));
    if (!query)
        return query.error();
    return (*query)->numRowsAffected();
}

Result<int> PostgresExecutionLog::releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted)
{
    const QString doing = QStringLiteral("releasing flows in");
    const QString sql =
        QStringLiteral("UPDATE flows SET status = 'pending', lease_owner = NULL, lease_expires = NULL,"
                       " run_started = NULL, updated = ? WHERE lease_owner = ? AND status = 'running'") +
        (onlyNotStarted ? QStringLiteral(" AND run_started IS NULL") : QString());
    auto query = d->run(sql, {fromTime(now), owner}, doing);
    if (!query)
        return query.error();
    const int released = (*query)->numRowsAffected();
    // Flows handed back are anyone's at once: wake the idle workers. Best effort: the flows
    // are released either way, and the others' polls find them.
    if (released > 0)
        (void)d->notifyWork(QDateTime(), doing);
    return released;
}

Result<QList<StealRecord>> PostgresExecutionLog::stealFlows(const QString &thief, const QDateTime &now,
                                                            const QDateTime &leaseUntil, int limit,
                                                            const ClaimFilter &types)
{
    QVariantList typeValues;
    const QString typeFilter = claimFilterCondition(types, typeValues);
    const QString doing = QStringLiteral("stealing flows in");
    if (limit <= 0)
        return QList<StealRecord>();
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    auto victims =
        d->run(QStringLiteral("SELECT lease_owner, count(*) AS queued FROM flows WHERE lease_owner IS NOT NULL"
                              " AND lease_owner <> ? AND status = 'running' AND run_started IS NULL"
                              " AND lease_expires >= ?") +
                   typeFilter + QStringLiteral(" GROUP BY lease_owner ORDER BY queued DESC, lease_owner LIMIT 1"),
               QVariantList{thief, fromTime(now)} + typeValues, doing);
    if (!victims)
        return d->rollback<QList<StealRecord>>(victims.error());
    QSqlQuery *q = *victims;
    auto found = d->nextRow(*q, doing);
    if (!found)
        return d->rollback<QList<StealRecord>>(found.error());
    if (!*found) {
        q->finish();
        d->connection.rollback();
        return QList<StealRecord>();
    }
    const QString victim = q->value(0).toString();
    // Half of the victim's queue, rounded up: both end with about the same amount of work.
    const int take = std::min(limit, int((q->value(1).toLongLong() + 1) / 2));
    q->finish();

    // Rows the victim is starting right now are locked by its claim: skipped, not waited for.
    auto moved = d->run(
        QStringLiteral("UPDATE flows SET lease_owner = ?, lease_expires = ?, updated = ? WHERE id IN"
                       " (SELECT id FROM flows WHERE lease_owner = ? AND status = 'running'"
                       " AND run_started IS NULL") +
            typeFilter +
            QStringLiteral(" ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)"
                           " RETURNING id, priority, run_at"),
        QVariantList{thief, fromTime(leaseUntil), fromTime(now), victim} + typeValues + QVariantList{take}, doing);
    auto movedRows = readRows<Candidate>(std::move(moved), candidateFromRow, d->readError(doing));
    if (!movedRows)
        return d->rollback<QList<StealRecord>>(movedRows.error());
    QList<Candidate> taken = movedRows.take();
    sortByClaimOrder(taken);

    QList<StealRecord> stolen;
    for (const Candidate &candidate : std::as_const(taken)) {
        auto recorded =
            d->run(QStringLiteral("INSERT INTO steals (flow_id, from_worker, to_worker, at) VALUES (?, ?, ?, ?)"),
                   {candidate.id, victim, thief, fromTime(now)}, doing);
        if (!recorded)
            return d->rollback<QList<StealRecord>>(recorded.error());
        stolen.append(StealRecord{candidate.id, victim, thief, now});
    }
    const workersql::Statement count = workersql::countSteals(thief, stolen.size());
    auto counted = d->run(count.sql, count.values, doing);
    if (!counted)
        return d->rollback<QList<StealRecord>>(counted.error());
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return stolen;
}

Result<QList<std::pair<qint64, QDateTime>>> PostgresExecutionLog::upcoming(const QDateTime &now,
                                                                           const QDateTime &horizon, int limit)
{
    const QString doing = QStringLiteral("reading due times from");
    auto query = d->run(QStringLiteral("SELECT id, run_at FROM flows WHERE status IN ('pending', 'waiting')"
                                       " AND run_at > ? AND run_at <= ? ORDER BY run_at, id LIMIT ?"),
                        {fromTime(now), fromTime(horizon), limit}, doing);
    return readRows<std::pair<qint64, QDateTime>>(std::move(query), dueFromRow, d->readError(doing));
}

Result<int> PostgresExecutionLog::fireDueTimers(const QDateTime &now)
{
    auto fired = d->fireAndClaim(QString(), [&now] { return now; }, std::chrono::milliseconds(0), 0, {});
    if (!fired)
        return fired.error();
    return fired->fired;
}

Result<FiredTimers> PostgresExecutionLog::fireAndClaimDue(const QString &owner, const Clock &clock,
                                                          std::chrono::milliseconds leaseDuration, int limit,
                                                          const ClaimFilter &types)
{
    return d->fireAndClaim(
        owner, [&clock] { return clock.now(); }, leaseDuration, limit, types);
}

Result<FiredTimers> PostgresExecutionLog::Private::fireAndClaim(const QString &owner,
                                                                const std::function<QDateTime()> &readNow,
                                                                std::chrono::milliseconds leaseDuration, int limit,
                                                                const ClaimFilter &types)
{
    const QString doing = QStringLiteral("firing due timers in");
    if (auto begun = begin(doing); !begun)
        return begun.error();
    // Read once the transaction has begun: see ExecutionLog::fireAndClaimDue().
    const QDateTime now = readNow();
    const QDateTime leaseUntil = now.addMSecs(leaseDuration.count());
    FiredTimers result;
    // The steps are marked first, while the timers rows still say which are unfired.
    const QString due = QStringLiteral("SELECT t.flow_id, t.seq FROM timers t JOIN flows f ON f.id = t.flow_id"
                                       " WHERE t.fired_at IS NULL AND t.fire_at <= ? AND f.status = 'waiting'");
    auto steps = run(QStringLiteral("UPDATE steps SET status = 'completed', finished = ? WHERE kind = 'timer'"
                                    " AND status = 'running' AND (flow_id, seq) IN (") +
                         due + QStringLiteral(")"),
                     {fromTime(now), fromTime(now)}, doing);
    if (!steps)
        return rollback<FiredTimers>(steps.error());
    result.fired = (*steps)->numRowsAffected();
    auto timers =
        run(QStringLiteral("UPDATE timers SET fired_at = ? WHERE (flow_id, seq) IN (") + due + QStringLiteral(")"),
            {fromTime(now), fromTime(now)}, doing);
    if (!timers)
        return rollback<FiredTimers>(timers.error());
    if (limit > 0) {
        // As claimDue()'s waiting scan: rows another claimer holds are skipped, not waited for.
        QVariantList values{fromTime(now)};
        const QString typeFilter = claimFilterCondition(types, values);
        values << limit << owner << fromTime(leaseUntil) << fromTime(now);
        auto claimed =
            run(QStringLiteral("WITH chosen AS (SELECT id FROM flows WHERE status = 'waiting' AND run_at <= ?") +
                    typeFilter +
                    QStringLiteral(" ORDER BY priority DESC, run_at LIMIT ? FOR UPDATE SKIP LOCKED)"
                                   " UPDATE flows SET status = 'running', lease_owner = ?, lease_expires = ?,"
                                   " run_started = NULL, updated = ? FROM chosen WHERE flows.id = chosen.id"
                                   " RETURNING flows.id, flows.priority, flows.run_at"),
                values, doing);
        auto rows = readRows<Candidate>(std::move(claimed), candidateFromRow, readError(doing));
        if (!rows)
            return rollback<FiredTimers>(rows.error());
        QList<Candidate> leased = rows.take();
        sortByClaimOrder(leased);
        for (const Candidate &candidate : std::as_const(leased))
            result.claimed.append(candidate.id);
    }
    if (auto committed = commit(doing); !committed)
        return committed.error();
    return result;
}

} // namespace ergon
