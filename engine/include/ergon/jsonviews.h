#pragma once

#include "records.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>

namespace ergon {

/// The JSON shapes of the engine's records, as the headless command line prints them and as
/// anything else that shows or exports flows (the console, scripts) should reuse them.
///
/// Field names are snake_case and stable; fields are only ever added. Times are ISO 8601 UTC
/// with milliseconds ("2024-05-01T12:00:00.000Z"), null when not set; empty texts (error,
/// worker, lease owner, key) are null.

/// An ISO 8601 UTC time with milliseconds, or null for an invalid time.
QJsonValue timeToJson(const QDateTime &time);

/// A flow without its steps: id, type, type_version, status, priority, args (the object),
/// result (the decoded JSON value, null until completed), error, lease_owner, idempotency_key,
/// step_count, created, updated, run_at, run_started, finished, waiting_for (null, or while
/// waiting {"kind": "timer" | "signal", "name": …, "until": the fire time or timeout, or null}).
QJsonObject flowToJson(const FlowRecord &flow);
/// The same with `steps`, in run order (see stepToJson()).
QJsonObject flowToJson(const FlowRecord &flow, const QList<StepRecord> &steps);

/// seq, name, occurrence, kind (step, timer or signal), status, worker, attempts (the attempt log, see
/// attemptToJson(); empty unless the steps were read with their attempts), attempt_count,
/// result, error, type_version, started, finished, next_attempt_at.
QJsonObject stepToJson(const StepRecord &step);
/// number, started, finished, error (null when it succeeded or is still running), worker.
QJsonObject attemptToJson(const AttemptRecord &attempt);

/// name, host, pid, status (effectiveStatus() as of `now`: a silent worker shows lost),
/// recorded_status, started, heartbeat, concurrency, in_flight, completed, failed, steals,
/// lease_ms.
QJsonObject workerToJson(const WorkerRecord &worker, const QDateTime &now);

/// flow_id, type, name, seq, fire_at, remaining_s (seconds until it fires as of `now`, with
/// millisecond precision; 0 when already due).
QJsonObject timerToJson(const TimerRecord &timer, const QDateTime &now);

/// Every flow status by name with its count, 0 for the statuses absent from `counts`.
QJsonObject statusCountsToJson(const QMap<FlowStatus, qint64> &counts);

/// Arrays of the shapes above.
QJsonArray flowsToJson(const QList<FlowRecord> &flows);
QJsonArray workersToJson(const QList<WorkerRecord> &workers, const QDateTime &now);
QJsonArray timersToJson(const QList<TimerRecord> &timers, const QDateTime &now);

} // namespace ergon
