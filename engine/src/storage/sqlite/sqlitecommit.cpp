#include "storage/sqlite/sqliteexecutionlog_p.h"

#include "storage/logbatchrules.h"
#include "storage/sql/sqlrows.h"
#include "storage/sql/sqlsignals.h"

#include "ergon/jsontext.h"

#include <array>

namespace ergon {

using sqlrows::flowColumnList;
using sqlrows::flowStepCountColumn;
using sqlrows::stepColumnList;

namespace {

/// The stored names of an enum's values as UTF-8 that lives as long as the program: bound
/// without a copy (SQLITE_STATIC) and compared with a column's bytes without making a QString.
template<typename Enum, size_t Count>
const std::array<QByteArray, Count> &utf8Names()
{
    static const std::array<QByteArray, Count> names = [] {
        std::array<QByteArray, Count> utf8;
        for (size_t i = 0; i < Count; ++i)
            utf8[i] = toString(Enum(i)).toUtf8();
        return utf8;
    }();
    return names;
}

const QByteArray &utf8Name(FlowStatus status)
{
    return utf8Names<FlowStatus, size_t(FlowStatus::Cancelled) + 1>()[size_t(status)];
}

const QByteArray &utf8Name(StepStatus status)
{
    return utf8Names<StepStatus, size_t(StepStatus::Failed) + 1>()[size_t(status)];
}

const QByteArray &utf8Name(StepKind kind)
{
    return utf8Names<StepKind, size_t(StepKind::Signal) + 1>()[size_t(kind)];
}

std::optional<FlowStatus> flowStatusFromUtf8(QByteArrayView text)
{
    const auto &names = utf8Names<FlowStatus, size_t(FlowStatus::Cancelled) + 1>();
    for (size_t i = 0; i < names.size(); ++i) {
        if (text == QByteArrayView(names[i]))
            return FlowStatus(i);
    }
    return std::nullopt;
}

/// NULL for empty text, as nullIfEmpty() binds it on the QtSql path. The text outlives the step.
void bindTextOrNull(SqliteStatement &statement, int index, const QString &text)
{
    if (text.isEmpty())
        statement.bindNull(index);
    else
        statement.bindText(index, text, SqliteStatement::Text::Borrowed);
}

void bindUtf8OrNull(SqliteStatement &statement, int index, const QByteArray &text)
{
    if (text.isEmpty())
        statement.bindNull(index);
    else
        statement.bindUtf8(index, text, SqliteStatement::Text::Borrowed);
}

/// The column's text, sharing `likely` when it holds the same text: no allocation for the
/// values every row repeats (the flow type, the owner that just claimed it).
QString textSharing(const SqliteStatement &row, int column, const QString &likely)
{
    const QByteArrayView text = row.columnUtf8View(column);
    if (!text.data())
        return QString();
    if (!likely.isNull() && QAnyStringView::equal(QUtf8StringView(text), likely))
        return likely;
    return QString::fromUtf8(text);
}

/// Flow arguments are most often the empty object, which needs no parser; other text goes
/// from the column's UTF-8 straight to the parser (no QString on the way).
QJsonObject argumentsFromUtf8(QByteArrayView text)
{
    if (text == QByteArrayView("{}"))
        return QJsonObject();
    return objectFromJsonText(text.toByteArray()).value_or(QJsonObject());
}

/// flowFromRow() for a native row of the same columns (flowColumnList). `lastType` keeps the
/// last type read, to share it; `owner` is the owner that claimed it.
Result<FlowRecord> flowFromNativeRow(const SqliteStatement &row, QString &lastType, const QString &owner,
                                     const QString &fileName)
{
    FlowRecord flow;
    flow.id = row.columnInt64(0);
    flow.type = textSharing(row, 1, lastType);
    lastType = flow.type;
    flow.typeVersion = row.columnInt(2);
    flow.arguments = argumentsFromUtf8(row.columnUtf8View(3));
    const auto status = flowStatusFromUtf8(row.columnUtf8View(4));
    if (!status)
        return unknownStoredValue(fileName, QStringLiteral("the status of flow %1").arg(flow.id), row.columnText(4));
    flow.status = *status;
    flow.priority = row.columnInt(5);
    flow.runAt = row.columnTime(6);
    flow.idempotencyKey = row.columnText(7);
    flow.leaseOwner = textSharing(row, 8, owner);
    flow.leaseExpires = row.columnTime(9);
    flow.resultJson = row.columnUtf8(10);
    flow.error = row.columnText(11);
    flow.stepCount = row.columnInt(flowStepCountColumn);
    flow.created = row.columnTime(13);
    flow.updated = row.columnTime(14);
    flow.finished = row.columnTime(15);
    flow.runStarted = row.columnTime(16);
    flow.plugin = row.columnText(17);
    return flow;
}

/// stepFromRow() for a native row of the same columns (stepColumnList).
Result<StepRecord> stepFromNativeRow(const SqliteStatement &row, const QString &fileName)
{
    StepRecord step;
    step.flowId = row.columnInt64(0);
    step.seq = row.columnInt(1);
    step.name = row.columnText(2);
    step.occurrence = row.columnInt(3);
    step.inputHash = row.columnUtf8(4);
    const auto kind = stepKindFromString(row.columnText(5));
    const auto status = stepStatusFromString(row.columnText(6));
    if (!kind || !status) {
        return unknownStoredValue(fileName,
                                  QStringLiteral("the %1 of step %2 of flow %3")
                                      .arg(kind ? QStringLiteral("status") : QStringLiteral("kind"))
                                      .arg(step.seq)
                                      .arg(step.flowId),
                                  row.columnText(kind ? 6 : 5));
    }
    step.kind = *kind;
    step.status = *status;
    step.resultJson = row.columnUtf8(7);
    step.error = row.columnText(8);
    step.worker = row.columnText(9);
    step.attempts = row.columnInt(10);
    step.retryBase = row.columnInt(11);
    step.typeVersion = row.columnInt(12);
    step.started = row.columnTime(13);
    step.finished = row.columnTime(14);
    step.nextAttemptAt = row.columnTime(15);
    step.attemptStarted = row.columnTime(16);
    return step;
}

} // namespace

Result<void> SqliteExecutionLog::Private::prepareNative()
{
    if (native)
        return {};
    // The SQL of the QtSql write path this replaced, unchanged in meaning; numbered parameters
    // where a value appears twice.
    static const QByteArray stepInsert = QByteArrayLiteral("INSERT INTO steps (") + stepColumnList + ")";
    static const QByteArray stepUpsert =
        QByteArrayLiteral(" ON CONFLICT (flow_id, seq) DO UPDATE SET status = excluded.status,"
                          " result = excluded.result, error = excluded.error, worker = excluded.worker,"
                          " attempts = excluded.attempts, retry_base = excluded.retry_base,"
                          " started = excluded.started, finished = excluded.finished,"
                          " next_attempt_at = excluded.next_attempt_at,"
                          " attempt_started = excluded.attempt_started"
                          " WHERE steps.status <> 'completed'");
    static const QByteArray flowUpdate = QByteArrayLiteral(
        "UPDATE flows SET status = ?1, result = COALESCE(?2, result), error = ?3, run_at = COALESCE(?4, run_at),"
        " updated = ?5, finished = CASE WHEN ?6 THEN ?5 ELSE finished END,"
        " lease_owner = CASE WHEN ?7 THEN NULL ELSE lease_owner END,"
        " lease_expires = CASE WHEN ?7 THEN NULL ELSE lease_expires END,"
        " run_started = CASE WHEN ?7 THEN NULL ELSE run_started END"
        " WHERE id = ?8");

    auto prepared = std::make_unique<Native>();
    const std::pair<SqliteStatement *, QByteArray> sql[] = {
        {&prepared->begin, QByteArrayLiteral("BEGIN IMMEDIATE")},
        {&prepared->commit, QByteArrayLiteral("COMMIT")},
        {&prepared->rollback, QByteArrayLiteral("ROLLBACK")},
        // No RETURNING: SQLite runs a RETURNING statement through an ephemeral table, which
        // measured four to five times the cost of the UPDATE itself (3.40). The claimed row is
        // read back by id instead; its step count says whether it has steps to replay.
        {&prepared->claim,
         QByteArrayLiteral("UPDATE flows SET status = 'running', lease_owner = ?1, lease_expires = ?2, updated = ?3,"
                           " run_started = ?3"
                           " WHERE id = ?4 AND ((status IN ('pending', 'waiting') AND run_at <= ?3)"
                           " OR (status = 'running' AND (lease_expires < ?3 OR lease_owner = ?1)))")},
        {&prepared->claimedRow, QByteArrayLiteral("SELECT ") + flowColumnList + " FROM flows WHERE id = ?1"},
        // A resumed flow's steps, read in the claim's transaction: one statement prepared
        // once, rather than a query of its own per flow after the commit.
        {&prepared->claimedSteps,
         QByteArrayLiteral("SELECT ") + stepColumnList + " FROM steps WHERE flow_id = ?1 ORDER BY seq"},
        // The guard of a batch's steps, one statement per worker for the whole batch (?1: a
        // JSON array of flow ids): the flows among them that the worker (?2) does not hold
        // running. Guarding each row in its own INSERT cost two thirds of the INSERT.
        {&prepared->unheld,
         QByteArrayLiteral("SELECT value FROM json_each(?1) WHERE NOT EXISTS"
                           " (SELECT 1 FROM flows WHERE id = value AND lease_owner = ?2 AND status = 'running')")},
        {&prepared->step,
         stepInsert + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)" +
             stepUpsert},
        {&prepared->timer,
         QByteArrayLiteral("INSERT INTO timers (flow_id, seq, name, fire_at, fired_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                           " ON CONFLICT (flow_id, seq) DO UPDATE SET fire_at = excluded.fire_at,"
                           " fired_at = excluded.fired_at")},
        {&prepared->attempt,
         QByteArrayLiteral("INSERT OR IGNORE INTO attempts (flow_id, seq, attempt, started, finished, error, worker)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")},
        {&prepared->guardedFlow, flowUpdate + " AND lease_owner = ?9 AND status = 'running'"},
        {&prepared->flow, flowUpdate},
    };
    for (const auto &[statement, text] : sql) {
        auto made = SqliteStatement::prepare(handle, text, fileName());
        if (!made)
            return made.error();
        *statement = made.take();
    }
    native = std::move(prepared);
    return {};
}

