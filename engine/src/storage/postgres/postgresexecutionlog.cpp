#include "ergon/postgresexecutionlog.h"

#include "storage/logbatchrules.h"
#include "storage/postgres/postgresconnection.h"
#include "storage/postgres/postgresschema.h"
#include "storage/sql/flowquerysql.h"
#include "storage/sql/sqlreads.h"
#include "storage/sql/sqlrows.h"
#include "storage/sql/workersql.h"

#include "ergon/jsontext.h"
#include "ergon/sqliteexecutionlog.h"

#include <QCryptographicHash>
#include <QPointer>
#include <QRegularExpression>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QVariant>

#include <algorithm>
#include <vector>

namespace ergon {

// One schema history for both backends: `migrate` copies between them, and a database moves
// up from SQLite to PostgreSQL at the version it has. A migration added to sqliteschema.cpp is
// added to postgresschema.cpp under the same number.
static_assert(PostgresExecutionLog::schemaVersion == SqliteExecutionLog::schemaVersion,
              "add the new SQLite schema migration to postgresMigrations() as well");

using detail::PostgresConnection;
using detail::PostgresLocation;
using sqlrows::flowColumnList;
using sqlrows::flowFromRow;
using sqlrows::fromTime;
using sqlrows::nullIfEmpty;
using sqlrows::stepColumnList;
using sqlrows::stepFromRow;
using sqlrows::toTime;

namespace {

const QString flowColumns = QLatin1String(flowColumnList);
using sqlrows::flowColumnCount;

const QString stepColumns = QLatin1String(stepColumnList);

// The same columns as bound values, typed, so that a NULL binds as its column's type.
const QString stepValues = QStringLiteral(
    "?::bigint, ?::integer, ?::text, ?::integer, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::integer,"
    " ?::integer, ?::integer, ?::bigint, ?::bigint, ?::bigint, ?::bigint");

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

void sortByClaimOrder(std::vector<Candidate> &candidates)
{
    std::sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
        return a.priority != b.priority ? a.priority > b.priority : (a.due != b.due ? a.due < b.due : a.id < b.id);
    });
}

} // namespace

class PostgresExecutionLog::Private final : public sqlsession::SqlSession
{
public:
    explicit Private(PostgresLocation location)
        : channel(PostgresExecutionLog::notificationChannel(location.schema))
        , connection(std::move(location))
    {
    }

    const QString channel; ///< of this schema's wake-ups
    PostgresConnection connection;
    std::function<void(const QDateTime &)> listener;
    QPointer<QSqlDriver> listeningDriver; ///< the driver whose notifications reach the listener

    QString location() const override { return connection.display(); }
    QString where() const override { return connection.display(); }
    QLatin1StringView caseInsensitiveLike() const override { return QLatin1StringView("ILIKE"); }
    Error readError(const QString &doing, const QSqlError &error) override { return connection.sqlError(doing, error); }
    Result<QSqlQuery *> run(const QString &sql, const QVariantList &values, const QString &doing) override
    {
        return connection.run(sql, values, doing);
    }
    /// What readRows() makes of a failed read.
    auto readError(const QString &doing)
    {
        return [this, doing](const QSqlError &error) { return connection.sqlError(doing, error); };
    }
    /// The next row of a query that ran: false past the last one, an error when the read failed
    /// (see ergon::nextRow()).
    Result<bool> nextRow(QSqlQuery &query, const QString &doing) { return ergon::nextRow(query, readError(doing)); }
    Result<void> begin(const QString &doing) override { return connection.begin(doing); }
    Result<void> commit(const QString &doing) override { return connection.commit(doing); }
    void rollback() override { connection.rollback(); }
    template<typename T>
    Result<T> rollback(Error error)
    {
        connection.rollback();
        return error;
    }

    /// NOTIFY on the schema's channel, with the earliest due time as payload (delivered at commit).
    Result<void> notifyWork(const QDateTime &due, const QString &doing)
    {
        auto sent = run(QStringLiteral("SELECT pg_notify(?, ?)"),
                        {channel, due.isValid() ? QString::number(due.toMSecsSinceEpoch()) : QString()}, doing);
        if (!sent)
            return sent.error();
        (*sent)->finish();
        return {};
    }

