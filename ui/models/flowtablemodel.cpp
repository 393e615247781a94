#include "models/flowtablemodel.h"

#include "models/flowformat.h"

#include <QGuiApplication>
#include <QHash>
#include <QIcon>
#include <QJsonDocument>
#include <QPalette>

#include <algorithm>

namespace ergon {

FlowTableModel::FlowTableModel(QObject *parent)
    : RowMergeModel(parent)
    , m_today(QDate::currentDate())
{
}

FlowTableModel::~FlowTableModel() = default;

bool FlowTableModel::sameRow(const Row &a, const Row &b) const
{
    // Only what the table shows: a row whose visible fields are equal needs no repaint. (A
    // flow's id, type and arguments never change.)
    return a.flow.updated == b.flow.updated && a.flow.status == b.flow.status && a.flow.stepCount == b.flow.stepCount &&
        a.flow.error == b.flow.error && a.flow.created == b.flow.created;
}

int FlowTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const QString &FlowTableModel::argumentsText(const Row &row) const
{
    if (row.argumentsText.isNull()) {
        QString text = row.flow.arguments.isEmpty()
            ? QString(QLatin1String(""))
            : QString::fromUtf8(QJsonDocument(row.flow.arguments).toJson(QJsonDocument::Compact));
        // The braces say nothing in a column of objects.
        if (text.size() >= 2 && text.startsWith(QLatin1Char('{')))
            text = text.mid(1, text.size() - 2);
        row.argumentsText = text.isNull() ? QString(QLatin1String("")) : text;
    }
    return row.argumentsText;
}

QVariant FlowTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const FlowRecord &flow = row.flow;

    switch (role) {
    case FlowIdRole:
        return flow.id;
    case FlowStatusRole:
        return int(flow.status);
    case SortRole:
        switch (index.column()) {
        case IdColumn:
            return flow.id;
        case TypeColumn:
            return flow.type;
        case StatusColumn:
            return toString(flow.status);
        case StepsColumn:
            return flow.stepCount;
        case CreatedColumn:
            return flow.created.toMSecsSinceEpoch();
        case UpdatedColumn:
            return flow.updated.toMSecsSinceEpoch();
        case ArgumentsColumn:
            return argumentsText(row);
        case ErrorColumn:
            return flow.error;
        }
        break;
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return flow.id;
        case TypeColumn:
            return flow.type;
        case StatusColumn:
            return toString(flow.status);
        case StepsColumn:
            return flow.stepCount;
        case CreatedColumn:
            return flowformat::shortTime(flow.created, m_today);
        case UpdatedColumn:
            return flowformat::shortTime(flow.updated, m_today);
        case ArgumentsColumn:
            return argumentsText(row);
        case ErrorColumn:
            return flow.error.section(QLatin1Char('\n'), 0, 0);
        }
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case ErrorColumn:
            if (!flow.error.isEmpty())
                return flow.error;
            break;
        case ArgumentsColumn:
            if (!flow.arguments.isEmpty())
                return flowformat::prettyJson(flow.arguments);
            break;
        case CreatedColumn:
            return flowformat::preciseTime(flow.created);
        case UpdatedColumn:
            return flowformat::preciseTime(flow.updated);
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == StatusColumn)
            return flowformat::statusIcon(flow.status, QGuiApplication::palette());
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn || index.column() == StepsColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant FlowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole)
        return int((section == IdColumn || section == StepsColumn ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("ID");
    case TypeColumn:
        return tr("Type");
    case StatusColumn:
        return tr("Status");
    case StepsColumn:
        return tr("Steps");
    case CreatedColumn:
        return tr("Created");
    case UpdatedColumn:
        return tr("Updated");
    case ArgumentsColumn:
        return tr("Arguments");
    case ErrorColumn:
        return tr("Error");
    }
    return {};
}

bool FlowTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_complete && !m_fetching;
}

void FlowTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_fetching = true;
    Q_EMIT moreRequested();
}

int FlowTableModel::rowOf(qint64 flowId) const
{
    // Newest first: a binary search by id, with a linear fallback for other orders.
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), flowId,
                                     [](const Row &row, qint64 id) { return row.flow.id > id; });
    if (it != m_rows.cend() && it->flow.id == flowId)
        return int(it - m_rows.cbegin());
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).flow.id == flowId)
            return int(i);
    }
    return -1;
}

QList<qint64> FlowTableModel::flowIds() const
{
    QList<qint64> ids;
    ids.reserve(m_rows.size());
    for (const Row &row : m_rows)
        ids.append(row.flow.id);
    return ids;
}

void FlowTableModel::clear()
{
    m_fetching = false;
    m_complete = true;
    if (m_rows.isEmpty())
        return;
    beginRemoveRows({}, 0, int(m_rows.size() - 1));
    m_rows.clear();
    endRemoveRows();
}

void FlowTableModel::setFlows(const QList<FlowRecord> &flows, bool complete)
{
    m_today = QDate::currentDate();
    QList<Row> fresh;
    fresh.reserve(flows.size());
    for (const FlowRecord &flow : flows)
        fresh.append(Row{flow, QString()});
    mergeRows(fresh);
    m_complete = complete;
    m_fetching = false;
}

void FlowTableModel::appendFlows(const QList<FlowRecord> &flows, bool complete)
{
    // The page was read at an offset; flows inserted or gone above it since the window was
    // read shift it, so it may overlap the rows or leave a gap. The overlap is merged here; the
    // gap closes at the next refresh, which reads the whole window again.
    QList<FlowRecord> fresh;
    bool inOrder = true;
    qint64 lastId = m_rows.isEmpty() ? std::numeric_limits<qint64>::max() : m_rows.constLast().flow.id;
    for (const FlowRecord &flow : flows) {
        const int existing = rowOf(flow.id);
        if (existing >= 0) {
            if (!sameRow(m_rows.at(existing), Row{flow, QString()})) {
                m_rows[existing].flow = flow;
                Q_EMIT dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
            }
            continue;
        }
        inOrder = inOrder && flow.id < lastId;
        lastId = flow.id;
        fresh.append(flow);
    }
    if (fresh.isEmpty()) {
        m_complete = complete;
        m_fetching = false;
        return;
    }
    if (!inOrder) {
        QList<FlowRecord> merged;
        merged.reserve(m_rows.size() + fresh.size());
        for (const Row &row : std::as_const(m_rows))
            merged.append(row.flow);
        merged.append(fresh);
        std::stable_sort(merged.begin(), merged.end(),
                         [](const FlowRecord &a, const FlowRecord &b) { return a.id > b.id; });
        setFlows(merged, complete);
        return;
    }
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    m_rows.reserve(m_rows.size() + fresh.size());
    for (const FlowRecord &flow : std::as_const(fresh))
        m_rows.append(Row{flow, QString()});
    endInsertRows();
    m_complete = complete;
    m_fetching = false;
}

} // namespace ergon
