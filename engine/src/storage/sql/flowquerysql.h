#pragma once

#include "ergon/executionlog.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariantList>

#include <functional>
#include <type_traits>

namespace ergon {

/// The WHERE conditions of a FlowQuery's status, type and text filters, with their values in
/// placeholder order: shared by the SQL backends. `likeOperator` is LIKE on SQLite (ASCII case
/// folding) and ILIKE on PostgreSQL.
struct FlowQueryConditions {
    QStringList conditions;
    QVariantList values;
};
FlowQueryConditions flowQueryConditions(const FlowQuery &query, QLatin1StringView likeOperator);

/// " AND ((type = ? AND plugin IN ('', ?)) OR …)": the flows a claim may take (ClaimFilter),
/// each type with the plugin that provides it in the claiming worker; its values are appended.
/// Empty for an empty filter.
QString claimFilterCondition(const ClaimFilter &types, QVariantList &values);

/// How many ids one statement of a listing by ids (FlowQuery::ids) binds.
inline constexpr int flowIdChunkSize = 256;

/// "id IN (?, …)" with flowIdChunkSize placeholders.
QString flowIdChunkCondition();

/// Reads the flows of one chunk of ids (flowIdChunkSize values, padded with 0, which no flow
/// has) that pass the other filters, newest first, at most `limit`.
using FlowChunkReader = std::function<Result<QList<FlowRecord>>(const QVariantList &chunk, int limit)>;

/// Lists a FlowQuery restricted to query.ids a chunk at a time, newest first: every statement
/// has one shape, so a backend prepares it once, and however many ids are given, the listing
/// stops as soon as the page (offset and limit, across the chunks) is full.
Result<QList<FlowRecord>> listFlowsAmongIds(const FlowQuery &query, const FlowChunkReader &read);

/// Reads every row of one statement as flows (a backend runs it its own way, bound values in
/// placeholder order).
using FlowPageReader = std::function<Result<QList<FlowRecord>>(const QString &sql, const QVariantList &values)>;

/// A whole FlowQuery on an SQL backend, newest first: `select` is the SELECT … FROM flows of
/// the backend's columns, `likeOperator` as for flowQueryConditions().
Result<QList<FlowRecord>> listFlows(const FlowQuery &query, const QString &select, QLatin1StringView likeOperator,
                                    const FlowPageReader &read);

/// The next row of a statement a backend has run: true with a row to read, false past the last
/// one, or the read's error, made by `failed` from QtSql's. QSqlQuery::next() returns false both
/// at the end of the rows and when a read fails (a damaged page of an SQLite file, a connection
/// lost in the middle of a result): only lastError() tells them apart, and a failed read taken
/// for the end would answer with the rows read so far.
template<typename MakeError>
Result<bool> nextRow(QSqlQuery &query, const MakeError &failed)
{
    if (query.next())
        return true;
    if (query.lastError().isValid()) {
        Error error = failed(query.lastError());
        query.finish();
        return error;
    }
    return false;
}

/// Every row of a statement a backend has run, each read by `fromRow` (which returns the record,
/// or a Result of it when a row can be refused); the statement is finished (its result set
/// released) once read. A failed read is an error made by `failed`, never a shorter list.
template<typename Record, typename FromRow, typename MakeError>
Result<QList<Record>> readRows(Result<QSqlQuery *> ran, FromRow fromRow, const MakeError &failed)
{
    if (!ran)
        return ran.error();
    QList<Record> records;
    QSqlQuery *q = *ran;
    for (;;) {
        auto row = nextRow(*q, failed);
        if (!row)
            return row.error();
        if (!*row)
            break;
        if constexpr (std::is_same_v<decltype(fromRow(*q)), Record>) {
            records.append(fromRow(*q));
        } else {
            auto record = fromRow(*q);
            if (!record) {
                q->finish();
                return record.error();
            }
            records.append(record.take());
        }
    }
    q->finish();
    return records;
}

/// A stored value this build does not know (a flow's status, a step's kind): what a damaged row
/// reads as, reported as such (kind "corrupt") rather than read as some default. `where` names
/// the database, `what` the value ("the flow status").
Error unknownStoredValue(const QString &where, const QString &what, const QString &text);

/// A row of "SELECT id, args FROM flows" (ExecutionLog::flowTexts()).
FlowText flowTextFromRow(const QSqlQuery &row);

/// A row of "SELECT status, count(*) FROM flows GROUP BY status", as stored.
struct StatusCount {
    QString status;
    qint64 count = 0;
};
StatusCount statusCountFromRow(const QSqlQuery &row);
/// The counts of ExecutionLog::countByStatus() from its rows. A status this build does not know,
/// or one that comes twice (a damaged index walked out of order), is an error, not a count
/// dropped or overwritten: either would be a confident wrong answer.
Result<QMap<FlowStatus, qint64>> countsByStatus(const QList<StatusCount> &rows, const QString &where);

/// Rows of the timers, steals and due-times queries the SQL backends share: "SELECT t.flow_id,
/// t.seq, t.name, f.type, t.fire_at", "SELECT flow_id, from_worker, to_worker, at" and "SELECT
/// id, run_at".
TimerRecord timerFromRow(const QSqlQuery &row);
StealRecord stealFromRow(const QSqlQuery &row);
std::pair<qint64, QDateTime> dueFromRow(const QSqlQuery &row);

} // namespace ergon