Result<std::optional<ClaimedFlow>> SqliteExecutionLog::Private::claim(const FlowClaim &claim)
{
    const QString doing = QStringLiteral("claiming a flow in");
    SqliteStatement &update = native->claim;
    update.bindText(1, claim.owner, SqliteStatement::Text::Borrowed);
    update.bindTime(2, claim.leaseUntil);
    update.bindTime(3, claim.now);
    update.bindInt64(4, claim.flowId);
    if (auto done = update.run(doing); !done)
        return done.error();
    std::optional<ClaimedFlow> claimed;
    if (update.changes() == 0)
        return claimed;
    SqliteStatement &q = native->claimedRow;
    q.bindInt64(1, claim.flowId);
    auto row = q.step(doing);
    if (!row) {
        q.reset();
        return row.error();
    }
    if (*row) {
        auto record = flowFromNativeRow(q, lastType, claim.owner, fileName());
        if (!record) {
            q.reset();
            return record.error();
        }
        claimed.emplace();
        claimed->record = record.take();
        claimed->hasSteps = claimed->record.stepCount > 0;
    }
    q.reset();
    if (claimed && claimed->hasSteps) {
        auto steps = claimedSteps(claim.flowId);
        if (!steps)
            return steps.error();
        claimed->steps = steps.take();
    }
    return claimed;
}

