#pragma once

#include "models/rowmergemodel.h"

#include "ergon/records.h"

#include <QDate>
#include <QList>

namespace ergon {

namespace detail {
/// A row of the Flows list: the flow, and its arguments as compact JSON once shown.
struct FlowRow {
    FlowRecord flow;
    mutable QString argumentsText;
};
} // namespace detail

/// The loaded rows of the Flows page's list, one row per flow, newest first. A thin model: it
/// holds values only and never reads the log. New rows are merged in place by flow id
/// (RowMergeModel: rows removed, inserted, or updated with dataChanged), so selection, current
/// index and scroll position survive a refresh.
///
/// It holds only the pages loaded so far. While more flows match than are loaded,
/// canFetchMore() is true and fetchMore() asks for the next page with moreRequested(); the
/// reader's answer comes back through appendFlows().
class FlowTableModel : public RowMergeModel<detail::FlowRow, qint64>
{
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        TypeColumn,
        StatusColumn,
        StepsColumn,
        CreatedColumn,
        UpdatedColumn,
        ArgumentsColumn,
        ErrorColumn,
        ColumnCount
    };
    enum Role {
        FlowIdRole = Qt::UserRole + 1, ///< qint64
        FlowStatusRole,                ///< ergon::FlowStatus as int
        SortRole,                      ///< the column's value for sorting (numbers, times, texts)
    };

    explicit FlowTableModel(QObject *parent = nullptr);
    ~FlowTableModel() override;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    const FlowRecord &flowAt(int row) const { return m_rows.at(row).flow; }
    /// The row of the flow, or -1.
    int rowOf(qint64 flowId) const;
    QList<qint64> flowIds() const;
    /// True when every matching flow is loaded.
    bool isComplete() const { return m_complete; }
    bool isFetching() const { return m_fetching; }
    /// The page asked for by fetchMore() will not come (it was not requested after all).
    void cancelFetch() { m_fetching = false; }

public Q_SLOTS:
    /// Merges the first rows of the list (ordered as they should be shown) into the rows:
    /// flows not among them go, new ones are inserted, changed ones are updated in place.
    void setFlows(const QList<ergon::FlowRecord> &flows, bool complete = true);
    /// Adds a page read after the loaded rows. Flows already shown are updated, not repeated.
    void appendFlows(const QList<ergon::FlowRecord> &flows, bool complete);
    /// Removes every row (a new filter).
    void clear();

Q_SIGNALS:
    /// fetchMore() was called: the page should load `rowCount() + n` rows.
    void moreRequested();

protected:
    qint64 keyOf(const detail::FlowRow &row) const override { return row.flow.id; }
    bool sameRow(const detail::FlowRow &a, const detail::FlowRow &b) const override;

private:
    using Row = detail::FlowRow;

    const QString &argumentsText(const Row &row) const;

    bool m_complete = true;
    bool m_fetching = false;
    QDate m_today;
};

} // namespace ergon
