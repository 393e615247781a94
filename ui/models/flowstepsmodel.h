#pragma once

#include "ergon/records.h"

#include <QAbstractItemModel>
#include <QDateTime>
#include <QList>

#include <chrono>

namespace ergon {

/// The steps of one flow as a tree: a row per step (or durable timer) with its status, worker,
/// attempts, duration and error; under a step that took more than one attempt, a row per
/// attempt with its own worker, duration and error. A thin model: a new snapshot of the same
/// flow updates the rows in place (steps and attempts only ever grow), so expanded rows and the
/// selection stay.
class FlowStepsModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, StatusColumn, WorkerColumn, AttemptsColumn, DurationColumn, ErrorColumn, ColumnCount };
    enum Role {
        StepStatusRole = Qt::UserRole + 1, ///< ergon::StepStatus as int
        IsAttemptRole,                     ///< bool
    };

    explicit FlowStepsModel(QObject *parent = nullptr);
    ~FlowStepsModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    qint64 flowId() const { return m_flowId; }
    /// The time a step spent in its attempts, the one running at `now` included: the
    /// Duration column. The idle time between a failed attempt and the next (a back-off, or
    /// days until someone pressed Retry) is not in it.
    static std::chrono::milliseconds timeInAttempts(const StepRecord &step, const QDateTime &now);
    const QList<StepRecord> &steps() const { return m_steps; }

public Q_SLOTS:
    /// The steps of a flow as read at `now` (running steps show their time so far).
    void setSteps(qint64 flowId, const QList<ergon::StepRecord> &steps, const QDateTime &now);
    void clear();

private:
    QVariant stepData(const StepRecord &step, int column, int role) const;
    QVariant attemptData(const StepRecord &step, const AttemptRecord &attempt, int column, int role) const;
    static qsizetype childCount(const StepRecord &step);

    qint64 m_flowId = 0;
    QList<StepRecord> m_steps;
    QDateTime m_now;
};

} // namespace ergon
