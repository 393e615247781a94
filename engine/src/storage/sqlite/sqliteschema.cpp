#include "storage/sqlite/sqliteschema.h"

#include "storage/sqlite/sqliteexecutionlog_p.h"

namespace ergon {

// Times are INTEGER milliseconds since the epoch (UTC): compact, and ordered in indexes.
const QList<SchemaMigration> &sqliteMigrations()
{
    static const QList<SchemaMigration> migrations{
        {1,
         {
             QStringLiteral("CREATE TABLE flows ("
                            " id INTEGER PRIMARY KEY,"
                            " type TEXT NOT NULL,"
                            " type_version INTEGER NOT NULL DEFAULT 1,"
                            " args TEXT NOT NULL,"
                            " status TEXT NOT NULL,"
                            " priority INTEGER NOT NULL DEFAULT 0,"
                            " run_at INTEGER NOT NULL,"
                            " idempotency_key TEXT UNIQUE,"
                            " lease_owner TEXT,"
                            " lease_expires INTEGER,"
                            " run_started INTEGER,"
                            " result TEXT,"
                            " error TEXT,"
                            " created INTEGER NOT NULL,"
                            " updated INTEGER NOT NULL,"
                            " finished INTEGER)"),
             // The claim order (priority, then due time) within a status, and the console's
             // counts by status.
             QStringLiteral("CREATE INDEX flows_queue ON flows (status, priority DESC, run_at)"),
             QStringLiteral("CREATE INDEX flows_type ON flows (type, id)"),
             // What falls due next (timer service), and what each worker holds (heartbeats,
             // stealing): both partial, so finished flows cost them nothing.
             QStringLiteral("CREATE INDEX flows_due ON flows (run_at) WHERE status IN ('pending', 'waiting')"),
             QStringLiteral("CREATE INDEX flows_lease ON flows (lease_owner) WHERE lease_owner IS NOT NULL"),
             QStringLiteral("CREATE TABLE steps ("
                            " flow_id INTEGER NOT NULL,"
                            " seq INTEGER NOT NULL,"
                            " name TEXT NOT NULL,"
                            " occurrence INTEGER NOT NULL,"
                            " input_hash TEXT NOT NULL DEFAULT '',"
                            " kind TEXT NOT NULL,"
                            " status TEXT NOT NULL,"
                            " result TEXT,"
                            " error TEXT,"
                            " worker TEXT,"
                            " attempts INTEGER NOT NULL DEFAULT 0,"
                            " retry_base INTEGER NOT NULL DEFAULT 0,"
                            " type_version INTEGER NOT NULL DEFAULT 1,"
                            " started INTEGER,"
                            " finished INTEGER,"
                            " next_attempt_at INTEGER,"
                            " attempt_started INTEGER,"
                            " PRIMARY KEY (flow_id, seq)) WITHOUT ROWID"),
             QStringLiteral("CREATE TABLE attempts ("
                            " flow_id INTEGER NOT NULL,"
                            " seq INTEGER NOT NULL,"
                            " attempt INTEGER NOT NULL,"
                            " started INTEGER,"
                            " finished INTEGER,"
                            " error TEXT,"
                            " worker TEXT,"
                            " PRIMARY KEY (flow_id, seq, attempt)) WITHOUT ROWID"),
             // Durable timers: one row per timer step, kept by the log as timer steps are
             // written; the partial index serves "what is due" and the console's timer list.
             QStringLiteral("CREATE TABLE timers ("
                            " flow_id INTEGER NOT NULL,"
                            " seq INTEGER NOT NULL,"
                            " name TEXT NOT NULL,"
                            " fire_at INTEGER NOT NULL,"
                            " fired_at INTEGER,"
                            " PRIMARY KEY (flow_id, seq)) WITHOUT ROWID"),
             QStringLiteral("CREATE INDEX timers_pending ON timers (fire_at) WHERE fired_at IS NULL"),
             QStringLiteral("CREATE TABLE workers ("
                            " name TEXT PRIMARY KEY,"
                            " host TEXT NOT NULL,"
                            " pid INTEGER NOT NULL,"
                            " started INTEGER NOT NULL,"
                            " heartbeat INTEGER NOT NULL,"
                            " concurrency INTEGER NOT NULL DEFAULT 1,"
                            " lease_ms INTEGER NOT NULL DEFAULT 30000,"
                            " in_flight INTEGER NOT NULL DEFAULT 0,"
                            " completed INTEGER NOT NULL DEFAULT 0,"
                            " failed INTEGER NOT NULL DEFAULT 0,"
                            " steals INTEGER NOT NULL DEFAULT 0,"
                            " status TEXT NOT NULL DEFAULT 'alive')"),
             QStringLiteral("CREATE TABLE steals ("
                            " id INTEGER PRIMARY KEY,"
                            " flow_id INTEGER NOT NULL,"
                            " from_worker TEXT NOT NULL,"
                            " to_worker TEXT NOT NULL,"
                            " at INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE signals ("
                            " id INTEGER PRIMARY KEY,"
                            " flow_id INTEGER NOT NULL,"
                            " name TEXT NOT NULL,"
                            " payload TEXT,"
                            " created INTEGER NOT NULL,"
                            " consumed INTEGER)"),
             QStringLiteral("CREATE INDEX signals_flow ON signals (flow_id, name)"),
         }},
        {2,
         {
             // The console's list by status, newest first (FlowQuery with a status): without it
             // SQLite reads every flow of the status through flows_queue and sorts them, over a
             // second for the common statuses of a million flows; with it, a page is one range.
             QStringLiteral("CREATE INDEX flows_status ON flows (status, id)"),
         }},
        {3,
         {
             // What a claim reads, and only that: partial indexes leave finished flows out, so
             // that starting a flow removes one entry and finishing it touches none (the counts
             // and lists by status read flows_status). A statement's own text must imply a
             // partial index's condition for SQLite to use it: each names its status.
             //  - Queued flows, per type in claim order (priority, then due time): a worker asks
             //    for its types one by one, so a backlog of a type it cannot run (its plugin not
             //    loaded) is never scanned.
             //  - Waiting flows by due time: only the due ones are read (a claim sorts those few
             //    by priority), however many sleep.
             QStringLiteral("DROP INDEX flows_queue"),
             QStringLiteral("CREATE INDEX flows_pending ON flows (status, type, priority DESC, run_at)"
                            " WHERE status = 'pending'"),
             QStringLiteral("CREATE INDEX flows_waiting ON flows (status, run_at) WHERE status = 'waiting'"),
         }},
        {4,
         {
             // The plugin that provided the flow's type where it was scheduled: two plugins may
             // declare one type, and a worker must run a flow with the plugin that scheduled it
             // (claims filter on it). Empty for the flows stored before: any worker of the type.
             QStringLiteral("ALTER TABLE flows ADD COLUMN plugin TEXT NOT NULL DEFAULT ''"),
             // One row per run of a worker rather than per name: a worker started again under
             // a name used before (a restarted service, the console's workers) keeps the
             // earlier runs' rows and counters. SQLite cannot change a primary key in place:
             // the table is rebuilt, the existing rows numbered in the order they started.
             // AUTOINCREMENT: a forgotten run's id is never handed out again.
             QStringLiteral("CREATE TABLE workers_by_run ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " name TEXT NOT NULL,"
                            " host TEXT NOT NULL,"
                            " pid INTEGER NOT NULL,"
                            " started INTEGER NOT NULL,"
                            " heartbeat INTEGER NOT NULL,"
                            " concurrency INTEGER NOT NULL DEFAULT 1,"
                            " lease_ms INTEGER NOT NULL DEFAULT 30000,"
                            " in_flight INTEGER NOT NULL DEFAULT 0,"
                            " completed INTEGER NOT NULL DEFAULT 0,"
                            " failed INTEGER NOT NULL DEFAULT 0,"
                            " steals INTEGER NOT NULL DEFAULT 0,"
                            " status TEXT NOT NULL DEFAULT 'alive')"),
             QStringLiteral("INSERT INTO workers_by_run (name, host, pid, started, heartbeat, concurrency, lease_ms,"
                            " in_flight, completed, failed, steals, status)"
                            " SELECT name, host, pid, started, heartbeat, concurrency, lease_ms, in_flight, completed,"
                            " failed, steals, status FROM workers ORDER BY started, name"),
             QStringLiteral("DROP TABLE workers"),
             QStringLiteral("ALTER TABLE workers_by_run RENAME TO workers"),
             // A name's latest run (heartbeats before the id is known, steals), and the list.
             QStringLiteral("CREATE INDEX workers_name ON workers (name, id)"),
         }},
        {5,
         {
             // Signals (table of schema 1, unused until now): which wait step took each one, and
             // what a wait looks for, the oldest pending signal of a flow and name, as one range.
             QStringLiteral("ALTER TABLE signals ADD COLUMN consumed_seq INTEGER"),
             QStringLiteral("CREATE INDEX signals_pending ON signals (flow_id, name, id) WHERE consumed IS NULL"),
         }},
    };
    return migrations;
}

Result<void> SqliteExecutionLog::Private::migrate()
{
    QSqlQuery versionQuery(db);
    if (!versionQuery.exec(QStringLiteral("PRAGMA user_version")) || !versionQuery.next()) {
        // The first read of the file: SQLite checks its header here (SQLITE_NOTADB).
        if (versionQuery.lastError().nativeErrorCode() == QLatin1String("26") ||
            versionQuery.lastError().text().contains(QLatin1String("not a database"))) {
            return Error(QStringLiteral("%1 is not an SQLite database (corrupt, or another kind of file); it was left "
                                        "untouched.")
                             .arg(path),
                         QStringLiteral("corrupt"));
        }
        return sqlError(QStringLiteral("reading the schema version of"), versionQuery.lastError());
    }
    const int version = versionQuery.value(0).toInt();
    versionQuery.finish();
    // A damaged file is refused before anything is written to it, migrations included.
    auto checked = SqliteIntegrity::check(handle, canonicalPath, fileName(), quickCheckMaxBytes);
    if (!checked)
        return checked.error();
    checkedMark = checked.take();
    if (version > SqliteExecutionLog::schemaVersion)
        return newerSchema(version);
    if (version == SqliteExecutionLog::schemaVersion)
        return {};
    if (readOnly) {
        if (auto foreign = checkNotForeign(version); !foreign)
            return foreign;
        return Error(QStringLiteral("%1 is read-only and needs its schema upgraded from version %2 to %3")
                         .arg(fileName())
                         .arg(version)
                         .arg(SqliteExecutionLog::schemaVersion),
                     QStringLiteral("read-only"));
    }

    // Under the write lock, the version is read again: another connection (a worker starting
    // beside the console) may have created or upgraded the schema meanwhile.
    const QString doing = QStringLiteral("migrating the schema of");
    if (auto begun = begin(doing); !begun)
        return begun;
    QSqlQuery lockedQuery(db);
    if (!lockedQuery.exec(QStringLiteral("PRAGMA user_version")) || !lockedQuery.next())
        return rollback<void>(sqlError(QStringLiteral("reading the schema version of"), lockedQuery.lastError()));
    const int current = lockedQuery.value(0).toInt();
    lockedQuery.finish();
    if (current > SqliteExecutionLog::schemaVersion)
        return rollback<void>(newerSchema(current));
    if (auto foreign = checkNotForeign(current); !foreign)
        return rollback<void>(foreign.error());
    for (const SchemaMigration &migration : sqliteMigrations()) {
        if (migration.version <= current)
            continue;
        for (const QString &sql : migration.statements) {
            if (auto done = exec(sql, doing); !done)
                return rollback<void>(done.error());
        }
        if (auto done = exec(QStringLiteral("PRAGMA user_version = %1").arg(migration.version), doing); !done)
            return rollback<void>(done.error());
    }
    return commit(doing);
}

Error SqliteExecutionLog::Private::newerSchema(int version) const
{
    return Error(QStringLiteral("%1 was written by a newer Ergon Console (schema version %2; this build knows "
                                "versions up to %3). Upgrade Ergon Console to open it; the file was left untouched.")
                     .arg(fileName())
                     .arg(version)
                     .arg(SqliteExecutionLog::schemaVersion),
                 QStringLiteral("newer-schema"));
}

Result<void> SqliteExecutionLog::Private::checkNotForeign(int version)
{
    if (version != 0)
        return {};
    QSqlQuery tables(db);
    if (!tables.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) || !tables.next())
        return sqlError(QStringLiteral("reading"), tables.lastError());
    const int count = tables.value(0).toInt();
    tables.finish();
    if (count > 0) {
        return Error(QStringLiteral("%1 is an SQLite database of another application (it has tables but no Ergon "
                                    "schema); it was left untouched.")
                         .arg(fileName()),
                     QStringLiteral("foreign-database"));
    }
    return {};
}

} // namespace ergon
