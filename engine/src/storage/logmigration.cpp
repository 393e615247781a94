#include "ergon/logmigration.h"

#include "storage/postgres/postgresconnection.h"

#include "ergon/postgresexecutionlog.h"
#include "ergon/sqliteexecutionlog.h"

#include <QAtomicInteger>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace ergon {

namespace {

QAtomicInteger<quint64> sourceCounter;

struct Table {
    const char *name;
    const char *columns;
    const char *order;
    const char *sequence; ///< its id sequence on PostgreSQL, if any
};

// Every table of the current schema version, with the same columns on both backends.
const Table tables[] = {
    {"flows",
     "id, type, type_version, args, status, priority, run_at, idempotency_key, lease_owner, lease_expires, run_started,"
     " result, error, created, updated, finished, plugin",
     "id", "flows_id_seq"},
    {"steps",
     "flow_id, seq, name, occurrence, input_hash, kind, status, result, error, worker, attempts, retry_base,"
     " type_version, started, finished, next_attempt_at, attempt_started",
     "flow_id, seq", nullptr},
    {"attempts", "flow_id, seq, attempt, started, finished, error, worker", "flow_id, seq, attempt", nullptr},
    {"timers", "flow_id, seq, name, fire_at, fired_at", "flow_id, seq", nullptr},
    {"workers",
     "id, name, host, pid, started, heartbeat, concurrency, lease_ms, in_flight, completed, failed, steals, status",
     "id", "workers_id_seq"},
    {"steals", "id, flow_id, from_worker, to_worker, at", "id", "steals_id_seq"},
    {"signals", "id, flow_id, name, payload, created, consumed, consumed_seq", "id", "signals_id_seq"},
};

/// The source: a read-only connection to the SQLite file, removed when it goes.
class Source
{
public:
    explicit Source(QString path)
        : m_path(std::move(path))
        , m_name(QStringLiteral("ergon-migrate-source-%1").arg(sourceCounter.fetchAndAddRelaxed(1)))
    {
    }
    ~Source()
    {
        if (m_db.isOpen()) {
            m_db.rollback();
            m_db.close();
        }
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }

    Result<void> open();
    QSqlDatabase &db() { return m_db; }
    Error error(const QString &doing, const QSqlError &error) const
    {
        return Error(QStringLiteral("%1 %2: %3").arg(doing, m_path, error.text().trimmed()), QStringLiteral("storage"));
    }

private:
    QString m_path;
    QString m_name;
    QSqlDatabase m_db;
};

Result<void> Source::open()
{
    QFile file(m_path);
    if (!file.exists())
        return Error(QStringLiteral("%1 does not exist").arg(m_path), QStringLiteral("io"));
    if (!file.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString()), QStringLiteral("io"));
    const QByteArray header = file.read(16);
    file.close();
    if (header != QByteArray("SQLite format 3\0", 16))
        return Error(QStringLiteral("%1 is not an SQLite database").arg(m_path), QStringLiteral("corrupt"));

    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
    m_db.setDatabaseName(m_path);
    if (!m_db.open())
        return error(QStringLiteral("opening"), m_db.lastError());
    QSqlQuery version(m_db);
    if (!version.exec(QStringLiteral("PRAGMA user_version")) || !version.next())
        return error(QStringLiteral("reading the schema version of"), version.lastError());
    const int found = version.value(0).toInt();
    version.finish();
    if (found == 0)
        return Error(QStringLiteral("%1 is not an Ergon Console database").arg(m_path),
                     QStringLiteral("foreign-database"));
    if (found > SqliteExecutionLog::schemaVersion) {
        return Error(QStringLiteral("%1 was written by a newer Ergon Console (schema version %2; this build knows "
                                    "versions up to %3)")
                         .arg(m_path)
                         .arg(found)
                         .arg(SqliteExecutionLog::schemaVersion),
                     QStringLiteral("newer-schema"));
    }
    if (found < SqliteExecutionLog::schemaVersion) {
        return Error(QStringLiteral("%1 has the older schema version %2: open it once with this Ergon Console (e.g. "
                                    "ergon-console stats --db %1) to upgrade it, then migrate")
                         .arg(m_path)
                         .arg(found),
                     QStringLiteral("older-schema"));
    }
    // One read transaction: every table is read from the same snapshot.
    QSqlQuery begin(m_db);
    if (!begin.exec(QStringLiteral("BEGIN")))
        return error(QStringLiteral("reading"), begin.lastError());
    return {};
}

QString valuesRow(int columns)
{
    return QLatin1Char('(') + QStringList(columns, QStringLiteral("?")).join(QLatin1String(", ")) + QLatin1Char(')');
}

Result<qint64> copyTable(Source &source, detail::PostgresConnection &target, const Table &table, int batchRows)
{
    const QString name = QString::fromLatin1(table.name);
    const QString columns = QString::fromLatin1(table.columns);
    const int columnCount = int(columns.count(QLatin1Char(',')) + 1);
    const QString doing = QStringLiteral("copying the table %1 into").arg(name);
    QSqlQuery read(source.db());
    read.setForwardOnly(true);
    if (!read.exec(
            QStringLiteral("SELECT %1 FROM %2 ORDER BY %3").arg(columns, name, QString::fromLatin1(table.order))))
        return source.error(QStringLiteral("reading the table %1 of").arg(name), read.lastError());

    const QString insert = QStringLiteral("INSERT INTO %1 (%2) VALUES ").arg(name, columns);
    QVariantList values;
    values.reserve(qsizetype(batchRows) * columnCount);
    int rows = 0;
    qint64 copied = 0;
    const auto flush = [&]() -> Result<void> {
        if (rows == 0)
            return {};
        const QString sql = insert + QStringList(rows, valuesRow(columnCount)).join(QLatin1String(", "));
        auto written = target.run(sql, values, doing);
        if (!written)
            return written.error();
        copied += rows;
        rows = 0;
        values.clear();
        return {};
    };
    while (read.next()) {
        for (int column = 0; column < columnCount; ++column)
            values.append(read.value(column));
        if (++rows == batchRows) {
            if (auto flushed = flush(); !flushed)
                return flushed.error();
        }
    }
    if (read.lastError().isValid())
        return source.error(QStringLiteral("reading the table %1 of").arg(name), read.lastError());
    if (auto flushed = flush(); !flushed)
        return flushed.error();
    return copied;
}

