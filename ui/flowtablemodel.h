#pragma once

#include "ergon/records.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QList>

#include <array>

namespace ergon {

struct FlowListSnapshot;

/// The flows of the latest snapshot, one row per flow. A thin model: it holds values only and
/// never reads the log. A new snapshot is merged in place by flow id (rows removed, inserted,
/// or updated with dataChanged), so selection and current index survive the refresh.
class FlowTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { IdColumn, TypeColumn, StatusColumn, UpdatedColumn, ErrorColumn, ColumnCount };
    enum Role {
        FlowIdRole = Qt::UserRole + 1, ///< qint64
        FlowStatusRole,                ///< ergon::FlowStatus as int
    };

    explicit FlowTableModel(QObject *parent = nullptr);
    ~FlowTableModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const QList<FlowRecord> &flows() const { return m_flows; }

public Q_SLOTS:
    void setSnapshot(const ergon::FlowListSnapshot &snapshot);
    /// Merges flows (ordered as they should be shown) into the rows.
    void setFlows(const QList<ergon::FlowRecord> &flows);

private:
    QIcon statusIcon(FlowStatus status) const;

    QList<FlowRecord> m_flows;
    mutable std::array<QIcon, 6> m_statusIcons; // one per FlowStatus, painted on first use
};

} // namespace ergon
