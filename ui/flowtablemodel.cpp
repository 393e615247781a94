#include "flowtablemodel.h"

#include "flowlistsnapshot.h"

#include <QHash>
#include <QPainter>
#include <QPixmap>

#include <algorithm>

namespace ergon {

namespace {

// Only what the table shows: a row whose visible fields are equal needs no repaint.
bool sameRow(const FlowRecord &a, const FlowRecord &b)
{
    return a.updated == b.updated && a.status == b.status && a.type == b.type && a.error == b.error;
}

QColor statusColor(FlowStatus status)
{
    switch (status) {
    case FlowStatus::Pending:
        return QColor(0x8a, 0x94, 0xa6);
    case FlowStatus::Running:
        return QColor(0x2f, 0x80, 0xed);
    case FlowStatus::Waiting:
        return QColor(0xe0, 0xa1, 0x1b);
    case FlowStatus::Completed:
        return QColor(0x2e, 0xa0, 0x5a);
    case FlowStatus::Failed:
        return QColor(0xd6, 0x45, 0x45);
    case FlowStatus::Cancelled:
        return QColor(0x6b, 0x72, 0x80);
    }
    return {};
}

} // namespace

FlowTableModel::FlowTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

FlowTableModel::~FlowTableModel() = default;

int FlowTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_flows.size());
}

int FlowTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FlowTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FlowRecord &flow = m_flows.at(index.row());

    switch (role) {
    case FlowIdRole:
        return flow.id;
    case FlowStatusRole:
        return int(flow.status);
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return flow.id;
        case TypeColumn:
            return flow.type;
        case StatusColumn:
            return toString(flow.status);
        case UpdatedColumn:
            return flow.updated.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case ErrorColumn:
            return flow.error.section(QLatin1Char('\n'), 0, 0);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == ErrorColumn && !flow.error.isEmpty())
            return flow.error;
        if (index.column() == UpdatedColumn)
            return flow.updated.toUTC().toString(Qt::ISODateWithMs);
        break;
    case Qt::DecorationRole:
        if (index.column() == StatusColumn)
            return statusIcon(flow.status);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant FlowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("ID");
    case TypeColumn:
        return tr("Type");
    case StatusColumn:
        return tr("Status");
    case UpdatedColumn:
        return tr("Updated");
    case ErrorColumn:
        return tr("Error");
    }
    return {};
}

void FlowTableModel::setSnapshot(const FlowListSnapshot &snapshot)
{
    setFlows(snapshot.flows);
}

void FlowTableModel::setFlows(const QList<FlowRecord> &flows)
{
    QHash<qint64, qsizetype> newPosition;
    newPosition.reserve(flows.size());
    for (qsizetype i = 0; i < flows.size(); ++i)
        newPosition.insert(flows.at(i).id, i);

    // 1. Remove the rows whose flow is gone, a contiguous run at a time, from the bottom up.
    for (qsizetype last = m_flows.size() - 1; last >= 0; --last) {
        if (newPosition.contains(m_flows.at(last).id))
            continue;
        qsizetype first = last;
        while (first > 0 && !newPosition.contains(m_flows.at(first - 1).id))
            --first;
        beginRemoveRows({}, int(first), int(last));
        m_flows.remove(first, last - first + 1);
        endRemoveRows();
        last = first;
    }

    // 2. The list is ordered newest first, so the remaining rows keep their relative order. If
    //    they did not (another sort order), move them with a layout change that carries the
    //    persistent indexes, and with them the selection.
    const auto before = [&newPosition](const FlowRecord &a, const FlowRecord &b) {
        return newPosition.value(a.id) < newPosition.value(b.id);
    };
    if (!std::is_sorted(m_flows.cbegin(), m_flows.cend(), before)) {
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        const QModelIndexList oldIndexes = persistentIndexList();
        QList<qint64> oldIds;
        oldIds.reserve(oldIndexes.size());
        for (const QModelIndex &index : oldIndexes)
            oldIds.append(m_flows.at(index.row()).id);
        std::stable_sort(m_flows.begin(), m_flows.end(), before);
        QHash<qint64, int> row;
        for (int i = 0; i < m_flows.size(); ++i)
            row.insert(m_flows.at(i).id, i);
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
        if (row < m_flows.size() && m_flows.at(row).id == flows.at(i).id) {
            if (sameRow(m_flows.at(row), flows.at(i))) {
                flushChanged(row);
            } else if (changedFirst < 0) {
                changedFirst = row;
            }
            m_flows[row] = flows.at(i);
            ++row;
            ++i;
            continue;
        }
        flushChanged(row);
        qsizetype end = i;
        while (end < flows.size() && (row >= m_flows.size() || flows.at(end).id != m_flows.at(row).id))
            ++end;
        beginInsertRows({}, int(row), int(row + end - i - 1));
        m_flows.insert(row, end - i, FlowRecord());
        std::copy(flows.cbegin() + i, flows.cbegin() + end, m_flows.begin() + row);
        endInsertRows();
        row += end - i;
        i = end;
    }
    flushChanged(row);
}

QIcon FlowTableModel::statusIcon(FlowStatus status) const
{
    QIcon &icon = m_statusIcons.at(std::size_t(status));
    if (icon.isNull()) {
        QPixmap pixmap(32, 32);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(statusColor(status));
        painter.drawEllipse(QRectF(8, 8, 16, 16));
        painter.end();
        icon = QIcon(pixmap);
    }
    return icon;
}

} // namespace ergon
