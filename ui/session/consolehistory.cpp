#include "session/consolehistory.h"

#include "session/consolesnapshot.h"

#include <algorithm>

namespace ergon {

ConsoleHistory::ConsoleHistory(std::chrono::seconds window)
    : m_window(window)
{
}

void ConsoleHistory::setWindow(std::chrono::seconds window)
{
    m_window = window;
}

void ConsoleHistory::add(const ConsoleSnapshot &snapshot)
{
    Sample sample;
    sample.at = snapshot.taken;
    sample.pending = snapshot.count(FlowStatus::Pending);
    sample.waiting = snapshot.count(FlowStatus::Waiting);
    sample.running = snapshot.count(FlowStatus::Running);
    sample.completed = snapshot.count(FlowStatus::Completed);
    sample.failed = snapshot.count(FlowStatus::Failed);
    if (!m_samples.isEmpty()) {
        const Sample &previous = m_samples.constLast();
        const qint64 ms = previous.at.msecsTo(sample.at);
        if (ms <= 0) {
            // The same moment again (a refresh right after a read): keep the newer counts only.
            sample.completedPerSecond = previous.completedPerSecond;
            sample.failedPerSecond = previous.failedPerSecond;
            sample.hasRates = previous.hasRates;
            sample.at = previous.at;
            m_samples.last() = sample;
            return;
        }
        // Over a trailing span of a few seconds rather than the last interval alone: workers
        // finish flows in bursts, and a fast reader would draw a comb instead of a rate.
        const QDateTime from = sample.at.addMSecs(-qint64(rateSpan.count()));
        const Sample *base = &previous;
        for (auto it = m_samples.crbegin(); it != m_samples.crend() && it->at >= from; ++it)
            base = &*it;
        const double seconds = double(base->at.msecsTo(sample.at)) / 1000.0;
        sample.completedPerSecond = double(std::max<qint64>(0, sample.completed - base->completed)) / seconds;
        sample.failedPerSecond = double(std::max<qint64>(0, sample.failed - base->failed)) / seconds;
        sample.hasRates = true;
    }
    m_samples.append(sample);
    const QDateTime oldest = sample.at.addSecs(-m_window.count());
    const auto keep =
        std::find_if(m_samples.cbegin(), m_samples.cend(), [&oldest](const Sample &s) { return s.at >= oldest; });
    m_samples.erase(m_samples.cbegin(), keep);
}

void ConsoleHistory::clear()
{
    m_samples.clear();
}

double ConsoleHistory::value(const Sample &sample, Series series)
{
    switch (series) {
    case Series::Pending:
        return double(sample.pending);
    case Series::Waiting:
        return double(sample.waiting);
    case Series::Running:
        return double(sample.running);
    case Series::CompletedPerSecond:
        return sample.completedPerSecond;
    case Series::FailedPerSecond:
        return sample.failedPerSecond;
    }
    return 0;
}

QList<QPointF> ConsoleHistory::points(Series series) const
{
    QList<QPointF> points;
    if (m_samples.isEmpty())
        return points;
    const bool rate = series == Series::CompletedPerSecond || series == Series::FailedPerSecond;
    const QDateTime newest = m_samples.constLast().at;
    points.reserve(m_samples.size());
    for (const Sample &sample : m_samples) {
        if (rate && !sample.hasRates)
            continue;
        points.append(QPointF(double(newest.msecsTo(sample.at)) / 1000.0, value(sample, series)));
    }
    return points;
}

double ConsoleHistory::maximum(Series series) const
{
    double result = 0;
    for (const Sample &sample : m_samples)
        result = std::max(result, value(sample, series));
    return result;
}

} // namespace ergon
