#pragma once

#include "models/rowmergemodel.h"

#include "ergon/records.h"

#include <QDateTime>

namespace ergon {

struct ConsoleSnapshot;

/// The newest failed flows of the latest snapshot, newest first: id, type, when, and the first
/// line of the error (the whole error as tooltip).
class FailureListModel : public RowMergeModel<FlowRecord, qint64>
{
    Q_OBJECT

public:
    enum Column { FlowColumn, TypeColumn, WhenColumn, ErrorColumn, ColumnCount };
    enum Role { FlowIdRole = Qt::UserRole + 1 };

    explicit FailureListModel(QObject *parent = nullptr);
    ~FailureListModel() override;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setSnapshot(const ConsoleSnapshot &snapshot);

protected:
    qint64 keyOf(const FlowRecord &row) const override { return row.id; }
    bool sameRow(const FlowRecord &a, const FlowRecord &b) const override;

private:
    QDateTime m_now;
};

} // namespace ergon
