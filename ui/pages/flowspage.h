#pragma once

#include "session/flowpage.h"

#include "ergon/result.h"

#include <QList>
#include <QWidget>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QThread;

namespace ergon {

class ExecutionLog;
class FlowDetailPane;
class FlowPageReader;
class FlowRegistry;
class FlowTableModel;

/// The Flows page: the flows of the log filtered by status, type and text (in the id or the
/// arguments), newest first, loaded a page at a time as the table scrolls, refreshed live in
/// place; a multi-selection with bulk Retry and Cancel; and the detail of the current flow.
///
/// The page owns its reader: a FlowPageReader on a thread of its own, with a connection opened
/// there by the opener. Every query runs on that thread; the GUI thread only merges the value
/// snapshots it delivers. A filter change supersedes the one in flight (generations), so typing
/// in the search field never queues up reads, and an answer to an older filter is dropped.
///
/// The page does not act on flows: Retry and Cancel are requests by signal, for the window to
/// run off the GUI thread.
class FlowsPage : public QWidget
{
    Q_OBJECT

public:
    using Opener = std::function<Result<std::unique_ptr<ExecutionLog>>()>;

    /// Starts the reader at once; the opener is called on the reader's thread.
    explicit FlowsPage(Opener opener, QWidget *parent = nullptr);
    ~FlowsPage() override;

    /// Sorting by another column than the id needs every matching flow loaded; the page loads
    /// up to this many for it, and keeps newest first beyond.
    static constexpr int sortableRows = 10000;

    FlowTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    FlowDetailPane *detailPane() const { return m_detail; }
    QPushButton *bulkRetryButton() const { return m_bulkRetry; }
    QPushButton *bulkCancelButton() const { return m_bulkCancel; }
    QLineEdit *searchField() const { return m_search; }

    FlowFilter filter() const { return m_filter; }
    /// The flows selected in the table, in table order.
    QList<qint64> selectedFlowIds() const;
    /// The flow the detail pane shows (the table's current row), 0 for none.
    qint64 currentFlowId() const;
    /// The generation of the filter shown; it grows by one at every filter change.
    quint64 filterGeneration() const { return m_generation; }
    /// The last snapshot applied to the table (counts, build time, ...).
    const FlowPageSnapshot &lastSnapshot() const { return m_lastSnapshot; }
    /// The status line under the filters ("200 of 12,345 flows …").
    QString statusText() const;

public Q_SLOTS:
    void setRegistry(const ergon::FlowRegistry *registry);
    /// Reads the list and the current flow again now.
    void refresh();
    /// Time between two reads; zero or less: only refresh() reads.
    void setRefreshInterval(std::chrono::milliseconds interval);
    /// Shows the filter in the filter bar and lists its flows.
    void setFilter(const ergon::FlowFilter &filter);
    /// Makes the flow the current row (when loaded) and shows its detail.
    void showFlow(qint64 flowId);

Q_SIGNALS:
    /// Retry these failed flows: from `stepName` when given (the detail pane's Retry failed
    /// step), else from each one's failed step.
    void retryRequested(const QList<qint64> &flowIds, const QString &stepName);
    void cancelRequested(const QList<qint64> &flowIds);
    /// The first page of flows is in the table (once; for screenshots and start-up timing).
    void firstPageShown();
    /// A page snapshot was merged into the table.
    void snapshotApplied(quint64 generation);
    /// The reader's search mirror is loaded: text searches no longer scan the log (for the
    /// benchmark and tests; see FlowPageReader).
    void searchMirrorLoaded(qint64 flows, qint64 bytes, qint64 milliseconds);

private:
    void buildUi();
    void applyFilterFromBar();
    void startFilter(const FlowFilter &filter);
    void applyPage(const FlowPageSnapshot &snapshot);
    void updateCounts(const QMap<FlowStatus, qint64> &counts);
    void updateTypes(const QList<FlowRecord> &flows);
    void updateBulkButtons();
    void updateStatusText();
    void onCurrentChanged(const QModelIndex &current);
    void onSortRequested(int column, Qt::SortOrder order);
    void applySort();
    void requestMore(int rows);
    void showNote(const QString &text);
    void showOpenError(const QString &error);

    // Reader side.
    std::shared_ptr<std::atomic<quint64>> m_latest;
    QThread *m_thread = nullptr;
    FlowPageReader *m_reader = nullptr;

    const FlowRegistry *m_registry = nullptr;
    FlowFilter m_filter;
    quint64 m_generation = 0;
    FlowPageSnapshot m_lastSnapshot;
    bool m_firstPageShown = false;
    bool m_applying = false;
    bool m_openFailed = false;
    qint64 m_currentFlow = 0;
    QString m_readError;

    // Sorting: the column asked for, and whether it is applied (every match loaded).
    int m_sortColumn = 0;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    std::optional<quint64> m_sortLoadGeneration; // the filter for which every row was asked
    bool m_sortLoading = false;                  // that answer is on its way
    QString m_sortNote;

    QComboBox *m_statusBox = nullptr;
    QComboBox *m_typeBox = nullptr;
    QLineEdit *m_search = nullptr;
    QPushButton *m_bulkRetry = nullptr;
    QPushButton *m_bulkCancel = nullptr;
    QLabel *m_info = nullptr;
    FlowTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    FlowDetailPane *m_detail = nullptr;
    QLabel *m_note = nullptr;
    QStackedWidget *m_stack = nullptr;
};

} // namespace ergon
