#include "session/flowpagereader.h"

#include "ergon/executionlog.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>

#include <numeric>

namespace ergon {

namespace {

// The counts by status say how many flows match a filter on status alone; a type or text
// filter would need a count query of its own, which the log does not offer.
qint64 matchingCount(const FlowFilter &filter, const QMap<FlowStatus, qint64> &counts)
{
    if (!filter.type.isEmpty() || !filter.text.trimmed().isEmpty())
        return -1;
    if (filter.status)
        return counts.value(*filter.status, 0);
    return std::accumulate(counts.cbegin(), counts.cend(), qint64(0));
}

} // namespace

FlowPageReader::FlowPageReader(Opener opener, std::shared_ptr<const std::atomic<quint64>> latestGeneration,
                               QObject *parent)
    : QObject(parent)
    , m_opener(std::move(opener))
    , m_latest(std::move(latestGeneration))
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &FlowPageReader::refresh);
}

FlowPageReader::~FlowPageReader() = default;

void FlowPageReader::start()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_log)
        return;
    auto log = m_opener();
    if (!log) {
        Q_EMIT openFailed(log.errorString());
        return;
    }
    m_log = log.take();
    Q_EMIT opened(m_log->location());
    refresh();
    if (m_timer->interval() > 0)
        m_timer->start();
    m_searchLoadClock.start();
    QTimer::singleShot(0, this, &FlowPageReader::loadSearchSlice);
}

void FlowPageReader::loadSearchSlice()
{
    if (!m_log || m_search.isLoaded())
        return;
    auto loaded = m_search.loadSlice(*m_log);
    if (!loaded) {
        // Busy, most likely: try again a little later; searches use LIKE meanwhile.
        Q_EMIT readFailed(loaded.errorString());
        QTimer::singleShot(1000, this, &FlowPageReader::loadSearchSlice);
        return;
    }
    if (!*loaded) {
        // A slice at a time, through the event loop: filter changes are answered in between.
        QTimer::singleShot(0, this, &FlowPageReader::loadSearchSlice);
        return;
    }
    Q_EMIT searchMirrorLoaded(m_search.mirror().size(), m_search.mirror().memoryBytes(), m_searchLoadClock.elapsed());
}

FlowQuery FlowPageReader::queryFor(int offset, int limit)
{
    FlowQuery query;
    query.status = m_filter.status;
    query.type = m_filter.type;
    query.offset = offset;
    query.limit = limit;
    const QString text = m_filter.text.trimmed();
    if (text.isEmpty())
        return query;
    if (auto ids = m_search.candidates(text))
        query.ids = std::move(*ids);
    else
        query.text = text;
    return query;
}

bool FlowPageReader::isLatest(quint64 generation) const
{
    return !m_latest || m_latest->load(std::memory_order_acquire) == generation;
}

void FlowPageReader::setFilter(const FlowFilter &filter, quint64 generation)
{
    // Typing queues one request per key stroke: only the last one is read.
    if (!isLatest(generation))
        return;
    m_filter = filter;
    m_generation = generation;
    m_window = defaultPageSize;
    // The user waits for this one: the counts (a scan of an index over every flow) wait for
    // the next refresh.
    readWindow(CountsWait::UntilRefresh);
}

void FlowPageReader::loadMore(quint64 generation, int rows)
{
    if (generation != m_generation || !isLatest(generation) || rows <= m_window || !m_log)
        return;
    QElapsedTimer clock;
    clock.start();
    // One row more than asked says whether anything follows.
    const int wanted = rows - m_window;
    const FlowQuery query = queryFor(m_window, wanted + 1);
    auto flows = m_log->flows(query);
    if (!flows) {
        Q_EMIT readFailed(flows.errorString());
        return;
    }
    if (!isLatest(generation))
        return;
    FlowPageSnapshot snapshot;
    snapshot.generation = generation;
    snapshot.filter = m_filter;
    snapshot.offset = m_window;
    snapshot.searchMirrored = query.ids.has_value();
    snapshot.flows = flows.take();
    snapshot.complete = snapshot.flows.size() <= wanted;
    if (!snapshot.complete)
        snapshot.flows.resize(wanted);
    snapshot.readAt = QDateTime::currentDateTimeUtc();
    snapshot.buildMicroseconds = clock.nsecsElapsed() / 1000;
    m_window = rows;
    Q_EMIT pageAvailable(snapshot);
}

void FlowPageReader::setCurrentFlow(qint64 flowId)
{
    m_currentFlow = flowId;
    readDetail();
}

void FlowPageReader::setInterval(int milliseconds)
{
    if (milliseconds <= 0) {
        m_timer->stop();
        m_timer->setInterval(0);
        return;
    }
    m_timer->setInterval(milliseconds);
    if (m_log)
        m_timer->start();
}

void FlowPageReader::refresh()
{
    if (!m_log)
        return;
    readWindow();
    readDetail();
}

void FlowPageReader::readWindow(CountsWait countsWait)
{
    if (!m_log || !isLatest(m_generation))
        return;
    QElapsedTimer clock;
    clock.start();
    // The mirror follows the log at every read, searching or not, so that a search finds the
    // flows scheduled up to now. A failure sends searches to the log's LIKE until it succeeds.
    if (auto caughtUp = m_search.catchUp(*m_log); !caughtUp)
        Q_EMIT readFailed(caughtUp.errorString());
    const FlowQuery query = queryFor(0, m_window + 1);
    auto flows = m_log->flows(query);
    if (!flows) {
        Q_EMIT readFailed(flows.errorString());
        return;
    }
    const bool countsDue =
        !m_countsAge.isValid() || (countsWait == CountsWait::No && m_countsAge.elapsed() >= countsInterval.count());
    if (countsDue) {
        auto counts = m_log->countByStatus();
        if (!counts) {
            Q_EMIT readFailed(counts.errorString());
            return;
        }
        m_counts = counts.take();
        m_countsAge.start();
    }
    if (!isLatest(m_generation))
        return;
    FlowPageSnapshot snapshot;
    snapshot.generation = m_generation;
    snapshot.filter = m_filter;
    snapshot.searchMirrored = query.ids.has_value();
    snapshot.flows = flows.take();
    snapshot.complete = snapshot.flows.size() <= m_window;
    if (!snapshot.complete)
        snapshot.flows.resize(m_window);
    snapshot.countsByStatus = m_counts;
    snapshot.matching = matchingCount(m_filter, snapshot.countsByStatus);
    // The mirror's hits are every flow that holds the text: a count, when nothing else filters.
    if (query.ids && !query.status && query.type.isEmpty())
        snapshot.matching = query.ids->size();
    snapshot.readAt = QDateTime::currentDateTimeUtc();
    snapshot.buildMicroseconds = clock.nsecsElapsed() / 1000;
    Q_EMIT pageAvailable(snapshot);
}

void FlowPageReader::readDetail()
{
    if (!m_log || m_currentFlow <= 0)
        return;
    FlowDetailSnapshot snapshot;
    snapshot.flowId = m_currentFlow;
    auto flow = m_log->flow(m_currentFlow);
    auto steps = flow ? m_log->steps(m_currentFlow, true) : Result<QList<StepRecord>>(flow.error());
    auto workers = steps ? m_log->workers() : Result<QList<WorkerRecord>>(steps.error());
    if (!workers) {
        snapshot.error = workers.errorString();
    } else {
        snapshot.flow = flow.take();
        snapshot.steps = steps.take();
        snapshot.workers = workers.take();
    }
    snapshot.readAt = QDateTime::currentDateTimeUtc();
    Q_EMIT detailAvailable(snapshot);
}

} // namespace ergon
