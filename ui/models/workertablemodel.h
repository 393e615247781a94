#pragma once

#include "models/rowmergemodel.h"

#include "ergon/records.h"

#include <QDateTime>
#include <QPalette>
#include <QSet>

namespace ergon {

struct ConsoleSnapshot;

/// Every worker of the latest snapshot, one row each, in the log's order (by name). A thin
/// model: it only holds values; heartbeat ages are as of the snapshot's time. Workers that run
/// in this console are marked (bold, and "stopping" while they wind down).
class WorkerTableModel : public RowMergeModel<WorkerRecord, qint64>
{
    Q_OBJECT

public:
    enum Column {
        NameColumn,
        HostColumn,
        PidColumn,
        StatusColumn,
        HeartbeatColumn,
        ConcurrencyColumn,
        InFlightColumn,
        CompletedColumn,
        FailedColumn,
        StealsColumn,
        ColumnCount
    };
    enum Role {
        NameRole = Qt::UserRole + 1, ///< QString
        StatusRole,                  ///< ergon::WorkerStatus as int, effective as of the snapshot
        LocalRole,                   ///< bool: runs in this console
        SortRole,                    ///< numbers as numbers, for a sort proxy
    };

    explicit WorkerTableModel(QObject *parent = nullptr);
    ~WorkerTableModel() override;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setSnapshot(const ConsoleSnapshot &snapshot);
    /// The workers running in this process, and those of them stopping.
    /// The runs (WorkerRecord::id) this console runs, and those of them stopping.
    void setLocalRuns(const QSet<qint64> &runs, const QSet<qint64> &stopping);
    /// The palette the status colours are chosen for.
    void setPalette(const QPalette &palette);

    WorkerStatus status(int row) const;

protected:
    qint64 keyOf(const WorkerRecord &row) const override { return row.id; } // a run: a name may be reused
    bool sameRow(const WorkerRecord &a, const WorkerRecord &b) const override;

private:
    QDateTime m_now;
    QSet<qint64> m_local;
    QSet<qint64> m_stopping;
    QPalette m_palette;
};

} // namespace ergon
