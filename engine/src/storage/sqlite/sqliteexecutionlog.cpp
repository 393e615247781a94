#include "storage/sqlite/sqliteexecutionlog_p.h"

#include "storage/sql/sqladmin.h"
#include "storage/sql/sqlreads.h"
#include "storage/sql/sqlrows.h"
#include "storage/sql/workersql.h"

#include "ergon/jsontext.h"

#include <QAtomicInteger>
#include <QFileInfo>
#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

namespace ergon {

using sqlrows::fromTime;
using sqlrows::nullIfEmpty;

namespace {

QAtomicInteger<quint64> connectionCounter;

} // namespace

SqliteExecutionLog::SqliteExecutionLog(std::unique_ptr<Private> d)
    : d(std::move(d))
{
}

SqliteExecutionLog::~SqliteExecutionLog() = default;

Result<std::unique_ptr<SqliteExecutionLog>> SqliteExecutionLog::open(const QString &path, Options options)
{
    auto d = std::make_unique<Private>();
    d->path = path;
    d->name = QFileInfo(path).fileName();
    d->connectionName = QStringLiteral("ergon-sqlite-%1").arg(connectionCounter.fetchAndAddRelaxed(1));

    // No file descriptor of our own on the database: closing any descriptor of a file drops
    // every POSIX lock this process holds on it, those of SQLite's other connections included,
    // and another process may then delete a WAL that is still in use. SQLite itself tells a
    // file that is not a database (see migrate()); only stat() here (planSqliteOpen()).
    auto plan = planSqliteOpen(path, options.create);
    if (!plan)
        return plan.error();
    d->readOnly = plan->readOnly;
    d->readOnlyReason = plan->readOnlyReason;
    d->quickCheckMaxBytes = plan->exists ? options.quickCheckMaxBytes : qint64(0); // a new file holds nothing yet

    d->db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->connectionName);
    const SqliteConnectTarget target = sqliteConnectTarget(path, *plan);
    d->db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(options.busyTimeoutMs) + target.extraOptions);
    d->db.setDatabaseName(target.databaseName);
    if (!d->db.open())
        return d->sqlError(QStringLiteral("opening"), d->db.lastError());
    // The write path runs on this connection's own handle (see Private::Native), so the busy
    // timeout and the read-only flag set above apply to it too.
    const QVariant handle = d->db.driver()->handle();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        d->handle = *static_cast<sqlite3 *const *>(handle.constData());
    if (!d->handle) {
        return Error(
            QStringLiteral("opening %1: the QSQLITE driver did not hand out its SQLite connection").arg(d->name),
            QStringLiteral("storage"));
    }
    d->busyTimeoutMs = options.busyTimeoutMs;
    d->busyClock = options.busyClock ? options.busyClock : &std::chrono::steady_clock::now;
    sqlite3_busy_handler(d->handle, &Private::onBusy, d.get());
    const QFileInfo opened(path);
    d->canonicalPath = opened.canonicalFilePath().isEmpty() ? opened.absoluteFilePath() : opened.canonicalFilePath();
    if (!d->readOnly)
        d->gate = SqliteWriteGate::forFile(d->canonicalPath);

    // The schema check comes first: it is the first read of the file (where SQLite tells a
    // file that is not a database), and switching to WAL rewrites the file header, while a
    // file that is refused (newer schema, another application's) must be left untouched.
    if (auto migrated = d->migrate(); !migrated)
        return migrated.error();
    const QString synchronous =
        options.synchronous == Synchronous::Full ? QStringLiteral("FULL") : QStringLiteral("NORMAL");
    if (auto done = d->exec(QStringLiteral("PRAGMA synchronous = ") + synchronous, QStringLiteral("setting up")); !done)
        return done.error();
    if (!d->readOnly) {
        // Switching a new file to WAL upgrades the pragma's own read lock to an exclusive one,
        // and SQLite does not call the busy handler for such an upgrade (it could deadlock):
        // when several processes open a new file at once, the losers are told "busy" at once.
        // Once one has switched, the mode is the file's and the pragma changes nothing; so the
        // losers try again, within the busy timeout.
        QElapsedTimer waited;
        waited.start();
        for (int attempt = 0;; ++attempt) {
            auto done = d->exec(QStringLiteral("PRAGMA journal_mode = WAL"), QStringLiteral("setting up"));
            if (done)
                break;
            if (done.error().kind() != QLatin1String("busy") || waited.elapsed() >= d->busyTimeoutMs)
                return done.error();
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt + 1, 10)));
        }
        if (sqliteSpaceIsShort(path)) {
            if (auto small = sqliteKeepLogSmall(d->handle, d->name); !small)
                return small.error();
        }
    }
    return std::unique_ptr<SqliteExecutionLog>(new SqliteExecutionLog(std::move(d)));
}

bool SqliteExecutionLog::isReadOnly() const
{
    return d->readOnly;
}

