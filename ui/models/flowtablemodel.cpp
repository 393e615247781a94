#include "models/flowtablemodel.h"

#include "models/flowformat.h"

#include <QGuiApplication>
#include <QHash>
#include <QIcon>
#include <QJsonDocument>
#include <QPalette>

#include <algorithm>

namespace ergon {

namespace {

// Only what the table shows: a row whose visible fields are equal needs no repaint. (A flow's
// id, type and arguments never change.)
bool sameRow(const FlowRecord &a, const FlowRecord &b)
{
    return a.updated == b.updated && a.status == b.status && a.stepCount == b.stepCount && a.error == b.error &&
        a.created == b.created;
}

} // namespace

FlowTableModel::FlowTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_today(QDate::currentDate())
{
}

FlowTableModel::~FlowTableModel() = default;

int FlowTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
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
    QHash<qint64, qsizetype> newPosition;
    newPosition.reserve(flows.size());
    for (qsizetype i = 0; i < flows.size(); ++i)
        newPosition.insert(flows.at(i).id, i);

    // 1. Remove the rows whose flow is gone, a contiguous run at a time, from the bottom up.
    for (qsizetype last = m_rows.size() - 1; last >= 0; --last) {
        if (newPosition.contains(m_rows.at(last).flow.id))
            continue;
        qsizetype first = last;
        while (first > 0 && !newPosition.contains(m_rows.at(first - 1).flow.id))
            --first;
        beginRemoveRows({}, int(first), int(last));
        m_rows.remove(first, last - first + 1);
        endRemoveRows();
        last = first;
    }

    // 2. The list is ordered newest first, so the remaining rows keep their relative order. If
    //    they did not (another order), move them with a layout change that carries the
    //    persistent indexes, and with them the selection.
    const auto before = [&newPosition](const Row &a, const Row &b) {
        return newPosition.value(a.flow.id) < newPosition.value(b.flow.id);
    };
    if (!std::is_sorted(m_rows.cbegin(), m_rows.cend(), before)) {
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        const QModelIndexList oldIndexes = persistentIndexList();
        QList<qint64> oldIds;
        oldIds.reserve(oldIndexes.size());
        for (const QModelIndex &index : oldIndexes)
            oldIds.append(m_rows.at(index.row()).flow.id);
        std::stable_sort(m_rows.begin(), m_rows.end(), before);
        QHash<qint64, int> row;
        for (int i = 0; i < m_rows.size(); ++i)
            row.insert(m_rows.at(i).flow.id, i);
        QModelIndexList newIndexes;
        newIndexes.reserve(oldIndexes.size());
        for (qsizetype i = 0; i < oldIndexes.size(); ++i)
            newIndexes.append(index(row.value(oldIds.at(i)), oldIndexes.at(i).column()));
        changePersistentIndexList(oldIndexes, newIndexes);
        Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    }

    // 3. The rows are now a subsequence of flows, in order: walk both, inserting the runs of new
    //    flows and updating the rows that changed (one dataChanged per contiguous run).
    qsizetype row = 0;
    qsizetype changedFirst = -1;
    const auto flushChanged = [&](qsizetype end) {
        if (changedFirst < 0)
            return;
        Q_EMIT dataChanged(index(int(changedFirst), 0), index(int(end - 1), ColumnCount - 1));
        changedFirst = -1;
    };
    for (qsizetype i = 0; i < flows.size();) {
        if (row < m_rows.size() && m_rows.at(row).flow.id == flows.at(i).id) {
            if (sameRow(m_rows.at(row).flow, flows.at(i))) {
                flushChanged(row);
            } else {
                if (changedFirst < 0)
                    changedFirst = row;
                m_rows[row].flow = flows.at(i); // the arguments (and their text) stay
            }
            ++row;
            ++i;
            continue;
        }
        flushChanged(row);
        qsizetype end = i;
        while (end < flows.size() && (row >= m_rows.size() || flows.at(end).id != m_rows.at(row).flow.id))
            ++end;
        beginInsertRows({}, int(row), int(row + end - i - 1));
        QList<Row> inserted;
        inserted.reserve(end - i);
        for (qsizetype k = i; k < end; ++k)
            inserted.append(Row{flows.at(k), QString()});
        m_rows.insert(row, end - i, Row());
        std::move(inserted.begin(), inserted.end(), m_rows.begin() + row);
        endInsertRows();
        row += end - i;
        i = end;
    }
    flushChanged(row);
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
            if (!sameRow(m_rows.at(existing).flow, flow)) {
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
