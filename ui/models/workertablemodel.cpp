#include "models/workertablemodel.h"

#include "models/consoleformat.h"
#include "session/consolesnapshot.h"

#include <QFont>
#include <QGuiApplication>

namespace ergon {

WorkerTableModel::WorkerTableModel(QObject *parent)
    : RowMergeModel(parent)
    , m_palette(QGuiApplication::palette())
{
}

WorkerTableModel::~WorkerTableModel() = default;

int WorkerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool WorkerTableModel::sameRow(const WorkerRecord &a, const WorkerRecord &b) const
{
    // The heartbeat moves at every beat: compared too, as its age is shown.
    return a.heartbeat == b.heartbeat && a.status == b.status && a.inFlight == b.inFlight &&
        a.completed == b.completed && a.failed == b.failed && a.steals == b.steals && a.host == b.host &&
        a.pid == b.pid && a.concurrency == b.concurrency && a.leaseMs == b.leaseMs;
}

WorkerStatus WorkerTableModel::status(int row) const
{
    return effectiveStatus(m_rows.at(row), m_now);
}

QVariant WorkerTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const WorkerRecord &worker = m_rows.at(index.row());
    const WorkerStatus status = effectiveStatus(worker, m_now);
    const bool local = m_local.contains(worker.id);
    const auto age = std::chrono::milliseconds(worker.heartbeat.isValid() ? worker.heartbeat.msecsTo(m_now) : 0);

    switch (role) {
    case NameRole:
        return worker.name;
    case StatusRole:
        return int(status);
    case LocalRole:
        return local;
    case SortRole:
        switch (index.column()) {
        case PidColumn:
            return worker.pid;
        case StatusColumn:
            return int(status);
        case HeartbeatColumn:
            return qint64(age.count());
        case ConcurrencyColumn:
            return worker.concurrency;
        case InFlightColumn:
            return worker.inFlight;
        case CompletedColumn:
            return worker.completed;
        case FailedColumn:
            return worker.failed;
        case StealsColumn:
            return worker.steals;
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return worker.name;
        case HostColumn:
            return worker.host;
        case PidColumn:
            return worker.pid;
        case StatusColumn:
            if (local && m_stopping.contains(worker.id) && status == WorkerStatus::Alive)
                return tr("stopping");
            return toString(status);
        case HeartbeatColumn:
            return worker.heartbeat.isValid() ? style::ago(age) : QString();
        case ConcurrencyColumn:
            return worker.concurrency;
        case InFlightColumn:
            return status == WorkerStatus::Alive ? style::count(worker.inFlight) : QStringLiteral("–");
        case CompletedColumn:
            return style::count(worker.completed);
        case FailedColumn:
            return style::count(worker.failed);
        case StealsColumn:
            return style::count(worker.steals);
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == StatusColumn)
            return style::dot(style::workerStatusColor(status, m_palette));
        break;
    case Qt::ForegroundRole:
        if (status == WorkerStatus::Stopped)
            return style::mutedText(m_palette);
        if (index.column() == StatusColumn && status == WorkerStatus::Lost)
            return style::workerStatusColor(status, m_palette);
        if (index.column() == FailedColumn && worker.failed > 0)
            return style::statusColor(FlowStatus::Failed, m_palette);
        break;
    case Qt::FontRole:
        if (local && index.column() == NameColumn) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case NameColumn:
            return local ? tr("%1 runs in this console").arg(worker.name) : worker.name;
        case StatusColumn:
            if (status == WorkerStatus::Lost)
                return tr("No heartbeat for %1 (lease: %2): its flows go to other workers when their leases expire.")
                    .arg(style::duration(age), style::duration(std::chrono::milliseconds(worker.leaseMs)));
            break;
        case HeartbeatColumn:
            return worker.heartbeat.toUTC().toString(Qt::ISODateWithMs);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() >= PidColumn && index.column() != StatusColumn && index.column() != HeartbeatColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant WorkerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole)
        return section >= PidColumn && section != StatusColumn && section != HeartbeatColumn
            ? int(Qt::AlignRight | Qt::AlignVCenter)
            : int(Qt::AlignLeft | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && section == ConcurrencyColumn)
        return tr("Concurrency: the flows the worker runs at once");
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Worker");
    case HostColumn:
        return tr("Host");
    case PidColumn:
        return tr("PID");
    case StatusColumn:
        return tr("Status");
    case HeartbeatColumn:
        return tr("Heartbeat");
    case ConcurrencyColumn:
        return tr("At once"); // "Concurrency" would make the column wide for a number
    case InFlightColumn:
        return tr("In flight");
    case CompletedColumn:
        return tr("Completed");
    case FailedColumn:
        return tr("Failed");
    case StealsColumn:
        return tr("Steals");
    }
    return {};
}

void WorkerTableModel::setSnapshot(const ConsoleSnapshot &snapshot)
{
    const bool moved = m_now != snapshot.taken;
    m_now = snapshot.taken;
    mergeRows(snapshot.workers);
    // Ages and effective statuses move with the clock even when no row changed.
    if (moved) {
        columnChanged(StatusColumn);
        columnChanged(HeartbeatColumn);
    }
}

void WorkerTableModel::setLocalRuns(const QSet<qint64> &runs, const QSet<qint64> &stopping)
{
    if (runs == m_local && stopping == m_stopping)
        return;
    m_local = runs;
    m_stopping = stopping;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

void WorkerTableModel::setPalette(const QPalette &palette)
{
    m_palette = palette;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

} // namespace ergon
