#include "models/failurelistmodel.h"

#include "session/consolesnapshot.h"
#include "models/consoleformat.h"

namespace ergon {

FailureListModel::FailureListModel(QObject *parent)
    : RowMergeModel(parent)
{
}

FailureListModel::~FailureListModel() = default;

int FailureListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool FailureListModel::sameRow(const FlowRecord &a, const FlowRecord &b) const
{
    return a.updated == b.updated && a.error == b.error && a.type == b.type;
}

QVariant FailureListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FlowRecord &flow = m_rows.at(index.row());
    const QDateTime when = flow.finished.isValid() ? flow.finished : flow.updated;
    switch (role) {
    case FlowIdRole:
        return flow.id;
    case Qt::DisplayRole:
        switch (index.column()) {
        case FlowColumn:
            return flow.id;
        case TypeColumn:
            return flow.type;
        case WhenColumn:
            return when.isValid() ? style::ago(std::chrono::milliseconds(when.msecsTo(m_now))) : QString();
        case ErrorColumn:
            return flow.error.section(QLatin1Char('\n'), 0, 0);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == ErrorColumn)
            return flow.error;
        if (index.column() == WhenColumn)
            return when.toUTC().toString(Qt::ISODateWithMs);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == FlowColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant FailureListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole)
        return section == FlowColumn ? int(Qt::AlignRight | Qt::AlignVCenter) : int(Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case FlowColumn:
        return tr("Flow");
    case TypeColumn:
        return tr("Type");
    case WhenColumn:
        return tr("Failed");
    case ErrorColumn:
        return tr("Error");
    }
    return {};
}

void FailureListModel::setSnapshot(const ConsoleSnapshot &snapshot)
{
    const bool moved = m_now != snapshot.taken;
    m_now = snapshot.taken;
    mergeRows(snapshot.latestFailures);
    if (moved)
        columnChanged(WhenColumn);
}

} // namespace ergon
