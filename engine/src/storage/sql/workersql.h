#pragma once

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

} // namespace ergon::workersql