Result<QList<StepRecord>> SqliteExecutionLog::Private::claimedSteps(qint64 flowId)
{
    const QString doing = QStringLiteral("reading steps from");
    SqliteStatement &q = native->claimedSteps;
    q.bindInt64(1, flowId);
    QList<StepRecord> steps;
    for (;;) {
        auto row = q.step(doing);
        if (!row) {
            q.reset();
            return row.error();
        }
        if (!*row)
            break;
        auto step = stepFromNativeRow(q, fileName());
        if (!step) {
            q.reset();
            return step.error();
        }
        steps.append(step.take());
    }
    q.reset();
    return steps;
}

Result<QList<qint64>> SqliteExecutionLog::Private::notHeldBy(const QString &writer, const QList<qint64> &flowIds)
{
    // The flow ids as a JSON array, bound once (json_each): one statement however many flows.
    QByteArray ids("[");
    for (const qint64 id : flowIds) {
        if (ids.size() > 1)
            ids += ',';
        ids += QByteArray::number(id);
    }
    ids += ']';
    const QString doing = QStringLiteral("checking leases in");
    SqliteStatement &q = native->unheld;
    q.bindUtf8(1, ids, SqliteStatement::Text::Borrowed);
    q.bindText(2, writer, SqliteStatement::Text::Borrowed);
    QList<qint64> unheld;
    for (;;) {
        auto row = q.step(doing);
        if (!row) {
            q.reset();
            return row.error();
        }
        if (!*row)
            break;
        unheld.append(q.columnInt64(0));
    }
    q.reset();
    return unheld;
}

