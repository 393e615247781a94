#include "storage/postgres/postgresexecutionlog_p.h"

#include "storage/sql/sqladmin.h"
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
using sqlrows::fromTime;
using sqlrows::nullIfEmpty;
using sqlrows::toTime;

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
    return sqlreads::flow(*d, id);
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
    return sqladmin::retryFlow(*d, id, stepName, now);
}

Result<void> PostgresExecutionLog::cancelFlow(qint64 id, const QDateTime &now)
{
    return sqladmin::cancelFlow(*d, id, now);
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
    // Ties broken by flow and step, unlike SQLite's order by fire time alone (see there).
    return sqlreads::pendingTimers(*d, limit, QLatin1StringView("t.fire_at, t.flow_id, t.seq"));
}

Result<void> PostgresExecutionLog::fireTimerNow(qint64 flowId, const QDateTime &now)
{
    return sqladmin::fireTimerNow(*d, flowId, now);
}

Result<QList<StealRecord>> PostgresExecutionLog::steals(int limit)
{
    return sqlreads::steals(*d, limit);
}

} // namespace ergon
