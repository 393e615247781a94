#include "storage/postgres/postgresexecutionlog_p.h"

#include "storage/sql/sqlreads.h"
#include "storage/sql/sqlrows.h"
#include "storage/sql/workersql.h"

#include "ergon/jsontext.h"
#include "ergon/sqliteexecutionlog.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QVariant>

namespace ergon {

// One schema history for both backends: `migrate` copies between them, and a database moves
// up from SQLite to PostgreSQL at the version it has. A migration added to sqliteschema.cpp is
// added to postgresschema.cpp under the same number.
static_assert(PostgresExecutionLog::schemaVersion == SqliteExecutionLog::schemaVersion,
              "add the new SQLite schema migration to postgresMigrations() as well");

using detail::PostgresLocation;
using sqlrows::flowColumnList;
using sqlrows::flowFromRow;
using sqlrows::fromTime;
using sqlrows::nullIfEmpty;
using sqlrows::toTime;

namespace {

const QString flowColumns = QLatin1String(flowColumnList);

} // namespace

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

Result<QList<StealRecord>> PostgresExecutionLog::steals(int limit)
{
    return sqlreads::steals(*d, limit);
}

} // namespace ergon