    void listen();
    void onNotification(const QString &name, const QVariant &payload);
    /// fireAndClaimDue() with "now" read by `readNow` once the transaction has begun.
    Result<FiredTimers> fireAndClaim(const QString &owner, const std::function<QDateTime()> &readNow,
                                     std::chrono::milliseconds leaseDuration, int limit, const ClaimFilter &types);

    Result<void> migrate();
    Result<qint64> scheduleOne(const NewFlow &flow, const QDateTime &now);
    class BatchWriter;
    Result<bool> applyFlowUpdate(const FlowUpdate &update);
    Result<void> applyStep(const StepRecord &step);
    Result<void> applyAttempt(const AttemptWrite &write);
    /// LogBatchWriter::notHeldBy(): one statement for all the flows of one writer, locking the
    /// rows it finds held.
    Result<QList<qint64>> notHeldBy(const QString &writer, const QList<qint64> &flowIds);
    Result<std::optional<ClaimedFlow>> claim(const FlowClaim &claim);
};

void PostgresExecutionLog::Private::listen()
{
    QSqlDriver *driver = connection.database().driver();
    if (!driver || !listener)
        return;
    if (listeningDriver != driver) {
        listeningDriver = driver;
        QObject::connect(driver, &QSqlDriver::notification, driver,
                         [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                             onNotification(name, payload);
                         });
    }
    if (!driver->subscribedToNotifications().contains(channel))
        driver->subscribeToNotification(channel);
}

void PostgresExecutionLog::Private::onNotification(const QString &name, const QVariant &payload)
{
    if (name != channel || !listener)
        return;
    bool ok = false;
    const qint64 due = payload.toString().toLongLong(&ok);
    listener(ok ? QDateTime::fromMSecsSinceEpoch(due, Qt::UTC) : QDateTime());
}

Result<void> PostgresExecutionLog::Private::migrate()
{
    const QString doing = QStringLiteral("reading the schema version of");
    if (auto begun = begin(doing); !begun)
        return begun;
    // One migrating process at a time; the others wait here, then find the schema current.
    auto locked =
        run(QStringLiteral("SELECT pg_advisory_xact_lock(1164011375, hashtext(current_schema()))"), {}, doing);
    if (!locked)
        return rollback<void>(locked.error());
    (*locked)->finish();

    auto tables =
        run(QStringLiteral("SELECT current_schema(), count(*), count(*) FILTER (WHERE c.relname = 'schema_version')"
                           " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                           " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"),
            {}, doing);
    if (!tables)
        return rollback<void>(tables.error());
    QSqlQuery *q = *tables;
    if (!q->next())
        return rollback<void>(connection.sqlError(doing, q->lastError()));
    const QString schema = q->value(0).toString();
    const qint64 tableCount = q->value(1).toLongLong();
    const bool versioned = q->value(2).toLongLong() > 0;
    q->finish();
    if (schema.isEmpty()) {
        return rollback<void>(Error(QStringLiteral("%1 has no schema to create the tables in (none of the search path "
                                                   "exists); name one with ?schema=NAME")
                                        .arg(connection.display()),
                                    QStringLiteral("storage")));
    }

    int version = 0;
    if (versioned) {
        auto read = run(QStringLiteral("SELECT max(version) FROM schema_version"), {}, doing);
        if (!read)
            return rollback<void>(read.error());
        auto row = nextRow(**read, doing);
        if (!row)
            return rollback<void>(row.error());
        if (*row)
            version = (*read)->value(0).toInt();
        (*read)->finish();
    } else if (tableCount > 0) {
        return rollback<void>(Error(QStringLiteral("the schema %1 of %2 holds tables of another application (no Ergon "
                                                   "schema version); it was left untouched. Name an empty schema "
                                                   "with ?schema=NAME")
                                        .arg(schema, connection.display()),
                                    QStringLiteral("foreign-database")));
    }
    if (version > PostgresExecutionLog::schemaVersion) {
        return rollback<void>(Error(QStringLiteral("%1 was written by a newer Ergon Console (schema version %2; this "
                                                   "build knows versions up to %3). Upgrade Ergon Console to use it; "
                                                   "the database was left untouched.")
                                        .arg(connection.display())
                                        .arg(version)
                                        .arg(PostgresExecutionLog::schemaVersion),
                                    QStringLiteral("newer-schema")));
    }
    if (version == PostgresExecutionLog::schemaVersion) {
        connection.rollback(); // nothing was written: let go of the lock
        return {};
    }
    for (const SchemaMigration &migration : postgresMigrations()) {
        if (migration.version <= version)
            continue;
        const QString migrating = QStringLiteral("migrating to schema version %1").arg(migration.version);
        for (const QString &sql : migration.statements) {
            if (auto done = connection.exec(sql, migrating); !done)
                return rollback<void>(done.error());
        }
        auto stamped = run(QStringLiteral("UPDATE schema_version SET version = ?"), {migration.version}, migrating);
        if (!stamped)
            return rollback<void>(stamped.error());
    }
    return commit(QStringLiteral("migrating"));
}

PostgresExecutionLog::PostgresExecutionLog(std::unique_ptr<Private> d)
    : d(std::move(d))
{
}

PostgresExecutionLog::~PostgresExecutionLog() = default;

bool PostgresExecutionLog::isUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive) ||
        location.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive);
}

