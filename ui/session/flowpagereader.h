#pragma once

#include "session/flowpage.h"
#include "session/flowsearch.h"
#include "session/logreader.h"

#include <QElapsedTimer>

#include <atomic>
#include <memory>

namespace ergon {

struct FlowQuery;

/// The Flows page's reader: a LogReader (own thread, own connection) that reads the filtered
/// flow list a page at a time, plus the detail of the current flow. Each
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
/// It does not count flows by status: the session's ConsoleReader does, for every page alike.
///
/// A newer filter supersedes an older one: every filter carries a generation, and the page
/// publishes the latest generation through a shared counter. A request whose generation is no
/// longer the latest is skipped, and a read that finishes after a newer filter was set is not
/// reported.
class FlowPageReader : public LogReader
{
    Q_OBJECT

public:
    FlowPageReader(Opener opener, std::shared_ptr<const std::atomic<quint64>> latestGeneration,
                   std::chrono::milliseconds interval = std::chrono::seconds(1), QObject *parent = nullptr);
    ~FlowPageReader() override;

    /// Rows the first read of a filter loads (and loadMore() adds, by default).
    static constexpr int defaultPageSize = 200;
public Q_SLOTS:
    /// Lists the filter's flows from the top, one page.
    void setFilter(const ergon::FlowFilter &filter, quint64 generation);
    /// Grows the window to `rows` rows of the filter of `generation`, reading only the new ones.
    void loadMore(quint64 generation, int rows);
    /// The flow whose detail to read at every refresh; 0 for none.
    void setCurrentFlow(qint64 flowId);

Q_SIGNALS:
    void pageAvailable(const ergon::FlowPageSnapshot &snapshot);
    void detailAvailable(const ergon::FlowDetailSnapshot &snapshot);
    /// The first load of the search mirror is done: text searches use it from now on.
    void searchMirrorLoaded(qint64 flows, qint64 bytes, qint64 milliseconds);

protected:
    /// The window and the current flow's detail.
    void read() override;
    /// Starts loading the search mirror.
    void logOpened() override;

private:
    bool isLatest(quint64 generation) const;
    void loadSearchSlice();
    /// The query for rows [offset, offset + limit) of the filter, through the search mirror
    /// when it answers for the filter's text.
    FlowQuery queryFor(int offset, int limit);
    void readWindow();
    void readDetail();

    std::shared_ptr<const std::atomic<quint64>> m_latest;
    FlowFilter m_filter;
    quint64 m_generation = 0;
    int m_window = defaultPageSize;
    qint64 m_currentFlow = 0;
    FlowSearch m_search;
    QElapsedTimer m_searchLoadClock;
};

} // namespace ergon
