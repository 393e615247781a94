#include "storage/sqlite/sqliteexecutionlog_p.h"

#include "storage/sql/sqlrows.h"
#include "storage/sql/workersql.h"

namespace ergon {

using sqlrows::fromTime;

namespace {

/// " AND ((type = ?3 AND plugin IN ('', ?4)) OR …)" for the native claim statements, whose ?1
/// and ?2 are the time and the limit: each type with the plugin that provides it here (see
/// ClaimFilter); empty for no types. bindTypes() binds them.
QByteArray typeInFilter(const ClaimFilter &types)
{
    if (types.isEmpty())
        return {};
    QByteArrayList terms;
    for (int i = 0; i < types.size(); ++i) {
        terms.append("(type = ?" + QByteArray::number(2 * i + 3) + " AND plugin IN ('', ?" +
                     QByteArray::number(2 * i + 4) + "))");
    }
    return " AND (" + terms.join(" OR ") + ")";
}

void bindTypes(SqliteStatement &statement, const ClaimFilter &types)
{
    for (int i = 0; i < types.size(); ++i) {
        statement.bindText(2 * i + 3, types.at(i).type, SqliteStatement::Text::Borrowed);
        statement.bindText(2 * i + 4, types.at(i).plugin, SqliteStatement::Text::Borrowed);
    }
}

} // namespace

Result<SqliteStatement *> SqliteExecutionLog::Private::cachedNative(const QByteArray &sql)
{
    auto found = nativeCache.find(sql);
    if (found == nativeCache.end()) {
        auto made = SqliteStatement::prepare(handle, sql, fileName());
        if (!made)
            return made.error();
        found = nativeCache.emplace(sql, made.take()).first;
    }
    return &found->second;
}

Result<void> SqliteExecutionLog::Private::leaseUnstarted(const QList<qint64> &ids, const QString &owner,
                                                         const QDateTime &now, const QDateTime &leaseUntil,
                                                         const QString &doing)
{
    auto lease = cachedNative("UPDATE flows SET status = 'running', lease_owner = ?1, lease_expires = ?2,"
                              " run_started = NULL, updated = ?3 WHERE id = ?4");
    if (!lease)
        return lease.error();
    SqliteStatement &update = **lease;
    for (const qint64 id : ids) {
        update.bindText(1, owner, SqliteStatement::Text::Borrowed);
        update.bindTime(2, leaseUntil);
        update.bindTime(3, now);
        update.bindInt64(4, id);
        if (auto done = update.run(doing); !done)
            return done.error();
    }
    return {};
}

Result<std::vector<SqliteExecutionLog::Private::Candidate>>
SqliteExecutionLog::Private::dueCandidates(const QDateTime &now, int limit, const ClaimFilter &types,
                                           const QString &doing)
{
    // Ordered index scans, merged here (cheaper than a sort over their union): the queued flows
    // of each type (flows_pending serves priority, then due time), the due waiting flows
    // (flows_waiting, by due time), and expired leases. Native statements,
    // prepared once per shape: a worker asks at every turn. The statuses are written into the
    // SQL, not bound: SQLite uses a partial index only where the query's text implies its
    // condition.
    const QByteArray typeFilter = typeInFilter(types);
    struct Scan {
        QByteArray sql;
        std::optional<qsizetype> type; ///< binds this one type as ?3; else every type in `types`
    };
    std::vector<Scan> scans;
    const QByteArray pendingOfType = "SELECT id, priority, run_at FROM flows WHERE status = 'pending' AND type = ?3"
                                     " AND run_at <= ?1 AND plugin IN ('', ?4) ORDER BY priority DESC, run_at LIMIT ?2";
    for (qsizetype i = 0; i < types.size(); ++i)
        scans.push_back({pendingOfType, i});
    if (types.isEmpty()) {
        scans.push_back({"SELECT id, priority, run_at FROM flows WHERE status = 'pending' AND run_at <= ?1"
                         " ORDER BY priority DESC, run_at LIMIT ?2",
                         std::nullopt});
    }
    scans.push_back({"SELECT id, priority, run_at FROM flows WHERE status = 'waiting' AND run_at <= ?1" + typeFilter +
                         " ORDER BY priority DESC, run_at LIMIT ?2",
                     std::nullopt});
    // Expired leases are rare (a worker died or stalled) and leases last seconds, so they are
    // looked for at most once per expiredLeaseScanMs of log time on this connection: the scan
    // reads every running flow, and an index on lease expiry would cost every flow two more
    // index writes (measured: 4% of a flow's cost on the hot path).
    const qint64 nowMs = now.toMSecsSinceEpoch();
    if (nowMs - lastExpiredLeaseScanMs >= expiredLeaseScanMs || nowMs < lastExpiredLeaseScanMs) {
        lastExpiredLeaseScanMs = nowMs;
        scans.push_back({"SELECT id, priority, run_at FROM flows WHERE status = 'running' AND lease_expires < ?1" +
                             typeFilter + " LIMIT ?2",
                         std::nullopt});
    }
    std::vector<Candidate> candidates;
    for (const Scan &scan : scans) {
        auto statement = cachedNative(scan.sql);
        if (!statement)
            return statement.error();
        SqliteStatement &q = **statement;
        q.bindTime(1, now);
        q.bindInt(2, limit);
        if (scan.type) {
            q.bindText(3, types.at(*scan.type).type, SqliteStatement::Text::Borrowed);
            q.bindText(4, types.at(*scan.type).plugin, SqliteStatement::Text::Borrowed);
        } else
            bindTypes(q, types);
        for (;;) {
            auto row = q.step(doing);
            if (!row) {
                q.reset();
                return row.error();
            }
            if (!*row)
                break;
            candidates.push_back(Candidate{q.columnInt64(0), q.columnInt(1), q.columnInt64(2)});
        }
        q.reset();
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
        return a.priority != b.priority ? a.priority > b.priority : (a.due != b.due ? a.due < b.due : a.id < b.id);
    });
    if (candidates.size() > size_t(limit))
        candidates.resize(size_t(limit));
    return candidates;
}

