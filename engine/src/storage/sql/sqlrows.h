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
/// flow's steps (its progress). The last two say what a waiting flow waits for (its latest open
/// timer or signal step: "kind name", and its due time), read only for waiting flows.
inline constexpr char flowColumnList[] =
    "id, type, type_version, args, status, priority, run_at, idempotency_key, lease_owner, lease_expires,"
    " result, error, (SELECT count(*) FROM steps WHERE steps.flow_id = flows.id), created, updated, finished,"
    " run_started, plugin,"
    " CASE WHEN flows.status = 'waiting' THEN (SELECT steps.kind || ' ' || steps.name FROM steps"
    " WHERE steps.flow_id = flows.id AND steps.status = 'running' AND steps.kind IN ('timer', 'signal')"
    " ORDER BY steps.seq DESC LIMIT 1) END,"
    " CASE WHEN flows.status = 'waiting' THEN (SELECT steps.next_attempt_at FROM steps"
    " WHERE steps.flow_id = flows.id AND steps.status = 'running' AND steps.kind IN ('timer', 'signal')"
    " ORDER BY steps.seq DESC LIMIT 1) END";
inline constexpr int flowStepCountColumn = 12;
inline constexpr int flowWaitColumn = 18;
inline constexpr int flowColumnCount = 20;
/// A row of flowColumnList; a status this build does not know (a damaged row) is an error.
/// `where` names the database.
Result<FlowRecord> flowFromRow(const QSqlQuery &query, const QString &where);

/// The columns of a StepRecord, read by stepFromRow().
inline constexpr char stepColumnList[] =
    "flow_id, seq, name, occurrence, input_hash, kind, status, result, error, worker, attempts, retry_base,"
    " type_version, started, finished, next_attempt_at, attempt_started";
/// A row of stepColumnList; a kind or a status this build does not know is an error.
Result<StepRecord> stepFromRow(const QSqlQuery &query, const QString &where);

/// The columns of a SignalRecord, read by signalFromRow().
inline constexpr char signalColumnList[] = "id, flow_id, name, payload, created, consumed, consumed_seq";
SignalRecord signalFromRow(const QSqlQuery &query);

} // namespace ergon::sqlrows