Result<void> SqliteExecutionLog::Private::applyStep(const StepRecord &step)
{
    const QString doing = QStringLiteral("recording a step in");
    // Unguarded here: applyLogBatch() has left out the steps of flows not held. A step already
    // completed is kept as recorded (the upsert's condition).
    SqliteStatement &q = native->step;
    q.bindInt64(1, step.flowId);
    q.bindInt(2, step.seq);
    q.bindText(3, step.name, SqliteStatement::Text::Borrowed);
    q.bindInt(4, step.occurrence);
    q.bindUtf8(5, step.inputHash, SqliteStatement::Text::Borrowed); // NOT NULL: no inputs bind as ''
    q.bindUtf8(6, utf8Name(step.kind), SqliteStatement::Text::Borrowed);
    q.bindUtf8(7, utf8Name(step.status), SqliteStatement::Text::Borrowed);
    bindUtf8OrNull(q, 8, step.resultJson);
    bindTextOrNull(q, 9, step.error);
    bindTextOrNull(q, 10, step.worker);
    q.bindInt(11, step.attempts);
    q.bindInt(12, step.retryBase);
    q.bindInt(13, step.typeVersion);
    q.bindTime(14, step.started);
    q.bindTime(15, step.finished);
    q.bindTime(16, step.nextAttemptAt);
    q.bindTime(17, step.attemptStarted);
    if (auto done = q.run(doing); !done)
        return done.error();
    if (q.changes() == 0)
        return {}; // completed already: kept as recorded
    if (step.kind != StepKind::Timer || !step.nextAttemptAt.isValid())
        return {};
    // The timers table mirrors timer steps: pending until the step completes.
    SqliteStatement &timer = native->timer;
    timer.bindInt64(1, step.flowId);
    timer.bindInt(2, step.seq);
    timer.bindText(3, step.name, SqliteStatement::Text::Borrowed);
    timer.bindTime(4, step.nextAttemptAt);
    timer.bindTime(5, step.status == StepStatus::Completed ? step.finished : QDateTime());
    if (auto done = timer.run(doing); !done)
        return done.error();
    return {};
}

Result<void> SqliteExecutionLog::Private::applyAttempt(const AttemptWrite &write)
{
    const QString doing = QStringLiteral("writing to");
    const AttemptRecord &attempt = write.attempt;
    SqliteStatement &q = native->attempt;
    q.bindInt64(1, write.flowId);
    q.bindInt(2, write.seq);
    q.bindInt(3, attempt.number);
    q.bindTime(4, attempt.started);
    q.bindTime(5, attempt.finished);
    bindTextOrNull(q, 6, attempt.error);
    bindTextOrNull(q, 7, attempt.worker);
    return q.run(doing);
}

Result<bool> SqliteExecutionLog::Private::applyFlowUpdate(const FlowUpdate &update)
{
    const QString doing = QStringLiteral("updating a flow in");
    // Guarded: applied only while the writer holds the flow running.
    const bool guarded = !update.leaseOwner.isEmpty();
    SqliteStatement &q = guarded ? native->guardedFlow : native->flow;
    q.bindUtf8(1, utf8Name(update.status), SqliteStatement::Text::Borrowed);
    bindUtf8OrNull(q, 2, update.resultJson);
    bindTextOrNull(q, 3, update.error);
    q.bindTime(4, update.runAt);
    q.bindTime(5, update.updated);
    q.bindBool(6, isFinished(update.status));
    q.bindBool(7, update.releaseLease);
    q.bindInt64(8, update.flowId);
    if (guarded)
        q.bindText(9, update.leaseOwner, SqliteStatement::Text::Borrowed);
    if (auto done = q.run(doing); !done)
        return done.error();
    return q.changes() > 0;
}

/// The native statements of a batch, for applyLogBatch().
class SqliteExecutionLog::Private::BatchWriter final : public detail::LogBatchWriter
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

Result<WriteOutcome> SqliteExecutionLog::commit(const LogBatch &batch)
{
    const QString doing = QStringLiteral("writing to");
    WriteOutcome outcome;
    if (batch.isEmpty())
        return outcome;
    if (auto prepared = d->prepareNative(); !prepared)
        return prepared.error();
    Private::Native &native = *d->native;
    // BEGIN IMMEDIATE waits on the connection's busy timeout for another writer's lock.
    d->takeTurn(SqliteWriteGate::Urgency::Normal);
    auto begun = native.begin.run(doing);
    d->turnTaken();
    if (!begun) {
        d->endTurn();
        return d->explained(begun.error());
    }
    const auto rollback = [this, &native, &doing](const Error &error) -> Result<WriteOutcome> {
        // The error at hand is the one to report; a failed ROLLBACK has nothing to add.
        [[maybe_unused]] auto rolledBack = native.rollback.run(doing);
        d->endTurn();
        return d->explained(error);
    };
    Private::BatchWriter writer(*d);
    auto applied = detail::applyLogBatch(batch, writer);
    if (!applied)
        return rollback(applied.error());
    outcome = applied.take();
    if (auto committed = native.commit.run(doing); !committed)
        return rollback(committed.error());
    d->endTurn();
    return outcome;
}

} // namespace ergon
