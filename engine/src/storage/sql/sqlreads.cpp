#include "storage/sql/sqlreads.h"

#include "storage/sql/flowquerysql.h"
#include "storage/sql/sqlrows.h"

namespace ergon::sqlreads {

Result<std::optional<FlowRecord>> flow(SqlSession &session, qint64 id)
{
    const QString doing = QStringLiteral("reading a flow from");
    auto query = session.run(QStringLiteral("SELECT ") + QLatin1String(sqlrows::flowColumnList) +
                                 QStringLiteral(" FROM flows WHERE id = ?"),
                             {id}, doing);
    if (!query)
        return query.error();
    QSqlQuery *q = *query;
    auto found = nextRow(*q, session.readErrorOf(doing));
    if (!found)
        return found.error();
    std::optional<FlowRecord> record;
    if (*found) {
        auto read = sqlrows::flowFromRow(*q, session.where());
        if (!read) {
            q->finish();
            return read.error();
        }
        record = read.take();
    }
    q->finish();
    return record;
}

Result<QList<StepRecord>> steps(SqlSession &session, qint64 flowId, bool withAttempts)
{
    const QString doing = QStringLiteral("reading steps from");
    const QString where = session.where();
    auto query = session.run(QStringLiteral("SELECT ") + QLatin1String(sqlrows::stepColumnList) +
                                 QStringLiteral(" FROM steps WHERE flow_id = ? ORDER BY seq"),
                             {flowId}, doing);
    auto read = readRows<StepRecord>(
        std::move(query), [&](const QSqlQuery &row) { return sqlrows::stepFromRow(row, where); },
        session.readErrorOf(doing));
    if (!read)
        return read.error();
    QList<StepRecord> steps = read.take();
    if (!withAttempts || steps.isEmpty())
        return steps;

    auto attempts = session.run(QStringLiteral("SELECT seq, attempt, started, finished, error, worker FROM attempts"
                                               " WHERE flow_id = ? ORDER BY seq, attempt"),
                                {flowId}, doing);
    if (!attempts)
        return attempts.error();
    QSqlQuery *q = *attempts;
    for (;;) {
        auto row = nextRow(*q, session.readErrorOf(doing));
        if (!row)
            return row.error();
        if (!*row)
            break;
        const int seq = q->value(0).toInt();
        AttemptRecord attempt;
        attempt.number = q->value(1).toInt();
        attempt.started = sqlrows::toTime(q->value(2));
        attempt.finished = sqlrows::toTime(q->value(3));
        attempt.error = q->value(4).toString();
        attempt.worker = q->value(5).toString();
        for (StepRecord &step : steps) {
            if (step.seq == seq) {
                step.attemptLog.append(std::move(attempt));
                break;
            }
        }
    }
    q->finish();
    for (StepRecord &step : steps)
        completeAttemptLog(step);
    return steps;
}

Result<QList<FlowRecord>> flows(SqlSession &session, const FlowQuery &query)
{
    const QString where = session.where();
    return listFlows(
        query, QStringLiteral("SELECT ") + QLatin1String(sqlrows::flowColumnList) + QStringLiteral(" FROM flows"),
        session.caseInsensitiveLike(), [&](const QString &sql, const QVariantList &values) {
            const QString doing = QStringLiteral("listing flows in");
            return readRows<FlowRecord>(
                session.run(sql, values, doing), [&](const QSqlQuery &row) { return sqlrows::flowFromRow(row, where); },
                session.readErrorOf(doing));
        });
}

Result<QList<FlowText>> flowTexts(SqlSession &session, qint64 afterId, int limit)
{
    const QString doing = QStringLiteral("reading the arguments of flows in");
    auto ran = session.run(QStringLiteral("SELECT id, args FROM flows WHERE id > ? ORDER BY id LIMIT ?"),
                           {afterId, limit}, doing);
    return readRows<FlowText>(std::move(ran), flowTextFromRow, session.readErrorOf(doing));
}

Result<QMap<FlowStatus, qint64>> countByStatus(SqlSession &session)
{
    const QString doing = QStringLiteral("counting flows in");
    auto query = session.run(QStringLiteral("SELECT status, count(*) FROM flows GROUP BY status"), {}, doing);
    auto rows = readRows<StatusCount>(std::move(query), statusCountFromRow, session.readErrorOf(doing));
    if (!rows)
        return rows.error();
    return countsByStatus(*rows, session.where());
}

Result<QList<SignalRecord>> flowSignals(SqlSession &session, qint64 flowId)
{
    const QString doing = QStringLiteral("listing the signals of a flow in");
    auto query = session.run(QStringLiteral("SELECT ") + QLatin1String(sqlrows::signalColumnList) +
                                 QStringLiteral(" FROM signals WHERE flow_id = ? ORDER BY id"),
                             {flowId}, doing);
    return readRows<SignalRecord>(std::move(query), sqlrows::signalFromRow, session.readErrorOf(doing));
}

Result<QList<StealRecord>> steals(SqlSession &session, int limit)
{
    const QString doing = QStringLiteral("listing steals in");
    auto query =
        session.run(QStringLiteral("SELECT flow_id, from_worker, to_worker, at FROM steals ORDER BY id DESC LIMIT ?"),
                    {limit}, doing);
    return readRows<StealRecord>(std::move(query), stealFromRow, session.readErrorOf(doing));
}

Result<QList<TimerRecord>> pendingTimers(SqlSession &session, int limit, QLatin1StringView order)
{
    const QString doing = QStringLiteral("listing timers in");
    QString sql = QStringLiteral("SELECT t.flow_id, t.seq, t.name, f.type, t.fire_at FROM timers t"
                                 " JOIN flows f ON f.id = t.flow_id"
                                 " WHERE t.fired_at IS NULL AND f.status IN ('waiting', 'pending', 'running')"
                                 " ORDER BY ");
    sql += order;
    sql += QStringLiteral(" LIMIT ?");
    auto query = session.run(sql, {limit}, doing);
    return readRows<TimerRecord>(std::move(query), timerFromRow, session.readErrorOf(doing));
}

} // namespace ergon::sqlreads