Result<QList<qint64>> SqliteExecutionLog::claimDue(const QString &owner, const QDateTime &now,
                                                   const QDateTime &leaseUntil, int limit, const ClaimFilter &types)
{
    const QString doing = QStringLiteral("claiming flows in");
    if (limit <= 0)
        return QList<qint64>();
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    auto candidates = d->dueCandidates(now, limit, types, doing);
    if (!candidates)
        return d->rollback<QList<qint64>>(candidates.error());
    QList<qint64> claimed;
    claimed.reserve(qsizetype(candidates->size()));
    for (const Private::Candidate &candidate : std::as_const(*candidates))
        claimed.append(candidate.id);
    if (auto leased = d->leaseUnstarted(claimed, owner, now, leaseUntil, doing); !leased)
        return d->rollback<QList<qint64>>(leased.error());
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return claimed;
}

Result<QList<ClaimedFlow>> SqliteExecutionLog::claimDueStarted(const QString &owner, const QDateTime &now,
                                                               const QDateTime &leaseUntil, int limit,
                                                               const ClaimFilter &types)
{
    const QString doing = QStringLiteral("claiming flows in");
    if (limit <= 0)
        return QList<ClaimedFlow>();
    if (auto prepared = d->prepareNative(); !prepared)
        return prepared.error();
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    auto candidates = d->dueCandidates(now, limit, types, doing);
    if (!candidates)
        return d->rollback<QList<ClaimedFlow>>(candidates.error());
    // Each one as the executor's own claim takes it (leased, started, its row and steps read),
    // all in this one transaction.
    QList<ClaimedFlow> claimed;
    claimed.reserve(qsizetype(candidates->size()));
    for (const Private::Candidate &candidate : std::as_const(*candidates)) {
        auto taken = d->claim(FlowClaim{candidate.id, owner, now, leaseUntil});
        if (!taken)
            return d->rollback<QList<ClaimedFlow>>(taken.error());
        if (*taken)
            claimed.append(std::move(**taken));
    }
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return claimed;
}

