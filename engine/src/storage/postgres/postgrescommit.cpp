#include "storage/postgres/postgresexecutionlog_p.h"

#include "storage/logbatchrules.h"
#include "storage/sql/sqlrows.h"
#include "storage/sql/sqlsignals.h"

#include <algorithm>

namespace ergon {

using sqlrows::flowColumnList;
using sqlrows::flowFromRow;
using sqlrows::fromTime;
using sqlrows::nullIfEmpty;
using sqlrows::stepColumnList;

namespace {

const QString flowColumns = QLatin1String(flowColumnList);
using sqlrows::flowColumnCount;

const QString stepColumns = QLatin1String(stepColumnList);

// The same columns as bound values, typed, so that a NULL binds as its column's type.
const QString stepValues = QStringLiteral(
    "?::bigint, ?::integer, ?::text, ?::integer, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::integer,"
    " ?::integer, ?::integer, ?::bigint, ?::bigint, ?::bigint, ?::bigint");
const QString claimSql = QStringLiteral(
    "UPDATE flows SET status = 'running', lease_owner = ?, lease_expires = ?, updated = ?, run_started = ?"
    " WHERE id = ? AND ((status IN ('pending', 'waiting') AND run_at <= ?)"
    " OR (status = 'running' AND (lease_expires < ? OR lease_owner = ?)))");

} // namespace

Result<bool> PostgresExecutionLog::Private::applyFlowUpdate(const FlowUpdate &update)
{
    const bool guarded = !update.leaseOwner.isEmpty();
    QString sql = QStringLiteral("UPDATE flows SET status = ?,"
                                 " result = COALESCE(?, result), error = ?, run_at = COALESCE(?, run_at), updated = ?,"
                                 " finished = CASE WHEN ?::boolean THEN ?::bigint ELSE finished END,"
                                 " lease_owner = CASE WHEN ?::boolean THEN NULL ELSE lease_owner END,"
                                 " lease_expires = CASE WHEN ?::boolean THEN NULL ELSE lease_expires END,"
                                 " run_started = CASE WHEN ?::boolean THEN NULL ELSE run_started END"
                                 " WHERE id = ?");
    QVariantList values{toString(update.status),
                        nullIfEmpty(update.resultJson),
                        nullIfEmpty(update.error),
                        fromTime(update.runAt),
                        fromTime(update.updated),
                        isFinished(update.status),
                        fromTime(update.updated),
                        update.releaseLease,
                        update.releaseLease,
                        update.releaseLease,
                        update.flowId};
    if (guarded) {
        sql += QStringLiteral(" AND lease_owner = ? AND status = 'running'");
        values.append(update.leaseOwner);
    }
    auto query = run(sql, values, QStringLiteral("updating a flow in"));
    if (!query)
        return query.error();
    return (*query)->numRowsAffected() > 0;
}

Result<QList<qint64>> PostgresExecutionLog::Private::notHeldBy(const QString &writer, const QList<qint64> &flowIds)
{
    const QString doing = QStringLiteral("checking leases in");
    // The rows held are locked until the transaction ends, in id order (two batches lock the
    // flows they share in one order): a concurrent claim or cancellation waits for this batch,
    // so the decision still holds when the batch's writes land. Without the lock, READ COMMITTED
    // lets another transaction take the flow between the check and the write.
    QString ids = QStringLiteral("{");
    for (const qint64 id : flowIds) {
        if (ids.size() > 1)
            ids += u',';
        ids += QString::number(id);
    }
    ids += u'}';
    auto query = run(QStringLiteral("SELECT id FROM flows WHERE id = ANY(?::bigint[]) AND lease_owner = ?"
                                    " AND status = 'running' ORDER BY id FOR UPDATE"),
                     {ids, writer}, doing);
    auto held = readRows<qint64>(
        std::move(query), [](const QSqlQuery &row) { return row.value(0).toLongLong(); }, readError(doing));
    if (!held)
        return held.error();
    QList<qint64> unheld;
    for (const qint64 id : flowIds) {
        if (!std::binary_search(held->cbegin(), held->cend(), id))
            unheld.append(id);
    }
    return unheld;
}

Result<void> PostgresExecutionLog::Private::applyStep(const StepRecord &step)
{
    const QString doing = QStringLiteral("recording a step in");
    // Unguarded here: applyLogBatch() has left out the steps of flows not held. A step already
    // completed is kept as recorded (the upsert's condition).
    QVariantList values{step.flowId, step.seq, step.name, step.occurrence,
                        // input_hash is NOT NULL: no inputs are stored as ''.
                        step.inputHash.isEmpty() ? QStringLiteral("") : QString::fromLatin1(step.inputHash),
                        toString(step.kind), toString(step.status), nullIfEmpty(step.resultJson),
                        nullIfEmpty(step.error), nullIfEmpty(step.worker), step.attempts, step.retryBase,
                        step.typeVersion, fromTime(step.started), fromTime(step.finished), fromTime(step.nextAttemptAt),
                        fromTime(step.attemptStarted)};
    auto query = run(QStringLiteral("INSERT INTO steps (") + stepColumns + QStringLiteral(") VALUES (") + stepValues +
                         QStringLiteral(") ON CONFLICT (flow_id, seq) DO UPDATE SET status = excluded.status,"
                                        " result = excluded.result, error = excluded.error, worker = excluded.worker,"
                                        " attempts = excluded.attempts, retry_base = excluded.retry_base,"
                                        " started = excluded.started, finished = excluded.finished,"
                                        " next_attempt_at = excluded.next_attempt_at,"
                                        " attempt_started = excluded.attempt_started"
                                        " WHERE steps.status <> 'completed'"),
                     values, doing);
    if (!query)
        return query.error();
    if ((*query)->numRowsAffected() == 0)
        return {}; // completed already: kept as recorded
    if (step.kind != StepKind::Timer || !step.nextAttemptAt.isValid())
        return {};
    // The timers table mirrors timer steps: pending until the step completes.
    auto timer = run(QStringLiteral("INSERT INTO timers (flow_id, seq, name, fire_at, fired_at) VALUES (?, ?, ?, ?, ?)"
                                    " ON CONFLICT (flow_id, seq) DO UPDATE SET fire_at = excluded.fire_at,"
                                    " fired_at = excluded.fired_at"),
                     {step.flowId, step.seq, step.name, fromTime(step.nextAttemptAt),
                      step.status == StepStatus::Completed ? fromTime(step.finished) : fromTime(QDateTime())},
                     doing);
    if (!timer)
        return timer.error();
    return {};
}

Result<void> PostgresExecutionLog::Private::applyAttempt(const AttemptWrite &write)
{
    const AttemptRecord &attempt = write.attempt;
    auto applied = run(QStringLiteral("INSERT INTO attempts (flow_id, seq, attempt, started, finished, error,"
                                      " worker) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
                       {write.flowId, write.seq, attempt.number, fromTime(attempt.started), fromTime(attempt.finished),
                        nullIfEmpty(attempt.error), nullIfEmpty(attempt.worker)},
                       QStringLiteral("writing to"));
    if (!applied)
        return applied.error();
    return {};
}

/// The statements of a batch, for applyLogBatch().
class PostgresExecutionLog::Private::BatchWriter final : public detail::LogBatchWriter
{
public:
    explicit BatchWriter(Private &d)
        : m_d(d)
    {
    }

    Result<std::optional<ClaimedFlow>> claim(const FlowClaim &claim) override { return m_d.claim(claim); }
    Result<QList<qint64>> notHeldBy(const QString &writer, const QList<qint64> &flowIds) override
    {
        return m_d.notHeldBy(writer, flowIds);
    }
    Result<void> writeStep(const StepRecord &step) override { return m_d.applyStep(step); }
    Result<void> writeAttempt(const AttemptWrite &write) override { return m_d.applyAttempt(write); }
    Result<bool> updateFlow(const FlowUpdate &update) override { return m_d.applyFlowUpdate(update); }
    Result<std::optional<QByteArray>> takeSignal(qint64 flowId, const QString &name, int seq,
                                                 const QDateTime &now) override
    {
        return sqlsignals::takeSignal(m_d, flowId, name, seq, now);
    }

private:
    Private &m_d;
};

Result<std::optional<ClaimedFlow>> PostgresExecutionLog::Private::claim(const FlowClaim &claim)
{
    // RETURNING hands back the claimed row and whether it has steps to replay: a fresh flow
    // costs no further read.
    auto query = run(claimSql + QStringLiteral(" RETURNING ") + flowColumns +
                         QStringLiteral(", EXISTS (SELECT 1 FROM steps WHERE steps.flow_id = flows.id)"),
                     {claim.owner, fromTime(claim.leaseUntil), fromTime(claim.now), fromTime(claim.now), claim.flowId,
                      fromTime(claim.now), fromTime(claim.now), claim.owner},
                     QStringLiteral("claiming a flow in"));
    if (!query)
        return query.error();
    QSqlQuery *q = *query;
    auto row = nextRow(*q, QStringLiteral("claiming a flow in"));
    if (!row)
        return row.error();
    std::optional<ClaimedFlow> claimed;
    if (*row) {
        auto record = flowFromRow(*q, connection.display());
        if (!record) {
            q->finish();
            return record.error();
        }
        claimed = ClaimedFlow{record.take(), q->value(flowColumnCount).toBool(), std::nullopt};
    }
    q->finish();
    return claimed;
}

Result<WriteOutcome> PostgresExecutionLog::commit(const LogBatch &batch)
{
    const QString doing = QStringLiteral("writing to");
    WriteOutcome outcome;
    if (batch.isEmpty())
        return outcome;
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    Private::BatchWriter writer(*d);
    auto applied = detail::applyLogBatch(batch, writer);
    if (!applied)
        return d->rollback<WriteOutcome>(applied.error());
    outcome = applied.take();
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return outcome;
}

} // namespace ergon
