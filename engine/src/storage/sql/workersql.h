#pragma once

#include "storage/sql/sqlsession.h"

#include "ergon/records.h"

#include <QSqlQuery>
#include <QString>
#include <QVariantList>

namespace ergon::workersql {

/// One statement on the workers table and its values in placeholder order: the SQL backends
/// (SQLite, PostgreSQL) share the table's shape and these statements, and each runs them its
/// own way.
struct Statement {
    QString sql;
    QVariantList values;
};

/// Adds the row of a new run and returns its id (one row, one column).
Statement registerRun(const WorkerRecord &worker);
/// The run's heartbeat, counters and status.
Statement beat(const WorkerRecord &worker);
/// The run's counters alone (in flight, completed, failed).
Statement counters(const WorkerRecord &worker);
/// Marks lost every alive worker whose heartbeat is older than its own lease at `now`.
Statement markSilentLost(const QDateTime &now);
/// Adds `stolen` to the steals of the thief's latest run (the one that is stealing).
Statement countSteals(const QString &thief, qint64 stolen);
/// Deletes the run's row unless it is alive at `now`.
Statement forget(qint64 run, const QDateTime &now);
/// Every run, by name, then oldest first; read each row with fromRow().
Statement list();
WorkerRecord fromRow(const QSqlQuery &row);

// The worker methods of ExecutionLog on an SQL backend, run through its session.
using sqlsession::SqlSession;
Result<qint64> registerWorker(SqlSession &session, const WorkerRecord &worker);
Result<void> heartbeat(SqlSession &session, const WorkerRecord &worker, const QDateTime &now);
Result<void> updateCounters(SqlSession &session, const WorkerRecord &worker);
Result<QList<WorkerRecord>> workers(SqlSession &session);
Result<int> forgetWorkers(SqlSession &session, const QList<qint64> &runs, const QDateTime &now);

} // namespace ergon::workersql
