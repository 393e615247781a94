#pragma once

#include "ergon/records.h"
#include "ergon/result.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

namespace ergon::sqlrows {

// How the SQL backends (SQLite, PostgreSQL) store values and read rows: one shape of the
// tables, times as milliseconds since the epoch (UTC), absent text as NULL.

/// A time as stored: milliseconds since the epoch, NULL for an invalid time.
QVariant fromTime(const QDateTime &time);
QDateTime toTime(const QVariant &value);
/// Text as stored: NULL when empty.
QVariant nullIfEmpty(const QString &text);
QVariant nullIfEmpty(const QByteArray &utf8);

/// The columns of a FlowRecord, read by flowFromRow(); column flowStepCountColumn counts the
/// flow's steps (its progress).
inline constexpr char flowColumnList[] =
    "id, type, type_version, args, status, priority, run_at, idempotency_key, lease_owner, lease_expires,"
    " result, error, (SELECT count(*) FROM steps WHERE steps.flow_id = flows.id), created, updated, finished,"
    " run_started, plugin";
inline constexpr int flowStepCountColumn = 12;
inline constexpr int flowColumnCount = 18;
/// A row of flowColumnList; a status this build does not know (a damaged row) is an error.
/// `where` names the database.
Result<FlowRecord> flowFromRow(const QSqlQuery &query, const QString &where);

/// The columns of a StepRecord, read by stepFromRow().
inline constexpr char stepColumnList[] =
    "flow_id, seq, name, occurrence, input_hash, kind, status, result, error, worker, attempts, retry_base,"
    " type_version, started, finished, next_attempt_at, attempt_started";
/// A row of stepColumnList; a kind or a status this build does not know is an error.
Result<StepRecord> stepFromRow(const QSqlQuery &query, const QString &where);

} // namespace ergon::sqlrows