Result<int> SqliteExecutionLog::renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil)
{
    // INDEXED BY here and below: without statistics SQLite picks flows_status for
    // "status = 'running'", and reads every running flow of every worker.
    auto query = d->run(QStringLiteral("UPDATE flows INDEXED BY flows_lease SET lease_expires = ?, updated = ?"
                                       " WHERE lease_owner = ? AND status = 'running'"),
                        {fromTime(leaseUntil), fromTime(now), owner}, QStringLiteral("renewing leases in"));
    if (!query)
        return query.error();
    return (*query)->numRowsAffected();
}

Result<int> SqliteExecutionLog::releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted)
{
    const QString sql =
        QStringLiteral("UPDATE flows INDEXED BY flows_lease SET status = 'pending', lease_owner = NULL,"
                       " lease_expires = NULL,"
                       " run_started = NULL, updated = ? WHERE lease_owner = ? AND status = 'running'") +
        (onlyNotStarted ? QStringLiteral(" AND run_started IS NULL") : QString());
    auto query = d->run(sql, {fromTime(now), owner}, QStringLiteral("releasing flows in"));
    if (!query)
        return query.error();
    return (*query)->numRowsAffected();
}

Result<QList<StealRecord>> SqliteExecutionLog::stealFlows(const QString &thief, const QDateTime &now,
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
                   typeFilter + QStringLiteral(" GROUP BY lease_owner ORDER BY queued DESC LIMIT 1"),
               QVariantList{thief, fromTime(now)} + typeValues, doing);
    if (!victims)
        return d->rollback<QList<StealRecord>>(victims.error());
    QSqlQuery *q = *victims;
    auto found = d->nextRow(*q, doing);
    if (!found)
        return d->rollback<QList<StealRecord>>(found.error());
    if (!*found) {
        q->finish();
        d->rollback();
        return QList<StealRecord>();
    }
    const QString victim = q->value(0).toString();
    // Half of the victim's queue, rounded up: both end with about the same amount of work.
    const int take = std::min(limit, int((q->value(1).toLongLong() + 1) / 2));
    q->finish();

    auto ids =
        d->run(QStringLiteral("SELECT id FROM flows INDEXED BY flows_lease WHERE lease_owner = ? AND status = 'running'"
                              " AND run_started IS NULL") +
                   typeFilter + QStringLiteral(" ORDER BY priority DESC, run_at LIMIT ?"),
               QVariantList{victim} + typeValues + QVariantList{take}, doing);
    auto stolenIds = readRows<qint64>(
        std::move(ids), [](const QSqlQuery &row) { return row.value(0).toLongLong(); }, d->readError(doing));
    if (!stolenIds)
        return d->rollback<QList<StealRecord>>(stolenIds.error());

    QList<StealRecord> stolen;
    for (const qint64 id : std::as_const(*stolenIds)) {
        auto moved =
            d->run(QStringLiteral("UPDATE flows SET lease_owner = ?, lease_expires = ?, updated = ? WHERE id = ?"),
                   {thief, fromTime(leaseUntil), fromTime(now), id}, doing);
        if (!moved)
            return d->rollback<QList<StealRecord>>(moved.error());
        auto recorded =
            d->run(QStringLiteral("INSERT INTO steals (flow_id, from_worker, to_worker, at) VALUES (?, ?, ?, ?)"),
                   {id, victim, thief, fromTime(now)}, doing);
        if (!recorded)
            return d->rollback<QList<StealRecord>>(recorded.error());
        stolen.append(StealRecord{id, victim, thief, now});
    }
    const workersql::Statement count = workersql::countSteals(thief, stolen.size());
    auto counted = d->run(count.sql, count.values, doing);
    if (!counted)
        return d->rollback<QList<StealRecord>>(counted.error());
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return stolen;
}

Result<QList<std::pair<qint64, QDateTime>>> SqliteExecutionLog::upcoming(const QDateTime &now, const QDateTime &horizon,
                                                                         int limit)
{
    // INDEXED BY: without statistics SQLite reads every queued flow through flows_status and
    // sorts them (30 ms on a million flows), at every refresh of every timer service.
    const QString doing = QStringLiteral("reading due times from");
    auto query =
        d->run(QStringLiteral("SELECT id, run_at FROM flows INDEXED BY flows_due WHERE status IN ('pending', 'waiting')"
                              " AND run_at > ? AND run_at <= ? ORDER BY run_at LIMIT ?"),
               {fromTime(now), fromTime(horizon), limit}, doing);
    return readRows<std::pair<qint64, QDateTime>>(std::move(query), dueFromRow, d->readError(doing));
}