QString PostgresExecutionLog::withoutPassword(const QString &location)
{
    const qsizetype scheme = location.indexOf(QLatin1String("://"));
    if (scheme < 0)
        return location; // a path
    if (isUrl(location)) {
        if (auto parsed = PostgresLocation::parse(location))
            return parsed->display();
    }
    // Not a URL this log can parse (a typo in the scheme, a bad port, a stray character): still
    // never show what could be a password, the user info's after its first ':' (up to the last
    // '@', which may be past the host: masking too much is safe) or a password= parameter.
    QString masked = location;
    const qsizetype start = scheme + 3;
    const qsizetype at = masked.lastIndexOf(QLatin1Char('@'));
    const qsizetype colon = masked.indexOf(QLatin1Char(':'), start);
    if (at > start && colon > start && colon < at)
        masked.replace(colon + 1, at - colon - 1, QStringLiteral("***"));
    static const QRegularExpression passwordParameter(QStringLiteral("([?&;]password=)[^&#]*"),
                                                      QRegularExpression::CaseInsensitiveOption);
    masked.replace(passwordParameter, QStringLiteral("\\1***"));
    return masked;
}

Result<std::unique_ptr<PostgresExecutionLog>> PostgresExecutionLog::open(const QString &url)
{
    auto location = PostgresLocation::parse(url);
    if (!location)
        return location.error();
    auto d = std::make_unique<Private>(location.take());
    if (auto opened = d->connection.open(); !opened)
        return opened.error();
    if (auto migrated = d->migrate(); !migrated)
        return migrated.error();
    Private *p = d.get();
    d->connection.setReconnected([p] {
        if (!p->listener)
            return;
        p->listen();
        // From the event loop, once more: a listener made while the dead connection's socket
        // was still being dropped may never fire (QPSQL leaves that socket's notifier behind).
        // And work stored while the connection was down sent its NOTIFY to nobody: look now.
        QMetaObject::invokeMethod(
            p->connection.database().driver(),
            [p] {
                if (!p->listener)
                    return;
                QSqlDriver *driver = p->connection.database().driver();
                if (driver && driver->isOpen() && driver->subscribedToNotifications().contains(p->channel)) {
                    driver->unsubscribeFromNotification(p->channel);
                    driver->subscribeToNotification(p->channel);
                }
                p->listener(QDateTime());
            },
            Qt::QueuedConnection);
    });
    return std::unique_ptr<PostgresExecutionLog>(new PostgresExecutionLog(std::move(d)));
}

QString PostgresExecutionLog::notificationChannel(const QString &schema)
{
    if (schema.isEmpty())
        return QStringLiteral("ergon_work");
    // A schema name may hold any character and be long; a channel is an identifier of at most
    // 63 bytes: a digest names it.
    const QByteArray digest = QCryptographicHash::hash(schema.toUtf8(), QCryptographicHash::Sha1).toHex().left(24);
    return QStringLiteral("ergon_work_") + QString::fromLatin1(digest);
}

QString PostgresExecutionLog::location() const
{
    return d->connection.display();
}

