#pragma once

#include "models/rowmergemodel.h"

#include "ergon/records.h"

#include <QDateTime>

#include <functional>
#include <utility>

class QTimer;

namespace ergon {

struct ConsoleSnapshot;

/// The pending durable timers of the latest snapshot, earliest first, with a countdown that
/// ticks every second on the GUI thread from the snapshot's fire times: no read per tick.
class TimerTableModel : public RowMergeModel<TimerRecord, std::pair<qint64, int>>
{
    Q_OBJECT

public:
    enum Column { FlowColumn, TypeColumn, NameColumn, FireAtColumn, CountdownColumn, ColumnCount };
    enum Role {
        FlowIdRole = Qt::UserRole + 1, ///< qint64
        RemainingRole,                 ///< qint64 milliseconds until it fires (0 when due)
        SortRole,
    };

    using Now = std::function<QDateTime()>;

    explicit TimerTableModel(QObject *parent = nullptr);
    ~TimerTableModel() override;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setSnapshot(const ConsoleSnapshot &snapshot);
    /// Where the countdown reads the time (default: the system clock, UTC).
    void setNow(Now now);
    /// Repaints the countdowns; called every second while there are rows.
    void tick();

    /// "42 s", "3 min 12 s", "due": whole seconds, rounded up, as a countdown reads.
    static QString countdownText(qint64 remainingMs);

protected:
    std::pair<qint64, int> keyOf(const TimerRecord &row) const override { return {row.flowId, row.seq}; }
    bool sameRow(const TimerRecord &a, const TimerRecord &b) const override;

private:
    qint64 remainingMs(const TimerRecord &timer) const;

    Now m_now;
    QDateTime m_current;
    QTimer *m_ticker;
};

} // namespace ergon
