#include "session/flowpagereader.h"

#include "ergon/executionlog.h"

#include <QTimer>

namespace ergon {

FlowPageReader::FlowPageReader(Opener opener, std::shared_ptr<const std::atomic<quint64>> latestGeneration,
                               std::chrono::milliseconds interval, QObject *parent)
    : LogReader(std::move(opener), interval, parent)
    , m_latest(std::move(latestGeneration))
{
}

FlowPageReader::~FlowPageReader() = default;

void FlowPageReader::logOpened()
{
    m_searchLoadClock.start();
    QTimer::singleShot(0, this, &FlowPageReader::loadSearchSlice);
}

void FlowPageReader::loadSearchSlice()
{
    if (!log() || m_search.isLoaded())
        return;
    auto loaded = m_search.loadSlice(*log());
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
    readWindow();
}

void FlowPageReader::loadMore(quint64 generation, int rows)
{
    if (generation != m_generation || !isLatest(generation) || rows <= m_window || !log())
        return;
    QElapsedTimer clock;
    clock.start();
    // One row more than asked says whether anything follows.
    const int wanted = rows - m_window;
    const FlowQuery query = queryFor(m_window, wanted + 1);
    auto flows = log()->flows(query);
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

void FlowPageReader::read()
{
    readWindow();
    readDetail();
}

void FlowPageReader::readWindow()
{
    if (!log() || !isLatest(m_generation))
        return;
    QElapsedTimer clock;
    clock.start();
    // The mirror follows the log at every read, searching or not, so that a search finds the
    // flows scheduled up to now. A failure sends searches to the log's LIKE until it succeeds.
    if (auto caughtUp = m_search.catchUp(*log()); !caughtUp)
        Q_EMIT readFailed(caughtUp.errorString());
    const FlowQuery query = queryFor(0, m_window + 1);
    auto flows = log()->flows(query);
    if (!flows) {
        Q_EMIT readFailed(flows.errorString());
        return;
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
    // The mirror's hits are every flow that holds the text: a count, when nothing else filters
    // (a filter on status alone is counted by the session's counts).
    if (query.ids && !query.status && query.type.isEmpty())
        snapshot.matching = query.ids->size();
    snapshot.readAt = QDateTime::currentDateTimeUtc();
    snapshot.buildMicroseconds = clock.nsecsElapsed() / 1000;
    Q_EMIT pageAvailable(snapshot);
}

void FlowPageReader::readDetail()
{
    if (!log() || m_currentFlow <= 0)
        return;
    FlowDetailSnapshot snapshot;
    snapshot.flowId = m_currentFlow;
    auto flow = log()->flow(m_currentFlow);
    auto steps = flow ? log()->steps(m_currentFlow, true) : Result<QList<StepRecord>>(flow.error());
    auto workers = steps ? log()->workers() : Result<QList<WorkerRecord>>(steps.error());
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