void PostgresExecutionLog::setWorkListener(std::function<void(const QDateTime &due)> listener)
{
    d->listener = std::move(listener);
    if (d->listener && !d->connection.isBroken())
        d->listen();
}

std::optional<QDateTime> PostgresExecutionLog::serverNow()
{
    auto query = d->run(QStringLiteral("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"), {},
                        QStringLiteral("reading the time of"));
    if (!query || !(*query)->next())
        return std::nullopt;
    const QDateTime now = toTime((*query)->value(0));
    (*query)->finish();
    return now;
}

Result<qint64> PostgresExecutionLog::Private::scheduleOne(const NewFlow &flow, const QDateTime &now)
{
    const QString doing = QStringLiteral("scheduling a flow in");
    const QVariantList values{flow.type,
                              flow.typeVersion,
                              flow.plugin.isNull() ? QStringLiteral("") : flow.plugin, // NOT NULL
                              QString::fromUtf8(toJsonText(flow.arguments)),
                              flow.priority,
                              fromTime(flow.runAt.isValid() ? flow.runAt : now),
                              nullIfEmpty(flow.idempotencyKey),
                              fromTime(now),
                              fromTime(now)};
    const QString insert =
        QStringLiteral("INSERT INTO flows (type, type_version, plugin, args, status, priority, run_at,"
                       " idempotency_key, created, updated) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)");
    if (flow.idempotencyKey.isEmpty()) {
        auto inserted = run(insert + QStringLiteral(" RETURNING id"), values, doing);
        if (!inserted)
            return inserted.error();
        QSqlQuery *q = *inserted;
        auto row = nextRow(*q, doing);
        if (!row)
            return row.error();
        if (!*row)
            return Error(QStringLiteral("%1 %2: the new flow's id was not returned").arg(doing, connection.display()),
                         QStringLiteral("storage"));
        const qint64 id = q->value(0).toLongLong();
        q->finish();
        return id;
    }
    // A concurrent scheduler of the same key: ON CONFLICT waits for it and then inserts
    // nothing, and the existing row is read instead.
    auto inserted =
        run(insert + QStringLiteral(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"), values, doing);
    if (!inserted)
        return inserted.error();
    QSqlQuery *q = *inserted;
    auto insertedRow = nextRow(*q, doing);
    if (!insertedRow)
        return insertedRow.error();
    if (*insertedRow) {
        const qint64 id = q->value(0).toLongLong();
        q->finish();
        return id;
    }
    q->finish();
    auto existing = run(QStringLiteral("SELECT id FROM flows WHERE idempotency_key = ?"), {flow.idempotencyKey}, doing);
    if (!existing)
        return existing.error();
    q = *existing;
    auto existingRow = nextRow(*q, doing);
    if (!existingRow)
        return existingRow.error();
    if (!*existingRow)
        return Error(QStringLiteral("%1 %2: the idempotency key '%3' is taken, but no flow holds it")
                         .arg(doing, connection.display(), flow.idempotencyKey),
                     QStringLiteral("storage"));
    const qint64 id = q->value(0).toLongLong();
    q->finish();
    return id;
}

Result<QList<qint64>> PostgresExecutionLog::scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now)
{
    const QString doing = QStringLiteral("scheduling flows in");
    if (flows.isEmpty())
        return QList<qint64>();
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    QList<qint64> ids;
    ids.reserve(flows.size());
    QDateTime earliest;
    for (const NewFlow &flow : flows) {
        auto id = d->scheduleOne(flow, now);
        if (!id)
            return d->rollback<QList<qint64>>(id.error());
        ids.append(*id);
        const QDateTime due = flow.runAt.isValid() ? flow.runAt : now;
        if (!earliest.isValid() || due < earliest)
            earliest = due;
    }
    if (auto notified = d->notifyWork(earliest, doing); !notified)
        return d->rollback<QList<qint64>>(notified.error());
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return ids;
}

Result<std::optional<FlowRecord>> PostgresExecutionLog::flow(qint64 id)
{
    const QString doing = QStringLiteral("reading a flow from");
    auto query =
        d->run(QStringLiteral("SELECT ") + flowColumns + QStringLiteral(" FROM flows WHERE id = ?"), {id}, doing);
    if (!query)
        return query.error();
    QSqlQuery *q = *query;
    auto found = d->nextRow(*q, doing);
    if (!found)
        return found.error();
    std::optional<FlowRecord> record;
    if (*found) {
        auto read = flowFromRow(*q, d->connection.display());
        if (!read) {
            q->finish();
            return read.error();
        }
        record = read.take();
    }
    q->finish();
    return record;
}

Result<QList<StepRecord>> PostgresExecutionLog::steps(qint64 flowId, bool withAttempts)
{
    return sqlreads::steps(*d, flowId, withAttempts);
}

Result<QList<FlowRecord>> PostgresExecutionLog::flows(const FlowQuery &query)
{
    return sqlreads::flows(*d, query);
}

Result<QList<FlowText>> PostgresExecutionLog::flowTexts(qint64 afterId, int limit)
{
    return sqlreads::flowTexts(*d, afterId, limit);
}

Result<QMap<FlowStatus, qint64>> PostgresExecutionLog::countByStatus()
{
    return sqlreads::countByStatus(*d);
}

namespace {
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

Result<void> PostgresExecutionLog::retryFlow(qint64 id, const QString &stepName, const QDateTime &now)
{
    const QString doing = QStringLiteral("retrying a flow in");
    if (auto begun = d->begin(doing); !begun)
        return begun;
    auto status = d->run(QStringLiteral("SELECT status FROM flows WHERE id = ? FOR UPDATE"), {id}, doing);
    if (!status)
        return d->rollback<void>(status.error());
    QSqlQuery *q = *status;
    auto found = d->nextRow(*q, doing);
    if (!found)
        return d->rollback<void>(found.error());
    if (!*found) {
        q->finish();
        return d->rollback<void>(Error(QStringLiteral("no flow with id %1").arg(id), QStringLiteral("not-found")));
    }
    const QString current = q->value(0).toString();
    q->finish();
    if (current != toString(FlowStatus::Failed)) {
        return d->rollback<void>(
            Error(QStringLiteral("flow %1 is %2, not failed: nothing to retry").arg(id).arg(current),
                  QStringLiteral("not-failed")));
    }
    const QString stepFilter = stepName.isEmpty() ? QString() : QStringLiteral(" AND name = ?");
    QVariantList stepValues{id};
    if (!stepName.isEmpty())
        stepValues.append(stepName);
    auto reset =
        d->run(QStringLiteral("UPDATE steps SET status = 'retrying', retry_base = attempts, next_attempt_at = NULL,"
                              " finished = NULL WHERE flow_id = ? AND status = 'failed'") +
                   stepFilter,
               stepValues, doing);
    if (!reset)
        return d->rollback<void>(reset.error());
    if (!stepName.isEmpty() && (*reset)->numRowsAffected() == 0) {
        return d->rollback<void>(Error(QStringLiteral("flow %1 has no failed step '%2'").arg(id).arg(stepName),
                                       QStringLiteral("not-found")));
    }
    auto requeued =
        d->run(QStringLiteral("UPDATE flows SET status = 'pending', error = NULL, run_at = ?, updated = ?,"
                              " finished = NULL, lease_owner = NULL, lease_expires = NULL, run_started = NULL"
                              " WHERE id = ?"),
               {fromTime(now), fromTime(now), id}, doing);
    if (!requeued)
        return d->rollback<void>(requeued.error());
    if (auto notified = d->notifyWork(now, doing); !notified)
        return d->rollback<void>(notified.error());
    return d->commit(doing);
}

Result<void> PostgresExecutionLog::cancelFlow(qint64 id, const QDateTime &now)
{
    const QString doing = QStringLiteral("cancelling a flow in");
    auto cancelled = d->run(QStringLiteral("UPDATE flows SET status = 'cancelled', updated = ?, finished = ?,"
                                           " lease_owner = NULL, lease_expires = NULL, run_started = NULL"
                                           " WHERE id = ? AND status IN ('pending', 'running', 'waiting')"),
                            {fromTime(now), fromTime(now), id}, doing);
    if (!cancelled)
        return cancelled.error();
    if ((*cancelled)->numRowsAffected() > 0)
        return {};
    auto existing = flow(id);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return Error(QStringLiteral("no flow with id %1").arg(id), QStringLiteral("not-found"));
    return Error(QStringLiteral("flow %1 is already %2").arg(id).arg(toString((*existing)->status)),
                 QStringLiteral("finished"));
}

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
    std::vector<Candidate> claimed(rows->cbegin(), rows->cend());
    sortByClaimOrder(claimed);
    QList<qint64> ids;
    ids.reserve(qsizetype(claimed.size()));
    for (const Candidate &candidate : claimed)
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
    std::vector<Candidate> taken(movedRows->cbegin(), movedRows->cend());
    sortByClaimOrder(taken);

    QList<StealRecord> stolen;
    for (const Candidate &candidate : taken) {
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

Result<qint64> PostgresExecutionLog::registerWorker(const WorkerRecord &worker)
{
    return workersql::registerWorker(*d, worker);
}

Result<void> PostgresExecutionLog::heartbeat(const WorkerRecord &worker, const QDateTime &now)
{
    return workersql::heartbeat(*d, worker, now);
}

Result<void> PostgresExecutionLog::updateWorkerCounters(const WorkerRecord &worker)
{
    return workersql::updateCounters(*d, worker);
}

Result<QList<WorkerRecord>> PostgresExecutionLog::workers()
{
    return workersql::workers(*d);
}

Result<int> PostgresExecutionLog::forgetWorkers(const QList<qint64> &runs, const QDateTime &now)
{
    return workersql::forgetWorkers(*d, runs, now);
}

Result<QList<TimerRecord>> PostgresExecutionLog::pendingTimers(int limit)
{
    auto query = d->run(QStringLiteral("SELECT t.flow_id, t.seq, t.name, f.type, t.fire_at FROM timers t"
                                       " JOIN flows f ON f.id = t.flow_id"
                                       " WHERE t.fired_at IS NULL AND f.status IN ('waiting', 'pending', 'running')"
                                       " ORDER BY t.fire_at, t.flow_id, t.seq LIMIT ?"),
                        {limit}, QStringLiteral("listing timers in"));
    return readRows<TimerRecord>(std::move(query), timerFromRow, d->readError(QStringLiteral("listing timers in")));
}

Result<void> PostgresExecutionLog::fireTimerNow(qint64 flowId, const QDateTime &now)
{
    const QString doing = QStringLiteral("firing a timer in");
    if (auto begun = d->begin(doing); !begun)
        return begun;
    auto flow = d->run(QStringLiteral("UPDATE flows SET run_at = ?, updated = ? WHERE id = ? AND status = 'waiting'"),
                       {fromTime(now), fromTime(now), flowId}, doing);
    if (!flow)
        return d->rollback<void>(flow.error());
    if ((*flow)->numRowsAffected() == 0)
        return d->rollback<void>(
            Error(QStringLiteral("flow %1 is not waiting on a timer").arg(flowId), QStringLiteral("not-waiting")));
    // The replay reads the fire time from the timer's step: move it too, or the flow would
    // park again until the original time.
    auto step = d->run(QStringLiteral("UPDATE steps SET next_attempt_at = ? WHERE flow_id = ? AND kind = 'timer'"
                                      " AND status = 'running'"),
                       {fromTime(now), flowId}, doing);
    if (!step)
        return d->rollback<void>(step.error());
    auto timer = d->run(QStringLiteral("UPDATE timers SET fire_at = ? WHERE flow_id = ? AND fired_at IS NULL"),
                        {fromTime(now), flowId}, doing);
    if (!timer)
        return d->rollback<void>(timer.error());
    if (auto notified = d->notifyWork(now, doing); !notified)
        return d->rollback<void>(notified.error());
    return d->commit(doing);
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
        std::vector<Candidate> leased(rows->cbegin(), rows->cend());
        sortByClaimOrder(leased);
        for (const Candidate &candidate : leased)
            result.claimed.append(candidate.id);
    }
    if (auto committed = commit(doing); !committed)
        return committed.error();
    return result;
}

Result<QList<StealRecord>> PostgresExecutionLog::steals(int limit)
{
    return sqlreads::steals(*d, limit);
}

} // namespace ergon
