#include "models/flowstepsmodel.h"

#include "models/consoleformat.h"
#include "models/flowformat.h"

#include <QGuiApplication>
#include <QPalette>

namespace ergon {

namespace {

// A step's row is addressed with internal id 0; an attempt's row with its step's row + 1.
constexpr quintptr stepLevel = 0;

bool sameStep(const StepRecord &a, const StepRecord &b)
{
    return a.seq == b.seq && a.name == b.name && a.status == b.status && a.attempts == b.attempts &&
        a.error == b.error && a.worker == b.worker && a.finished == b.finished && a.nextAttemptAt == b.nextAttemptAt &&
        a.attemptStarted == b.attemptStarted && a.attemptLog.size() == b.attemptLog.size();
}

QString stepStatusText(const StepRecord &step)
{
    if (step.kind == StepKind::Timer && step.status != StepStatus::Completed)
        return FlowStepsModel::tr("waiting");
    return toString(step.status);
}

QString attemptStatusText(const AttemptRecord &attempt)
{
    if (!attempt.error.isEmpty())
        return toString(StepStatus::Failed);
    return attempt.finished.isValid() ? toString(StepStatus::Completed) : toString(StepStatus::Running);
}

StepStatus attemptStatus(const AttemptRecord &attempt)
{
    if (!attempt.error.isEmpty())
        return StepStatus::Failed;
    return attempt.finished.isValid() ? StepStatus::Completed : StepStatus::Running;
}

QDateTime endOrNow(const QDateTime &finished, const QDateTime &now)
{
    return finished.isValid() ? finished : now;
}

} // namespace

std::chrono::milliseconds FlowStepsModel::timeInAttempts(const StepRecord &step, const QDateTime &now)
{
    // Without its log (not read), the step's span is all there is to show.
    if (step.attemptLog.isEmpty() && step.status != StepStatus::Running)
        return std::chrono::milliseconds(step.started.msecsTo(endOrNow(step.finished, now)));
    qint64 ms = 0;
    bool current = false;
    for (const AttemptRecord &attempt : step.attemptLog) {
        if (attempt.started.isValid())
            ms += std::max<qint64>(0, attempt.started.msecsTo(endOrNow(attempt.finished, now)));
        current = current || attempt.number == step.attempts;
    }
    // The attempt running now is not in the log yet.
    if (step.status == StepStatus::Running && !current) {
        const QDateTime started = step.attemptStarted.isValid() ? step.attemptStarted : step.started;
        if (started.isValid())
            ms += std::max<qint64>(0, started.msecsTo(now));
    }
    return std::chrono::milliseconds(ms);
}

FlowStepsModel::FlowStepsModel(QObject *parent)
    : QAbstractItemModel(parent)
{
}

FlowStepsModel::~FlowStepsModel() = default;

qsizetype FlowStepsModel::childCount(const StepRecord &step)
{
    // One attempt says nothing the step's row does not; more tell the story of the retries.
    return step.attemptLog.size() > 1 ? step.attemptLog.size() : 0;
}

QModelIndex FlowStepsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_steps.size() ? createIndex(row, column, stepLevel) : QModelIndex();
    if (parent.internalId() != stepLevel || parent.row() >= m_steps.size())
        return {};
    if (row >= childCount(m_steps.at(parent.row())))
        return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex FlowStepsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == stepLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, stepLevel);
}

int FlowStepsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_steps.size());
    if (parent.internalId() != stepLevel || parent.column() != 0)
        return 0;
    return int(childCount(m_steps.at(parent.row())));
}

int FlowStepsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant FlowStepsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == stepLevel)
        return stepData(m_steps.at(index.row()), index.column(), role);
    const StepRecord &step = m_steps.at(qsizetype(index.internalId() - 1));
    return attemptData(step, step.attemptLog.at(index.row()), index.column(), role);
}

