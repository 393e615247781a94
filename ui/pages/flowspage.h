#pragma once

#include "session/flowpage.h"

#include <QJsonObject>
#include <QList>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QPushButton;
class QStackedWidget;
class QTableView;

namespace ergon {

class ConsoleSession;
class FlowDetailPane;
class FlowListController;
class FlowRegistry;
class FlowTableModel;

/// The Flows page: the flows of the log filtered by status, type and text (in the id or the
/// arguments), newest first, loaded a page at a time as the table scrolls, refreshed live in
/// place; a multi-selection with bulk Retry and Cancel (Cancel asks first, with the count); and
/// the detail of the current flow.
///
/// The widgets only: the filter, paging and sort state is the FlowListController's, which reads
/// through the session (setSession()); every query runs on the session's threads.
class FlowsPage : public QWidget
{
    Q_OBJECT

public:
    explicit FlowsPage(QWidget *parent = nullptr);
    ~FlowsPage() override;

    /// The database to list (null: none); the filter stays.
    void setSession(ConsoleSession *session);

    FlowListController *controller() const { return m_controller; }
    FlowTableModel *model() const;
    QTableView *view() const { return m_view; }
    FlowDetailPane *detailPane() const { return m_detail; }
    QComboBox *statusBox() const { return m_statusBox; }
    QComboBox *typeBox() const { return m_typeBox; }
    QLineEdit *searchField() const { return m_search; }
    QPushButton *bulkRetryButton() const { return m_bulkRetry; }
    QPushButton *bulkCancelButton() const { return m_bulkCancel; }
    /// The note shown instead of the table (no flows, no match, cannot open), and the next
    /// actions it offers on an empty database.
    QLabel *note() const { return m_note; }
    QPushButton *scheduleButton() const { return m_scheduleButton; }
    QPushButton *workersButton() const { return m_workersButton; }

    FlowFilter filter() const;
    /// The flows selected in the table, in table order.
    QList<qint64> selectedFlowIds() const;
    /// The flow the detail pane shows, 0 for none.
    qint64 currentFlowId() const;
    /// The generation of the filter shown; it grows by one at every filter change.
    quint64 filterGeneration() const;
    /// The last snapshot merged into the table (build time, ...).
    const FlowPageSnapshot &lastSnapshot() const;
    /// The status line under the table ("200 of 12,345 flows …").
    QString statusText() const;

public Q_SLOTS:
    void setRegistry(const ergon::FlowRegistry *registry);
    /// Reads the list and the current flow again now.
    void refresh();
    /// Shows the filter in the filter bar and lists its flows.
    void setFilter(const ergon::FlowFilter &filter);
    /// Makes the flow the current row (when loaded) and shows its detail.
    void showFlow(qint64 flowId);

Q_SIGNALS:
    /// The first page of flows is in the table (once per database; for screenshots and
    /// start-up timing).
    void firstPageShown();
    /// A page snapshot was merged into the table.
    void snapshotApplied(quint64 generation);
    /// The session's search mirror is loaded: text searches no longer scan the log.
    void searchMirrorLoaded(qint64 flows, qint64 bytes, qint64 milliseconds);
    /// The empty database's next actions: schedule a flow, start workers.
    void scheduleRequested();
    void workersRequested();
    /// The detail pane's Schedule Like This.
    void scheduleLikeRequested(const QString &type, const QJsonObject &arguments);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    QLayout *buildFilterBar();
    void buildTable();
    QWidget *buildNote();
    QLayout *buildFooter();
    void connectController();
    void applyFilterFromBar();
    void showFilterInBar(const FlowFilter &filter);
    void updateCounts();
    void updateTypes();
    void updateBulkButtons();
    void updateEmptyState();
    void rememberScrollAnchor();
    void restoreScrollAnchor();
    void syncCurrentRow();
    void onCurrentChanged(const QModelIndex &current);
    void showMoreIfLastRowShows();
    void confirmCancel(const QList<qint64> &flowIds);

    FlowListController *m_controller;
    bool m_merging = false;
    qint64 m_anchorId = 0;
    int m_anchorTop = 0;

    QComboBox *m_statusBox = nullptr;
    QComboBox *m_typeBox = nullptr;
    QLineEdit *m_search = nullptr;
    QPushButton *m_bulkRetry = nullptr;
    QPushButton *m_bulkCancel = nullptr;
    QLabel *m_info = nullptr;
    QTableView *m_view = nullptr;
    FlowDetailPane *m_detail = nullptr;
    QWidget *m_noteBox = nullptr;
    QLabel *m_note = nullptr;
    QPushButton *m_scheduleButton = nullptr;
    QPushButton *m_workersButton = nullptr;
    QStackedWidget *m_stack = nullptr;
};

} // namespace ergon