Result<void> SqliteExecutionLog::checkIntegrity()
{
    return SqliteIntegrity::quickCheck(d->handle, d->fileName());
}

Result<void> SqliteExecutionLog::reclaimSpace()
{
    if (d->readOnly)
        return {};
    return sqliteReclaimLogSpace(d->handle, d->fileName());
}

QString SqliteExecutionLog::location() const
{
    return d->path;
}

Result<qint64> SqliteExecutionLog::Private::scheduleOne(const NewFlow &flow, const QDateTime &now)
{
    const QString doing = QStringLiteral("scheduling a flow in");
    if (!flow.idempotencyKey.isEmpty()) {
        auto existing =
            run(QStringLiteral("SELECT id FROM flows WHERE idempotency_key = ?"), {flow.idempotencyKey}, doing);
        if (!existing)
            return existing.error();
        QSqlQuery *q = *existing;
        auto found = nextRow(*q, doing);
        if (!found)
            return found.error();
        if (*found) {
            const qint64 id = q->value(0).toLongLong();
            q->finish();
            return id;
        }
    }
    auto inserted =
        run(QStringLiteral("INSERT INTO flows (type, type_version, plugin, args, status, priority, run_at,"
                           " idempotency_key, created, updated) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)"),
            {flow.type, flow.typeVersion, flow.plugin.isNull() ? QStringLiteral("") : flow.plugin,
             QString::fromUtf8(toJsonText(flow.arguments)), flow.priority,
             fromTime(flow.runAt.isValid() ? flow.runAt : now), nullIfEmpty(flow.idempotencyKey), fromTime(now),
             fromTime(now)},
            doing);
    if (!inserted)
        return inserted.error();
    return (*inserted)->lastInsertId().toLongLong();
}

Result<QList<qint64>> SqliteExecutionLog::scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now)
{
    const QString doing = QStringLiteral("scheduling flows in");
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    QList<qint64> ids;
    ids.reserve(flows.size());
    for (const NewFlow &flow : flows) {
        auto id = d->scheduleOne(flow, now);
        if (!id)
            return d->rollback<QList<qint64>>(id.error());
        ids.append(*id);
    }
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return ids;
}

Result<std::optional<FlowRecord>> SqliteExecutionLog::flow(qint64 id)
{
    return sqlreads::flow(*d, id);
}

Result<QList<StepRecord>> SqliteExecutionLog::steps(qint64 flowId, bool withAttempts)
{
    return sqlreads::steps(*d, flowId, withAttempts);
}

Result<QList<FlowRecord>> SqliteExecutionLog::flows(const FlowQuery &query)
{
    return sqlreads::flows(*d, query);
}

Result<QList<FlowText>> SqliteExecutionLog::flowTexts(qint64 afterId, int limit)
{
    return sqlreads::flowTexts(*d, afterId, limit);
}

Result<QMap<FlowStatus, qint64>> SqliteExecutionLog::countByStatus()
{
    return sqlreads::countByStatus(*d);
}

Result<void> SqliteExecutionLog::retryFlow(qint64 id, const QString &stepName, const QDateTime &now)
{
    return sqladmin::retryFlow(*d, id, stepName, now);
}

Result<void> SqliteExecutionLog::cancelFlow(qint64 id, const QDateTime &now)
{
    return sqladmin::cancelFlow(*d, id, now);
}

Result<qint64> SqliteExecutionLog::registerWorker(const WorkerRecord &worker)
{
    return workersql::registerWorker(*d, worker);
}

Result<void> SqliteExecutionLog::heartbeat(const WorkerRecord &worker, const QDateTime &now)
{
    return workersql::heartbeat(*d, worker, now);
}

Result<void> SqliteExecutionLog::updateWorkerCounters(const WorkerRecord &worker)
{
    return workersql::updateCounters(*d, worker);
}

Result<QList<WorkerRecord>> SqliteExecutionLog::workers()
{
    return workersql::workers(*d);
}

Result<int> SqliteExecutionLog::forgetWorkers(const QList<qint64> &runs, const QDateTime &now)
{
    return workersql::forgetWorkers(*d, runs, now);
}

Result<QList<TimerRecord>> SqliteExecutionLog::pendingTimers(int limit)
{
    // By fire time alone, the order of the timers_pending index (fire_at of the unfired
    // timers); PostgreSQL's pendingTimers() breaks ties by flow and step.
    return sqlreads::pendingTimers(*d, limit, QLatin1StringView("t.fire_at"));
}

Result<void> SqliteExecutionLog::fireTimerNow(qint64 flowId, const QDateTime &now)
{
    return sqladmin::fireTimerNow(*d, flowId, now);
}

Result<QList<StealRecord>> SqliteExecutionLog::steals(int limit)
{
    return sqlreads::steals(*d, limit);
}

} // namespace ergon
