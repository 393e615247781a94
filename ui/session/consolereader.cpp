#include "session/consolereader.h"

#include "ergon/clock.h"
#include "ergon/executionlog.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>

namespace ergon {

ConsoleReader::ConsoleReader(Opener opener, QObject *parent)
    : ConsoleReader(std::move(opener), Options(), parent)
{
}

ConsoleReader::ConsoleReader(Opener opener, Options options, QObject *parent)
    : QObject(parent)
    , m_opener(std::move(opener))
    , m_options(options)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(m_options.interval);
    connect(m_timer, &QTimer::timeout, this, &ConsoleReader::refresh);
}

ConsoleReader::~ConsoleReader() = default;

void ConsoleReader::setClock(const Clock *clock)
{
    m_clock = clock;
}

void ConsoleReader::start()
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
}

void ConsoleReader::refresh()
{
    if (!m_log)
        return;
    auto snapshot = read();
    if (snapshot)
        Q_EMIT snapshotAvailable(*snapshot);
    else
        Q_EMIT readFailed(snapshot.errorString());
    // Measured from the end of this read: a slow read on a huge log never piles reads up.
    if (!m_paused)
        m_timer->start();
}

void ConsoleReader::setInterval(std::chrono::milliseconds interval)
{
    m_options.interval = std::max(interval, std::chrono::milliseconds(50));
    m_timer->setInterval(m_options.interval);
    if (m_timer->isActive())
        m_timer->start();
}

void ConsoleReader::setPaused(bool paused)
{
    m_paused = paused;
    if (paused)
        m_timer->stop();
    else if (m_log)
        m_timer->start();
}

Result<ConsoleSnapshot> ConsoleReader::read()
{
    QElapsedTimer elapsed;
    elapsed.start();
    ConsoleSnapshot snapshot;
    snapshot.taken = m_clock ? m_clock->now() : QDateTime::currentDateTimeUtc();
    snapshot.location = m_log->location();

    auto counts = m_log->countByStatus();
    if (!counts)
        return counts.error();
    snapshot.counts = counts.take();

    auto workers = m_log->workers();
    if (!workers)
        return workers.error();
    snapshot.workers = workers.take();

    // One more than shown tells whether the list is cut.
    auto timers = m_log->pendingTimers(m_options.timerLimit + 1);
    if (!timers)
        return timers.error();
    snapshot.timers = timers.take();
    if (snapshot.timers.size() > m_options.timerLimit) {
        snapshot.timers.resize(m_options.timerLimit);
        snapshot.timersTruncated = true;
    }

    if (snapshot.count(FlowStatus::Failed) > 0) {
        FlowQuery failures;
        failures.status = FlowStatus::Failed;
        failures.limit = m_options.failureLimit;
        auto failed = m_log->flows(failures);
        if (!failed)
            return failed.error();
        snapshot.latestFailures = failed.take();
    }

    auto steals = m_log->steals(m_options.stealLimit);
    if (!steals)
        return steals.error();
    snapshot.steals = steals.take();

    snapshot.buildTime = std::chrono::milliseconds(elapsed.elapsed());
    return snapshot;
}

} // namespace ergon
