#include "storage/postgres/postgresschema.h"

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

} // namespace ergon
