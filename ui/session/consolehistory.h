#pragma once

#include <QDateTime>
#include <QList>
#include <QPointF>

#include <chrono>

namespace ergon {

struct ConsoleSnapshot;

/// The Overview's rolling window: queue depth and finish rates over the last minutes, derived
/// from consecutive snapshots (headless, so that tests check the figures without a chart).
///
/// Rates come from the change of the status counts over the time between two snapshots, the
/// older one up to rateSpan back (at least the previous one); a count that went down (a
/// retried failure leaves the failed count) counts as zero.
class ConsoleHistory
{
public:
    struct Sample {
        QDateTime at;
        qint64 pending = 0;
        qint64 waiting = 0;
        qint64 running = 0;
        qint64 completed = 0; ///< counts, cumulative
        qint64 failed = 0;
        double completedPerSecond = 0; ///< since the previous sample
        double failedPerSecond = 0;
        bool hasRates = false; ///< false for the first sample
    };

    /// How far back a rate looks: long enough to smooth bursts, short enough to follow changes.
    static constexpr std::chrono::milliseconds rateSpan{3000};

    explicit ConsoleHistory(std::chrono::seconds window = std::chrono::minutes(5));

    std::chrono::seconds window() const { return m_window; }
    void setWindow(std::chrono::seconds window);

    /// Adds the snapshot's figures and drops the samples older than the window.
    void add(const ConsoleSnapshot &snapshot);
    void clear();

    const QList<Sample> &samples() const { return m_samples; }
    bool isEmpty() const { return m_samples.isEmpty(); }

    /// Chart points, x in seconds relative to the newest sample (so the newest is at 0 and
    /// the oldest at about -window).
    enum class Series { Pending, Waiting, Running, CompletedPerSecond, FailedPerSecond };
    QList<QPointF> points(Series series) const;
    /// The largest y of the series over the window (0 when empty).
    double maximum(Series series) const;

private:
    static double value(const Sample &sample, Series series);

    std::chrono::seconds m_window;
    QList<Sample> m_samples;
};

} // namespace ergon
