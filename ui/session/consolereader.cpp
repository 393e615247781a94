#include "session/consolereader.h"

#include "ergon/clock.h"
#include "ergon/executionlog.h"

#include <QElapsedTimer>

namespace ergon {

ConsoleReader::ConsoleReader(Opener opener, QObject *parent)
    : ConsoleReader(std::move(opener), Options(), parent)
{
}

ConsoleReader::ConsoleReader(Opener opener, Options options, QObject *parent)
    : LogReader(std::move(opener), options.interval, parent)
    , m_options(options)
{
}

ConsoleReader::~ConsoleReader() = default;

void ConsoleReader::setClock(const Clock *clock)
{
    m_clock = clock;
}

void ConsoleReader::read()
{
    auto snapshot = readSnapshot();
    if (snapshot)
        Q_EMIT snapshotAvailable(*snapshot);
    else
        Q_EMIT readFailed(snapshot.errorString());
}

Result<ConsoleSnapshot> ConsoleReader::readSnapshot()
{
    QElapsedTimer elapsed;
    elapsed.start();
    ConsoleSnapshot snapshot;
    snapshot.taken = m_clock ? m_clock->now() : QDateTime::currentDateTimeUtc();
    snapshot.location = log()->location();

    auto counts = log()->countByStatus();
    if (!counts)
        return counts.error();
    snapshot.counts = counts.take();

    auto workers = log()->workers();
    if (!workers)
        return workers.error();
    snapshot.workers = workers.take();

    // One more than shown tells whether the list is cut.
    auto timers = log()->pendingTimers(m_options.timerLimit + 1);
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
        auto failed = log()->flows(failures);
        if (!failed)
            return failed.error();
        snapshot.latestFailures = failed.take();
    }

    auto steals = log()->steals(m_options.stealLimit);
    if (!steals)
        return steals.error();
    snapshot.steals = steals.take();

    snapshot.buildTime = std::chrono::milliseconds(elapsed.elapsed());
    return snapshot;
}

} // namespace ergon