QVariant FlowStepsModel::stepData(const StepRecord &step, int column, int role) const
{
    switch (role) {
    case StepStatusRole:
        return int(step.status);
    case IsAttemptRole:
        return false;
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            if (step.occurrence > 0)
                return QStringLiteral("%1 #%2").arg(step.name).arg(step.occurrence + 1);
            return step.name;
        case StatusColumn:
            return stepStatusText(step);
        case WorkerColumn:
            return step.worker;
        case AttemptsColumn:
            return step.kind == StepKind::Timer ? QVariant() : QVariant(step.attempts);
        case DurationColumn:
            if (step.kind == StepKind::Timer)
                return style::duration(step.started, step.nextAttemptAt.isValid() ? step.nextAttemptAt : step.finished);
            // The time its attempts took, not the idle time between a failure and a retry.
            return style::duration(timeInAttempts(step, m_now));
        case ErrorColumn:
            return step.error.section(QLatin1Char('\n'), 0, 0);
        }
        break;
    case Qt::ToolTipRole:
        switch (column) {
        case NameColumn:
            return step.kind == StepKind::Timer
                ? tr("Durable timer, fires at %1").arg(flowformat::preciseTime(step.nextAttemptAt))
                : tr("Step %1 of the run").arg(step.seq + 1);
        case DurationColumn: {
            QString text = tr("Started %1\nFinished %2")
                               .arg(flowformat::preciseTime(step.started),
                                    step.finished.isValid() ? flowformat::preciseTime(step.finished) : tr("—"));
            if (step.kind == StepKind::Step && step.attempts > 1)
                text = tr("%1 in %2 attempts, %3 from the first start to the end")
                           .arg(style::duration(timeInAttempts(step, m_now)))
                           .arg(step.attempts)
                           .arg(style::duration(step.started, endOrNow(step.finished, m_now))) +
                    QLatin1Char('\n') + text;
            return text;
        }
        case ErrorColumn:
            return step.error.isEmpty() ? QVariant() : QVariant(step.error);
        }
        break;
    case Qt::DecorationRole:
        if (column == StatusColumn) {
            const QPalette palette = QGuiApplication::palette();
            if (step.kind == StepKind::Timer && step.status != StepStatus::Completed)
                return flowformat::statusIcon(FlowStatus::Waiting, palette);
            switch (step.status) {
            case StepStatus::Running:
                return flowformat::statusIcon(FlowStatus::Running, palette);
            case StepStatus::Retrying:
                return flowformat::statusIcon(FlowStatus::Waiting, palette);
            case StepStatus::Completed:
                return flowformat::statusIcon(FlowStatus::Completed, palette);
            case StepStatus::Failed:
                return flowformat::statusIcon(FlowStatus::Failed, palette);
            }
        }
        break;
    case Qt::TextAlignmentRole:
        if (column == AttemptsColumn || column == DurationColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant FlowStepsModel::attemptData(const StepRecord &, const AttemptRecord &attempt, int column, int role) const
{
    switch (role) {
    case StepStatusRole:
        return int(attemptStatus(attempt));
    case IsAttemptRole:
        return true;
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return tr("attempt %1").arg(attempt.number);
        case StatusColumn:
            return attemptStatusText(attempt);
        case WorkerColumn:
            return attempt.worker;
        case DurationColumn:
            return style::duration(attempt.started, attempt.finished.isValid() ? attempt.finished : m_now);
        case ErrorColumn:
            return attempt.error.section(QLatin1Char('\n'), 0, 0);
        }
        break;
    case Qt::ToolTipRole:
        if (column == ErrorColumn && !attempt.error.isEmpty())
            return attempt.error;
        if (column == DurationColumn)
            return tr("Started %1").arg(flowformat::preciseTime(attempt.started));
        break;
    case Qt::DecorationRole:
        if (column == StatusColumn) {
            const QPalette palette = QGuiApplication::palette();
            switch (attemptStatus(attempt)) {
            case StepStatus::Failed:
                return flowformat::statusIcon(FlowStatus::Failed, palette);
            case StepStatus::Completed:
                return flowformat::statusIcon(FlowStatus::Completed, palette);
            default:
                return flowformat::statusIcon(FlowStatus::Running, palette);
            }
        }
        break;
    case Qt::TextAlignmentRole:
        if (column == DurationColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant FlowStepsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Step");
    case StatusColumn:
        return tr("Status");
    case WorkerColumn:
        return tr("Worker");
    case AttemptsColumn:
        return tr("Tries");
    case DurationColumn:
        return tr("Duration");
    case ErrorColumn:
        return tr("Error");
    }
    return {};
}

void FlowStepsModel::clear()
{
    if (m_flowId == 0 && m_steps.isEmpty())
        return;
    beginResetModel();
    m_flowId = 0;
    m_steps.clear();
    endResetModel();
}

void FlowStepsModel::setSteps(qint64 flowId, const QList<StepRecord> &steps, const QDateTime &now)
{
    m_now = now;
    if (flowId != m_flowId) {
        beginResetModel();
        m_flowId = flowId;
        m_steps = steps;
        endResetModel();
        return;
    }

    // Steps past the new end go (a flow is not expected to lose steps, but the log decides).
    if (steps.size() < m_steps.size()) {
        beginRemoveRows({}, int(steps.size()), int(m_steps.size() - 1));
        m_steps.resize(steps.size());
        endRemoveRows();
    }
    // The steps both lists have: update in place, growing or shrinking their attempt rows.
    for (qsizetype i = 0; i < m_steps.size(); ++i) {
        const StepRecord &next = steps.at(i);
        const bool running = !m_steps.at(i).finished.isValid();
        if (sameStep(m_steps.at(i), next) && !running)
            continue;
        const QModelIndex parent = index(int(i), 0);
        const qsizetype oldChildren = childCount(m_steps.at(i));
        const qsizetype newChildren = childCount(next);
        if (newChildren < oldChildren) {
            beginRemoveRows(parent, int(newChildren), int(oldChildren - 1));
            m_steps[i] = next;
            endRemoveRows();
        } else if (newChildren > oldChildren) {
            beginInsertRows(parent, int(oldChildren), int(newChildren - 1));
            m_steps[i] = next;
            endInsertRows();
        } else {
            m_steps[i] = next;
        }
        Q_EMIT dataChanged(index(int(i), 0), index(int(i), ColumnCount - 1));
        const qsizetype kept = std::min(oldChildren, newChildren);
        if (kept > 0)
            Q_EMIT dataChanged(index(0, 0, parent), index(int(kept - 1), ColumnCount - 1, parent));
    }
    if (steps.size() > m_steps.size()) {
        beginInsertRows({}, int(m_steps.size()), int(steps.size() - 1));
        m_steps.append(steps.mid(m_steps.size()));
        endInsertRows();
    }
}

} // namespace ergon