Result<int> SqliteExecutionLog::Private::fireDue(const QDateTime &now, const QString &doing)
{
    // The pending-timers index finds what is due: CROSS JOIN keeps the planner from walking
    // every waiting flow instead (10,000 of them per tick when many sleep at once). The steps
    // are marked first, while the timers rows still say which are unfired.
    const QString due = QStringLiteral("SELECT t.flow_id, t.seq FROM timers t CROSS JOIN flows f ON f.id = t.flow_id"
                                       " WHERE t.fired_at IS NULL AND t.fire_at <= ? AND f.status = 'waiting'");
    auto steps = run(QStringLiteral("UPDATE steps SET status = 'completed', finished = ? WHERE kind = 'timer'"
                                    " AND status = 'running' AND (flow_id, seq) IN (") +
                         due + QStringLiteral(")"),
                     {fromTime(now), fromTime(now)}, doing);
    if (!steps)
        return steps.error();
    const int fired = (*steps)->numRowsAffected();
    auto timers =
        run(QStringLiteral("UPDATE timers SET fired_at = ? WHERE (flow_id, seq) IN (") + due + QStringLiteral(")"),
            {fromTime(now), fromTime(now)}, doing);
    if (!timers)
        return timers.error();
    return fired;
}

Result<int> SqliteExecutionLog::fireDueTimers(const QDateTime &now)
{
    const QString doing = QStringLiteral("firing due timers in");
    if (auto begun = d->begin(doing, SqliteWriteGate::Urgency::Urgent); !begun)
        return begun.error();
    auto fired = d->fireDue(now, doing);
    if (!fired)
        return d->rollback<int>(fired.error());
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return fired;
}

Result<FiredTimers> SqliteExecutionLog::fireAndClaimDue(const QString &owner, const Clock &clock,
                                                        std::chrono::milliseconds leaseDuration, int limit,
                                                        const ClaimFilter &types)
{
    const QString doing = QStringLiteral("firing due timers in");
    // Urgent: ahead of this process's other writers (the workers' group commits), so that due
    // timers fire on time however busy the workers are.
    if (auto begun = d->begin(doing, SqliteWriteGate::Urgency::Urgent); !begun)
        return begun.error();
    const QDateTime now = clock.now(); // under the write lock: see ExecutionLog::fireAndClaimDue()
    const QDateTime leaseUntil = now.addMSecs(leaseDuration.count());
    FiredTimers result;
    auto fired = d->fireDue(now, doing);
    if (!fired)
        return d->rollback<FiredTimers>(fired.error());
    result.fired = *fired;
    if (limit > 0) {
        // The fired flows this worker has room for, leased to it (native statements: this runs
        // at every tick, for hundreds of flows at once when many timers fall due together).
        // The flows_waiting index serves this scan (the due ones, by due time), as claimDue()'s.
        auto due = d->cachedNative("SELECT id FROM flows WHERE status = 'waiting' AND run_at <= ?1" +
                                   typeInFilter(types) + " ORDER BY priority DESC, run_at LIMIT ?2");
        if (!due)
            return d->rollback<FiredTimers>(due.error());
        SqliteStatement &q = **due;
        q.bindTime(1, now);
        q.bindInt(2, limit);
        bindTypes(q, types);
        for (;;) {
            auto row = q.step(doing);
            if (!row) {
                q.reset();
                return d->rollback<FiredTimers>(row.error());
            }
            if (!*row)
                break;
            result.claimed.append(q.columnInt64(0));
        }
        q.reset();
        if (auto leased = d->leaseUnstarted(result.claimed, owner, now, leaseUntil, doing); !leased)
            return d->rollback<FiredTimers>(leased.error());
    }
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return result;
}

} // namespace ergon
