#pragma once

#include "session/consolesession.h"
#include "session/flowpage.h"

#include <QMap>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <optional>

class QSortFilterProxyModel;

namespace ergon {

class FlowRegistry;
class FlowTableModel;

/// The Flows page without its widgets: the filter, the paging, the sort and the counts, as a
/// state machine over the session's Flows reader. It holds the table's model (and the sort
/// proxy the view shows), merges every page the session delivers, and says in words what the
/// list shows (statusText()). It needs no display: its suite drives it headless.
///
/// A filter change supersedes the one in flight (the session's generations), so typing in the
/// search field never queues up reads, and an answer to an older filter is dropped. Sorting by
/// another column than the id needs every match loaded: up to sortableRows are, else the list
/// stays newest first and the status text says why.
///
/// The counts by status are the session's (one source for the whole console).
class FlowListController : public QObject
{
    Q_OBJECT

public:
    /// Sorting by another column than the id needs every matching flow loaded; up to this many
    /// are, and the list keeps newest first beyond.
    static constexpr int sortableRows = 10000;
    /// Rows the first read of a filter loads, and each loadMore() adds.
    static int pageSize();

    /// What the list shows when it has no rows.
    enum class Empty { No, Reading, NoFlows, NoMatch, CannotOpen };

    explicit FlowListController(QObject *parent = nullptr);
    ~FlowListController() override;

    /// The session to list flows of (null: none). The rows are cleared and the current filter
    /// listed again on the new session.
    void setSession(ConsoleSession *session);
    ConsoleSession *session() const { return m_session; }
    /// The flow types offered by the type filter come from the registry and the flows seen.
    void setRegistry(const FlowRegistry *registry);

    FlowTableModel *model() const { return m_model; }
    /// The model in the order shown (the sort).
    QSortFilterProxyModel *sortedModel() const { return m_proxy; }

    const FlowFilter &filter() const { return m_filter; }
    /// The generation of the filter shown; it grows at every filter change.
    quint64 generation() const { return m_generation; }
    /// True when the rows are the current filter's (its first page has arrived).
    bool isSettled() const { return m_lastSnapshot.generation == m_generation && m_lastSnapshot.readAt.isValid(); }
    const FlowPageSnapshot &lastSnapshot() const { return m_lastSnapshot; }
    /// The counts by status (the session's), and whether they are known yet.
    QMap<FlowStatus, qint64> counts() const;
    bool hasCounts() const;
    /// The flows that match the filter, when the counts tell (-1: unknown).
    qint64 matching() const;
    /// The types to offer, in name order.
    const QStringList &types() const { return m_types; }
    Empty emptyState() const;
    QString openError() const { return m_openError; }
    /// "200 of 12,345 flows loaded · read in 12 ms · Retried 3 flows."
    QString statusText() const;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    qint64 currentFlow() const { return m_currentFlow; }

    /// The failed flows, and the unfinished ones, among these (what Retry and Cancel act on).
    QList<qint64> failedAmong(const QList<qint64> &flowIds) const;
    QList<qint64> unfinishedAmong(const QList<qint64> &flowIds) const;

public Q_SLOTS:
    /// Lists the filter's flows, from the top.
    void setFilter(const ergon::FlowFilter &filter);
    /// Reads the list and the current flow again now.
    void refresh();
    /// Grows the list to `rows` rows (while the current filter's rows are shown).
    void loadMore(int rows);
    /// Sorts by the column: at once when every match is loaded, after loading them when at most
    /// sortableRows match, else not (sortReset(), and the status text says why).
    void sortBy(int column, Qt::SortOrder order);
    /// The flow whose detail to read (detailAvailable()); 0 for none.
    void setCurrentFlow(qint64 flowId);
    /// Retry (from `stepName`, else each one's failed step) and cancel, on the session's command
    /// thread; the outcome shows in the status text.
    void retry(const QList<qint64> &flowIds, const QString &stepName = {});
    void cancel(const QList<qint64> &flowIds);

Q_SIGNALS:
    /// Around every merge into the model: the view keeps its scroll position and current row.
    void aboutToMerge();
    void merged();
    /// A page snapshot was merged into the model.
    void snapshotApplied(quint64 generation);
    /// The first page of flows is in the model (once per session).
    void firstPageShown();
    void filterChanged(const ergon::FlowFilter &filter);
    void countsChanged();
    void typesChanged();
    void statusTextChanged(const QString &text);
    void emptyStateChanged();
    /// The sort asked for cannot be honoured: the list is back to this (newest first).
    void sortReset(int column, Qt::SortOrder order);
    void detailAvailable(const ergon::FlowDetailSnapshot &snapshot);
    void searchMirrorLoaded(qint64 flows, qint64 bytes, qint64 milliseconds);
    /// A retry or cancel asked here finished (or failed): what happened, in words.
    void outcome(const QString &text, bool failed);

private:
    void startFilter();
    void applyPage(const FlowPageSnapshot &snapshot);
    void applySort();
    void addTypes(const QList<FlowRecord> &flows);
    void onCommandDone(ConsoleCommands::Command command, const QString &text, bool failed);
    void updateStatusText();

    QPointer<ConsoleSession> m_session;
    QList<QMetaObject::Connection> m_connections;
    FlowTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QStringList m_types;

    FlowFilter m_filter;
    quint64 m_generation = 0;
    FlowPageSnapshot m_lastSnapshot;
    bool m_firstPageShown = false;
    QString m_openError;
    QString m_readError;
    QString m_outcome;
    int m_commandsAsked = 0; // retries and cancels asked here, not answered yet
    qint64 m_currentFlow = 0;
    QString m_statusText;

    // Sorting: the column asked for, and whether it is applied (every match loaded).
    int m_sortColumn = 0;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    std::optional<quint64> m_sortLoadGeneration; // the filter for which every row was asked
    bool m_sortLoading = false;                  // that answer is on its way
    QString m_sortNote;
};

} // namespace ergon
