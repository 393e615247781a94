#include "storage/sql/flowquerysql.h"

#include <QVariant>

#include <algorithm>
#include <functional>

namespace ergon {

FlowQueryConditions flowQueryConditions(const FlowQuery &query, QLatin1StringView likeOperator)
{
    FlowQueryConditions where;
    if (query.status) {
        where.conditions.append(QStringLiteral("status = ?"));
        where.values.append(toString(*query.status));
    }
    if (!query.type.isEmpty()) {
        where.conditions.append(QStringLiteral("type = ?"));
        where.values.append(query.type);
    }
    if (!query.text.isEmpty()) {
        where.conditions.append(QStringLiteral("(CAST(id AS TEXT) = ? OR args %1 ? ESCAPE '\\')").arg(likeOperator));
        QString pattern = query.text;
        pattern.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
            .replace(QLatin1Char('%'), QLatin1String("\\%"))
            .replace(QLatin1Char('_'), QLatin1String("\\_"));
        where.values.append(query.text);
        where.values.append(QString(QLatin1Char('%') + pattern + QLatin1Char('%')));
    }
    return where;
}

QString flowIdChunkCondition()
{
    static const QString condition = []() -> QString {
        QString placeholders = QStringLiteral("?");
        for (int i = 1; i < flowIdChunkSize; ++i)
            placeholders += QStringLiteral(", ?");
        return QStringLiteral("id IN (") + placeholders + QLatin1Char(')');
    }();
    return condition;
}

Result<QList<FlowRecord>> listFlowsAmongIds(const FlowQuery &query, const FlowChunkReader &read)
{
    QList<qint64> ids = query.ids.value_or(QList<qint64>());
    // A search hands its ids newest first already: sorting is then one pass.
    if (!std::is_sorted(ids.cbegin(), ids.cend(), std::greater<>()))
        std::sort(ids.begin(), ids.end(), std::greater<>());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

    QList<FlowRecord> page;
    qint64 toSkip = std::max(0, query.offset);
    for (qsizetype start = 0; start < ids.size() && page.size() < query.limit; start += flowIdChunkSize) {
        QVariantList chunk;
        chunk.reserve(flowIdChunkSize);
        for (qsizetype i = start; i < start + flowIdChunkSize; ++i)
            chunk.append(i < ids.size() ? ids.at(i) : qint64(0));
        const qint64 wanted = toSkip + (query.limit - page.size());
        auto rows = read(chunk, int(std::min<qint64>(wanted, flowIdChunkSize)));
        if (!rows)
            return rows.error();
        for (FlowRecord &flow : *rows) {
            if (toSkip > 0) {
                --toSkip;
                continue;
            }
            if (page.size() < query.limit)
                page.append(std::move(flow));
        }
    }
    return page;
}

Result<QList<FlowRecord>> listFlows(const FlowQuery &query, const QString &select, QLatin1StringView likeOperator,
                                    const FlowPageReader &read)
{
    // Only the filters in use appear in the SQL, so that the database can use the matching
    // index; each shape is prepared once and kept.
    FlowQueryConditions where = flowQueryConditions(query, likeOperator);
    if (query.ids) {
        where.conditions.prepend(flowIdChunkCondition());
        const QString sql = select + QStringLiteral(" WHERE ") + where.conditions.join(QLatin1String(" AND ")) +
            QStringLiteral(" ORDER BY id DESC LIMIT ?");
        return listFlowsAmongIds(query, [&](const QVariantList &chunk, int limit) {
            QVariantList values = chunk;
            values.append(where.values);
            values.append(limit);
            return read(sql, values);
        });
    }
    QString sql = select;
    if (!where.conditions.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.conditions.join(QLatin1String(" AND "));
    sql += QStringLiteral(" ORDER BY id DESC LIMIT ? OFFSET ?");
    where.values.append(query.limit);
    where.values.append(query.offset);
    return read(sql, where.values);
}

Error unknownStoredValue(const QString &where, const QString &what, const QString &text)
{
    return Error(QStringLiteral("reading %1: %2 '%3' is not one this version knows; the database is damaged, or was "
                                "written by another program")
                     .arg(where, what, text),
                 QStringLiteral("corrupt"));
}

FlowText flowTextFromRow(const QSqlQuery &row)
{
    return FlowText{row.value(0).toLongLong(), row.value(1).toString().toUtf8()};
}

namespace {
QDateTime timeFromValue(const QVariant &value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}
} // namespace

StatusCount statusCountFromRow(const QSqlQuery &row)
{
    return StatusCount{row.value(0).toString(), row.value(1).toLongLong()};
}

Result<QMap<FlowStatus, qint64>> countsByStatus(const QList<StatusCount> &rows, const QString &where)
{
    QMap<FlowStatus, qint64> counts;
    for (const StatusCount &row : rows) {
        const auto status = flowStatusFromString(row.status);
        if (!status)
            return unknownStoredValue(where, QStringLiteral("the flow status"), row.status);
        if (counts.contains(*status)) {
            return Error(QStringLiteral("reading %1: the count of %2 flows came twice; the database is damaged")
                             .arg(where, row.status),
                         QStringLiteral("corrupt"));
        }
        counts.insert(*status, row.count);
    }
    return counts;
}

TimerRecord timerFromRow(const QSqlQuery &row)
{
    return TimerRecord{row.value(0).toLongLong(), row.value(1).toInt(), row.value(2).toString(),
                       row.value(3).toString(), timeFromValue(row.value(4))};
}

StealRecord stealFromRow(const QSqlQuery &row)
{
    return StealRecord{row.value(0).toLongLong(), row.value(1).toString(), row.value(2).toString(),
                       timeFromValue(row.value(3))};
}

std::pair<qint64, QDateTime> dueFromRow(const QSqlQuery &row)
{
    return {row.value(0).toLongLong(), timeFromValue(row.value(1))};
}

QString claimFilterCondition(const ClaimFilter &types, QVariantList &values)
{
    if (types.isEmpty())
        return {};
    QStringList terms;
    for (const ClaimFilter::Entry &entry : types.entries()) {
        terms.append(QStringLiteral("(type = ? AND plugin IN ('', ?))"));
        values << entry.type << entry.plugin;
    }
    return QStringLiteral(" AND (") + terms.join(QStringLiteral(" OR ")) + QLatin1Char(')');
}

} // namespace ergon
