#include "models/timertablemodel.h"

#include "session/consolesnapshot.h"
#include "models/consoleformat.h"

#include <QTimer>

namespace ergon {

TimerTableModel::TimerTableModel(QObject *parent)
    : RowMergeModel(parent)
    , m_now([] { return QDateTime::currentDateTimeUtc(); })
    , m_ticker(new QTimer(this))
{
    m_ticker->setInterval(1000);
    m_ticker->setTimerType(Qt::CoarseTimer);
    connect(m_ticker, &QTimer::timeout, this, &TimerTableModel::tick);
    m_current = m_now();
}

TimerTableModel::~TimerTableModel() = default;

int TimerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool TimerTableModel::sameRow(const TimerRecord &a, const TimerRecord &b) const
{
    return a.fireAt == b.fireAt && a.name == b.name && a.flowType == b.flowType;
}

qint64 TimerTableModel::remainingMs(const TimerRecord &timer) const
{
    return std::max<qint64>(0, m_current.msecsTo(timer.fireAt));
}

QString TimerTableModel::countdownText(qint64 remainingMs)
{
    if (remainingMs <= 0)
        return tr("due");
    // Rounded up: "1 s" until the very moment it fires, as a countdown reads.
    const qint64 seconds = (remainingMs + 999) / 1000;
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    return style::duration(std::chrono::seconds(seconds));
}

QVariant TimerTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TimerRecord &timer = m_rows.at(index.row());
    switch (role) {
    case FlowIdRole:
        return timer.flowId;
    case RemainingRole:
        return remainingMs(timer);
    case SortRole:
        switch (index.column()) {
        case FlowColumn:
            return timer.flowId;
        case FireAtColumn:
        case CountdownColumn:
            return timer.fireAt.toMSecsSinceEpoch();
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case FlowColumn:
            return timer.flowId;
        case TypeColumn:
            return timer.flowType;
        case NameColumn:
            return timer.name;
        case FireAtColumn:
            return style::localTime(timer.fireAt, m_current);
        case CountdownColumn:
            return countdownText(remainingMs(timer));
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == FireAtColumn)
            return timer.fireAt.toUTC().toString(Qt::ISODateWithMs);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == FlowColumn || index.column() == CountdownColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant TimerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole)
        return section == FlowColumn || section == CountdownColumn ? int(Qt::AlignRight | Qt::AlignVCenter)
                                                                   : int(Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case FlowColumn:
        return tr("Flow");
    case TypeColumn:
        return tr("Type");
    case NameColumn:
        return tr("Timer");
    case FireAtColumn:
        return tr("Fires at");
    case CountdownColumn:
        return tr("Fires in");
    }
    return {};
}

void TimerTableModel::setSnapshot(const ConsoleSnapshot &snapshot)
{
    m_current = m_now();
    mergeRows(snapshot.timers);
    columnChanged(CountdownColumn, {Qt::DisplayRole, RemainingRole});
    if (m_rows.isEmpty())
        m_ticker->stop();
    else if (!m_ticker->isActive())
        m_ticker->start();
}

void TimerTableModel::setNow(Now now)
{
    m_now = std::move(now);
    m_current = m_now();
}

void TimerTableModel::tick()
{
    m_current = m_now();
    columnChanged(CountdownColumn, {Qt::DisplayRole, RemainingRole});
}

} // namespace ergon