Result<qint64> countSource(Source &source, const QString &table)
{
    QSqlQuery query(source.db());
    if (!query.exec(QStringLiteral("SELECT count(*) FROM %1").arg(table)) || !query.next())
        return source.error(QStringLiteral("counting the rows of %1 in").arg(table), query.lastError());
    return query.value(0).toLongLong();
}

Result<qint64> countTarget(detail::PostgresConnection &target, const QString &table)
{
    auto query = target.run(QStringLiteral("SELECT count(*) FROM %1").arg(table), {},
                            QStringLiteral("counting the rows of %1 in").arg(table));
    if (!query)
        return query.error();
    if (!(*query)->next())
        return target.sqlError(QStringLiteral("counting the rows of %1 in").arg(table), (*query)->lastError());
    const qint64 count = (*query)->value(0).toLongLong();
    (*query)->finish();
    return count;
}

} // namespace

Result<QList<MigratedTable>> migrateSqliteToPostgres(const QString &sqlitePath, const QString &postgresUrl,
                                                     const LogMigrationOptions &options)
{
    auto location = detail::PostgresLocation::parse(postgresUrl);
    if (!location)
        return location.error();
    Source source(sqlitePath);
    if (auto opened = source.open(); !opened)
        return opened.error();

    // Creates (or checks) the target's schema, as any connection of a log would.
    {
        auto log = PostgresExecutionLog::open(postgresUrl);
        if (!log)
            return log.error();
    }
    detail::PostgresConnection target(location.take());
    if (auto opened = target.open(); !opened)
        return opened.error();
    const QString display = target.display();
    const auto rollback = [&target](Error error) -> Result<QList<MigratedTable>> {
        target.rollback();
        return error;
    };

    if (auto begun = target.begin(QStringLiteral("migrating into")); !begun)
        return begun.error();
    QStringList names;
    for (const Table &table : tables)
        names.append(QString::fromLatin1(table.name));
    // No worker writes while the copy runs; readers (consoles) carry on.
    if (auto locked =
            target.exec(QStringLiteral("LOCK TABLE %1 IN EXCLUSIVE MODE").arg(names.join(QLatin1String(", "))),
                        QStringLiteral("locking the tables of"));
        !locked)
        return rollback(locked.error());

    QStringList occupied;
    for (const QString &name : std::as_const(names)) {
        auto count = countTarget(target, name);
        if (!count)
            return rollback(count.error());
        if (*count > 0)
            occupied.append(QStringLiteral("%1 %2").arg(*count).arg(name));
    }
    if (!occupied.isEmpty()) {
        if (!options.replace) {
            return rollback(Error(QStringLiteral("%1 already holds records (%2); nothing was copied. Migrate into an "
                                                 "empty database or schema, or replace its contents with --force")
                                      .arg(display, occupied.join(QLatin1String(", "))),
                                  QStringLiteral("not-empty")));
        }
        if (auto emptied =
                target.exec(QStringLiteral("TRUNCATE %1 RESTART IDENTITY").arg(names.join(QLatin1String(", "))),
                            QStringLiteral("emptying"));
            !emptied)
            return rollback(emptied.error());
    }

    QList<MigratedTable> report;
    const int batchRows = std::max(1, options.batchRows);
    for (const Table &table : tables) {
        const QString name = QString::fromLatin1(table.name);
        auto copied = copyTable(source, target, table, batchRows);
        if (!copied)
            return rollback(copied.error());
        if (table.sequence) {
            // The next id the target hands out follows the highest copied one.
            auto advanced =
                target.run(QStringLiteral("SELECT setval('%1', COALESCE((SELECT max(id) FROM %2), 0) + 1, false)")
                               .arg(QString::fromLatin1(table.sequence), name),
                           {}, QStringLiteral("advancing the ids of"));
            if (!advanced)
                return rollback(advanced.error());
            (*advanced)->finish();
        }
        MigratedTable counted;
        counted.name = name;
        auto sourceCount = countSource(source, name);
        if (!sourceCount)
            return rollback(sourceCount.error());
        auto targetCount = countTarget(target, name);
        if (!targetCount)
            return rollback(targetCount.error());
        counted.source = *sourceCount;
        counted.target = *targetCount;
        if (counted.source != counted.target || counted.target != *copied) {
            return rollback(Error(QStringLiteral("the table %1 has %2 rows in %3 but %4 in %5 after the copy; nothing "
                                                 "was kept")
                                      .arg(name)
                                      .arg(counted.source)
                                      .arg(sqlitePath)
                                      .arg(counted.target)
                                      .arg(display),
                                  QStringLiteral("count-mismatch")));
        }
        report.append(counted);
    }
    if (auto committed = target.commit(QStringLiteral("migrating into")); !committed)
        return committed.error();
    return report;
}

} // namespace ergon
