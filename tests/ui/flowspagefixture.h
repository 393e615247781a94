#pragma once

// The Flows page suites' fixture: a page on a session of its own, as the window arranges them,
// over SQLite files, and what the suites ask of the page (rows, statuses, a GUI-stall watch).

#include "models/flowtablemodel.h"
#include "pages/flowspage.h"
#include "session/consolesession.h"

#include <ergon/flowscheduler.h>
#include <ergon/sqliteexecutionlog.h>

#include <QElapsedTimer>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>

#include <algorithm>
#include <chrono>

namespace ergon::flowstest {

// A one-step demo.Pipeline flow due tomorrow: it stays pending while the test watches.
inline NewFlow tomorrowsPipeline()
{
    NewFlow flow;
    flow.type = QStringLiteral("demo.Pipeline");
    flow.arguments = {{QStringLiteral("steps"), 1}};
    flow.runAt = QDateTime::currentDateTimeUtc().addDays(1);
    return flow;
}

inline LogOpener opener(const QString &path)
{
    return [path]() -> Result<std::unique_ptr<ExecutionLog>> {
        auto log = SqliteExecutionLog::open(path);
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(log.take());
    };
}

// Measures how long the GUI thread's event loop goes without serving a 10 ms timer.
class GapWatch
{
public:
    GapWatch()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(10);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.elapsed();
            m_max = std::max(m_max, now - m_last);
            m_last = now;
            ++m_ticks;
        });
        m_clock.start();
        m_timer.start();
    }
    qint64 maxGapMs() const { return std::max(m_max, m_clock.elapsed() - m_last); }
    int ticks() const { return m_ticks; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_max = 0;
    int m_ticks = 0;
};

inline ConsoleSession::Options sessionOptions(std::chrono::milliseconds interval)
{
    ConsoleSession::Options options;
    options.reader.interval = std::max(interval, std::chrono::milliseconds(50));
    return options;
}

// A Flows page on a session of its own, as the window arranges them. An interval of 0: the
// readers read once, then only when refreshed.
struct PageOnSession {
    PageOnSession(const QString &path, const FlowRegistry &registry, std::chrono::milliseconds interval)
        : session(path, opener(path), registry, sessionOptions(interval))
    {
        page.setSession(&session);
        session.start();
        if (interval <= std::chrono::milliseconds(0))
            session.setPaused(true);
    }
    ConsoleSession session;
    FlowsPage page;
};

inline bool settled(const FlowsPage &page)
{
    return page.lastSnapshot().generation == page.filterGeneration() && page.lastSnapshot().readAt.isValid();
}

// The proxy row of a flow in the page's table, or -1.
inline int viewRow(const FlowsPage &page, qint64 flowId)
{
    const int row = page.model()->rowOf(flowId);
    if (row < 0)
        return -1;
    auto *proxy = static_cast<QSortFilterProxyModel *>(page.view()->model());
    return proxy->mapFromSource(page.model()->index(row, 0)).row();
}

inline FlowStatus statusOf(const FlowsPage &page, qint64 flowId)
{
    const int row = page.model()->rowOf(flowId);
    return row < 0 ? FlowStatus::Pending : page.model()->flowAt(row).status;
}

} // namespace ergon::flowstest
