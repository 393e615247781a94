#include "storage/postgres/postgresschema.h"

#include "storage/postgres/postgresexecutionlog_p.h"

namespace ergon {

// Times are BIGINT milliseconds since the epoch (UTC), as in SQLite: no time zone or
// precision conversions, and the same bound values on both backends. The schema version lives
// in the table schema_version (one row), created by the first migration.
const QList<SchemaMigration> &postgresMigrations()
{
    static const QList<SchemaMigration> migrations{
        {1,
         {
             QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)"),
             QStringLiteral("INSERT INTO schema_version (version) VALUES (0)"),
             QStringLiteral("CREATE TABLE flows ("
                            " id BIGSERIAL PRIMARY KEY,"
                            " type TEXT NOT NULL,"
                            " type_version INTEGER NOT NULL DEFAULT 1,"
                            " args TEXT NOT NULL,"
                            " status TEXT NOT NULL,"
                            " priority INTEGER NOT NULL DEFAULT 0,"
                            " run_at BIGINT NOT NULL,"
                            " idempotency_key TEXT UNIQUE,"
                            " lease_owner TEXT,"
                            " lease_expires BIGINT,"
                            " run_started BIGINT,"
                            " result TEXT,"
                            " error TEXT,"
                            " created BIGINT NOT NULL,"
                            " updated BIGINT NOT NULL,"
                            " finished BIGINT)"),
             // The claim order (priority, then due time) within a status, and the console's
             // counts by status.
             QStringLiteral("CREATE INDEX flows_queue ON flows (status, priority DESC, run_at)"),
             QStringLiteral("CREATE INDEX flows_type ON flows (type, id)"),
             QStringLiteral("CREATE INDEX flows_due ON flows (run_at) WHERE status IN ('pending', 'waiting')"),
             QStringLiteral("CREATE INDEX flows_lease ON flows (lease_owner) WHERE lease_owner IS NOT NULL"),
             QStringLiteral("CREATE TABLE steps ("
                            " flow_id BIGINT NOT NULL,"
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
                            " started BIGINT,"
                            " finished BIGINT,"
                            " next_attempt_at BIGINT,"
                            " attempt_started BIGINT,"
                            " PRIMARY KEY (flow_id, seq))"),
             QStringLiteral("CREATE TABLE attempts ("
                            " flow_id BIGINT NOT NULL,"
                            " seq INTEGER NOT NULL,"
                            " attempt INTEGER NOT NULL,"
                            " started BIGINT,"
                            " finished BIGINT,"
                            " error TEXT,"
                            " worker TEXT,"
                            " PRIMARY KEY (flow_id, seq, attempt))"),
             QStringLiteral("CREATE TABLE timers ("
                            " flow_id BIGINT NOT NULL,"
                            " seq INTEGER NOT NULL,"
                            " name TEXT NOT NULL,"
                            " fire_at BIGINT NOT NULL,"
                            " fired_at BIGINT,"
                            " PRIMARY KEY (flow_id, seq))"),
             QStringLiteral("CREATE INDEX timers_pending ON timers (fire_at) WHERE fired_at IS NULL"),
             QStringLiteral("CREATE TABLE workers ("
                            " name TEXT PRIMARY KEY,"
                            " host TEXT NOT NULL,"
                            " pid BIGINT NOT NULL,"
                            " started BIGINT NOT NULL,"
                            " heartbeat BIGINT NOT NULL,"
                            " concurrency INTEGER NOT NULL DEFAULT 1,"
                            " lease_ms BIGINT NOT NULL DEFAULT 30000,"
                            " in_flight INTEGER NOT NULL DEFAULT 0,"
                            " completed BIGINT NOT NULL DEFAULT 0,"
                            " failed BIGINT NOT NULL DEFAULT 0,"
                            " steals BIGINT NOT NULL DEFAULT 0,"
                            " status TEXT NOT NULL DEFAULT 'alive')"),
             QStringLiteral("CREATE TABLE steals ("
                            " id BIGSERIAL PRIMARY KEY,"
                            " flow_id BIGINT NOT NULL,"
                            " from_worker TEXT NOT NULL,"
                            " to_worker TEXT NOT NULL,"
                            " at BIGINT NOT NULL)"),
             QStringLiteral("CREATE TABLE signals ("
                            " id BIGSERIAL PRIMARY KEY,"
                            " flow_id BIGINT NOT NULL,"
                            " name TEXT NOT NULL,"
                            " payload TEXT,"
                            " created BIGINT NOT NULL,"
                            " consumed BIGINT)"),
             QStringLiteral("CREATE INDEX signals_flow ON signals (flow_id, name)"),
             // Expired leases are claimable: found without scanning every running flow.
             QStringLiteral("CREATE INDEX flows_expiry ON flows (lease_expires) WHERE status = 'running'"),
         }},
        {2,
         {
             // The console's list by status, newest first (FlowQuery with a status): a page is
             // one range of this index.
             QStringLiteral("CREATE INDEX flows_status ON flows (status, id)"),
         }},
        {3,
         {
             // The claim order (priority, then due time) is only ever asked of queued flows:
             // one partial index per queued status leaves running and finished flows out, so
             // that starting a flow removes one entry and finishing it touches none (the counts
             // and lists by status read flows_status). Measured on SQLite: claim and finish
             // cost a sixth less. (One index over both statuses would not do: SQLite uses a
             // partial index only where the query's text implies its condition, and
             // status = 'pending' does not imply status IN ('pending', 'waiting') to it.) The
             // status leads each index anyway: with it, the planner prefers the index that also
             // gives the order over flows_status, even before ANALYZE has run.
             QStringLiteral("DROP INDEX flows_queue"),
             QStringLiteral(
                 "CREATE INDEX flows_pending ON flows (status, priority DESC, run_at) WHERE status = 'pending'"),
             QStringLiteral(
                 "CREATE INDEX flows_waiting ON flows (status, priority DESC, run_at) WHERE status = 'waiting'"),
         }},
        {4,
         {
             // The plugin that provided the flow's type where it was scheduled (see SQLite's
             // schema 4): claims take a type's flows of their own plugin, or of none recorded.
             QStringLiteral("ALTER TABLE flows ADD COLUMN plugin TEXT NOT NULL DEFAULT ''"),
             // One row per run of a worker rather than per name: a worker started again under
             // a name used before keeps the earlier runs' rows and counters. The existing rows
             // are numbered as the column is added.
             QStringLiteral("ALTER TABLE workers DROP CONSTRAINT workers_pkey"),
             QStringLiteral("ALTER TABLE workers ADD COLUMN id BIGSERIAL PRIMARY KEY"),
             // A name's latest run (heartbeats before the id is known, steals), and the list.
             QStringLiteral("CREATE INDEX workers_name ON workers (name, id)"),
         }},
        {5,
         {
             // Signals (see SQLite's schema 5): the wait step that took each one, and the oldest
             // pending signal of a flow and name as one range.
             QStringLiteral("ALTER TABLE signals ADD COLUMN consumed_seq INTEGER"),
             QStringLiteral("CREATE INDEX signals_pending ON signals (flow_id, name, id) WHERE consumed IS NULL"),
         }},
    };
    return migrations;
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

} // namespace ergon
