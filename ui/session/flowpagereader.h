#pragma once

#include "session/flowpage.h"
#include "session/flowsearch.h"

#include "ergon/result.h"

#include <QElapsedTimer>
#include <QMap>
#include <QObject>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

class QTimer;

namespace ergon {

class ExecutionLog;
struct FlowQuery;

/// The Flows page's reader: lives on its own thread, opens its own connection there, and
/// reads the filtered flow list a page at a time, plus the detail of the current flow. Each
/// read becomes a value snapshot delivered by signal; the GUI thread never waits for it.
///
/// It keeps a window: the first rows of the filtered list that the page has loaded. A refresh
/// reads the whole window again (so that rows update in place and new flows appear on top);
/// loadMore() grows it by reading only the rows after it.
///
/// A text filter is searched in a mirror of every flow's arguments (FlowSearch) that the reader
/// loads in the background after opening the log, then keeps up to date at every read; the log
/// then lists only the flows found. Until the mirror is loaded, the log's LIKE answers.
///
/// A newer filter supersedes an older one: every filter carries a generation, and the page
/// publishes the latest generation through a shared counter. A request whose generation is no
/// longer the latest is skipped, and a read that finishes after a newer filter was set is not
/// reported.
class FlowPageReader : public QObject
{
    Q_OBJECT

public:
    using Opener = std::function<Result<std::unique_ptr<ExecutionLog>>()>;

    FlowPageReader(Opener opener, std::shared_ptr<const std::atomic<quint64>> latestGeneration,
                   QObject *parent = nullptr);
    ~FlowPageReader() override;

    /// Rows the first read of a filter loads (and loadMore() adds, by default).
    static constexpr int defaultPageSize = 200;
    /// The counts by status cost a scan of an index over every flow: they are read again at
    /// most this often (the window itself at every refresh).
    static constexpr std::chrono::milliseconds countsInterval{5000};

public Q_SLOTS:
    /// Opens the log (on this thread) and reads at once, then at every interval.
    void start();
    /// Lists the filter's flows from the top, one page.
    void setFilter(const ergon::FlowFilter &filter, quint64 generation);
    /// Grows the window to `rows` rows of the filter of `generation`, reading only the new ones.
    void loadMore(quint64 generation, int rows);
    /// The flow whose detail to read at every refresh; 0 for none.
    void setCurrentFlow(qint64 flowId);
    /// Time between two refreshes; 0 or less: only refresh() reads.
    void setInterval(int milliseconds);
    /// Reads the window and the current flow's detail now.
    void refresh();

Q_SIGNALS:
    void opened(const QString &location);
    void openFailed(const QString &error);
    void pageAvailable(const ergon::FlowPageSnapshot &snapshot);
    void detailAvailable(const ergon::FlowDetailSnapshot &snapshot);
    /// A read failed (e.g. the database is busy); the next refresh tries again.
    void readFailed(const QString &error);
    /// The first load of the search mirror is done: text searches use it from now on.
    void searchMirrorLoaded(qint64 flows, qint64 bytes, qint64 milliseconds);

private:
    bool isLatest(quint64 generation) const;
    void loadSearchSlice();
    /// The query for rows [offset, offset + limit) of the filter, through the search mirror
    /// when it answers for the filter's text.
    FlowQuery queryFor(int offset, int limit);
    enum class CountsWait { No, UntilRefresh };
    void readWindow(CountsWait countsWait = CountsWait::No);
    void readDetail();

    Opener m_opener;
    std::shared_ptr<const std::atomic<quint64>> m_latest;
    std::unique_ptr<ExecutionLog> m_log;
    QTimer *m_timer;
    FlowFilter m_filter;
    quint64 m_generation = 0;
    int m_window = defaultPageSize;
    qint64 m_currentFlow = 0;
    QMap<FlowStatus, qint64> m_counts;
    QElapsedTimer m_countsAge;
    FlowSearch m_search;
    QElapsedTimer m_searchLoadClock;
};

} // namespace ergon
