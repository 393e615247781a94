#include "storage/sql/workersql.h"

#include "storage/sql/flowquerysql.h"
#include "storage/sql/sqlrows.h"

namespace ergon::workersql {

namespace {

const QString columns = QStringLiteral(
    "id, name, host, pid, started, heartbeat, concurrency, in_flight, completed, failed, steals, status, lease_ms");

using sqlrows::fromTime;
using sqlrows::toTime;

/// The run a record names: its id, or, before it knows one (id 0), the latest run of its name.
Statement whereRun(const WorkerRecord &worker)
{
    if (worker.id > 0)
        return {QStringLiteral(" WHERE id = ?"), {worker.id}};
    return {QStringLiteral(" WHERE id = (SELECT MAX(id) FROM workers WHERE name = ?)"), {worker.name}};
}

Statement updateRun(const QString &set, QVariantList values, const WorkerRecord &worker)
{
    const Statement where = whereRun(worker);
    values.append(where.values);
    return {QStringLiteral("UPDATE workers SET ") + set + where.sql, values};
}

} // namespace

Statement registerRun(const WorkerRecord &worker)
{
    return {
        QStringLiteral("INSERT INTO workers (name, host, pid, started, heartbeat, concurrency, in_flight, completed,"
                       " failed, steals, status, lease_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        {worker.name, worker.host, worker.pid, fromTime(worker.started), fromTime(worker.heartbeat), worker.concurrency,
         worker.inFlight, worker.completed, worker.failed, worker.steals, toString(worker.status), worker.leaseMs}};
}

Statement beat(const WorkerRecord &worker)
{
    return updateRun(
        QStringLiteral("heartbeat = ?, in_flight = ?, completed = ?, failed = ?, status = ?"),
        {fromTime(worker.heartbeat), worker.inFlight, worker.completed, worker.failed, toString(worker.status)},
        worker);
}

Statement counters(const WorkerRecord &worker)
{
    return updateRun(QStringLiteral("in_flight = ?, completed = ?, failed = ?"),
                     {worker.inFlight, worker.completed, worker.failed}, worker);
}

Statement markSilentLost(const QDateTime &now)
{
    // Each worker is judged by its own lease: a heartbeat older than that means lost.
    return {QStringLiteral("UPDATE workers SET status = 'lost' WHERE status = 'alive' AND heartbeat + lease_ms < ?"),
            {fromTime(now)}};
}

Statement countSteals(const QString &thief, qint64 stolen)
{
    WorkerRecord latest;
    latest.name = thief;
    return updateRun(QStringLiteral("steals = steals + ?"), {stolen}, latest);
}

Statement forget(qint64 run, const QDateTime &now)
{
    return {QStringLiteral("DELETE FROM workers WHERE id = ? AND (status <> 'alive' OR heartbeat + lease_ms < ?)"),
            {run, fromTime(now)}};
}

Statement list()
{
    return {QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM workers ORDER BY name, id"), {}};
}

WorkerRecord fromRow(const QSqlQuery &row)
{
    WorkerRecord worker;
    worker.id = row.value(0).toLongLong();
    worker.name = row.value(1).toString();
    worker.host = row.value(2).toString();
    worker.pid = row.value(3).toLongLong();
    worker.started = toTime(row.value(4));
    worker.heartbeat = toTime(row.value(5));
    worker.concurrency = row.value(6).toInt();
    worker.inFlight = row.value(7).toInt();
    worker.completed = row.value(8).toLongLong();
    worker.failed = row.value(9).toLongLong();
    worker.steals = row.value(10).toLongLong();
    worker.status = workerStatusFromString(row.value(11).toString()).value_or(WorkerStatus::Alive);
    worker.leaseMs = row.value(12).toLongLong();
    return worker;
}

Result<qint64> registerWorker(SqlSession &session, const WorkerRecord &worker)
{
    const Statement insert = registerRun(worker);
    const QString doing = QStringLiteral("registering a worker in");
    auto query = session.run(insert.sql, insert.values, doing);
    if (!query)
        return query.error();
    QSqlQuery *q = *query;
    if (!q->next())
        return Error(QStringLiteral("%1 %2: no id was returned").arg(doing, session.location()),
                     QStringLiteral("storage"));
    const qint64 run = q->value(0).toLongLong();
    q->finish();
    return run;
}

Result<void> heartbeat(SqlSession &session, const WorkerRecord &worker, const QDateTime &now)
{
    const QString doing = QStringLiteral("recording a heartbeat in");
    if (auto begun = session.begin(doing); !begun)
        return begun;
    for (const Statement &statement : {beat(worker), markSilentLost(now)}) {
        if (auto ran = session.run(statement.sql, statement.values, doing); !ran)
            return session.rolledBack(ran.error());
    }
    return session.commit(doing);
}

Result<void> updateCounters(SqlSession &session, const WorkerRecord &worker)
{
    // In a transaction of its own rather than autocommit, so that on SQLite it takes its
    // turn among this process's writers like any other write.
    const QString doing = QStringLiteral("recording a worker's counters in");
    if (auto begun = session.begin(doing); !begun)
        return begun;
    const Statement update = counters(worker);
    if (auto ran = session.run(update.sql, update.values, doing); !ran)
        return session.rolledBack(ran.error());
    return session.commit(doing);
}

Result<QList<WorkerRecord>> workers(SqlSession &session)
{
    const QString doing = QStringLiteral("listing workers in");
    const Statement all = list();
    auto query = session.run(all.sql, all.values, doing);
    return readRows<WorkerRecord>(std::move(query), fromRow, session.readErrorOf(doing));
}

Result<int> forgetWorkers(SqlSession &session, const QList<qint64> &runs, const QDateTime &now)
{
    const QString doing = QStringLiteral("forgetting workers in");
    if (auto begun = session.begin(doing); !begun)
        return begun.error();
    int forgotten = 0;
    for (const qint64 run : runs) {
        const Statement statement = forget(run, now);
        auto ran = session.run(statement.sql, statement.values, doing);
        if (!ran)
            return session.rolledBack(ran.error());
        forgotten += (*ran)->numRowsAffected();
    }
    if (auto committed = session.commit(doing); !committed)
        return committed.error();
    return forgotten;
}

} // namespace ergon::workersql
