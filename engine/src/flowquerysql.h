#pragma once

#include "ergon/executionlog.h"

#include <QSqlQuery>
#include <QStringList>
#include <QVariantList>

#include <functional>

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

/// Every row of a statement a backend has run, each read by `fromRow`; the statement is
/// finished (its result set released) once read.
template<typename Record, typename FromRow>
Result<QList<Record>> readRows(Result<QSqlQuery *> ran, FromRow fromRow)
{
    if (!ran)
        return ran.error();
    QList<Record> records;
    QSqlQuery *q = *ran;
    while (q->next())
        records.append(fromRow(*q));
    q->finish();
    return records;
}

/// A row of "SELECT id, args FROM flows" (ExecutionLog::flowTexts()).
FlowText flowTextFromRow(const QSqlQuery &row);

} // namespace ergon
