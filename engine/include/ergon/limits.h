#pragma once

#include "result.h"

#include <QString>

#include <chrono>
#include <cmath>
#include <limits>

namespace ergon::limits {

/// The accepted range of a count or of a duration: the command line, the console's forms and
/// the engine's API all take their bounds from here, so that a value refused in one place is
/// refused in every place, and no value can wrap on its way to milliseconds (int64).
struct Range {
    const char *name; ///< what the value is, for messages ("delay", "lease")
    qint64 min;
    qint64 max;

    constexpr bool contains(qint64 value) const { return value >= min && value <= max; }
};

// Counts.
inline constexpr Range scheduleCount{"count", 1, 1'000'000};        ///< flows scheduled at once
inline constexpr Range priority{"priority", -1'000'000, 1'000'000}; ///< higher runs first
inline constexpr Range listLimit{"limit", 1, 1'000'000};            ///< rows a listing prints
inline constexpr Range workers{"workers", 1, 1000};                 ///< workers of one process
inline constexpr Range concurrency{"concurrency", 1, 100'000};      ///< flows one worker runs at once
inline constexpr Range prefetch{"prefetch", 0, 100'000};            ///< flows leased ahead per worker
inline constexpr Range attempts{"attempts", 1, 1000};               ///< a retry policy's attempts

// Durations, in milliseconds.
inline constexpr qint64 secondMs = 1000;
inline constexpr qint64 dayMs = 86'400 * secondMs;
inline constexpr Range delay{"delay", 0, 3650 * dayMs}; ///< a flow's start after scheduling: 10 years
inline constexpr Range lease{"lease", 100, dayMs};      ///< how long a silent worker's flows stay its own
inline constexpr Range grace{"grace", 0, dayMs};        ///< running flows' time to stop on shutdown
inline constexpr Range pollInterval{"poll interval", 1, 3600 * secondMs};
inline constexpr Range timerRefresh{"timer refresh", 10, 3600 * secondMs};
inline constexpr Range retryDelay{"retry delay", 0, 30 * dayMs}; ///< a retry policy's delays
inline constexpr double maxRetryMultiplier = 1000.0;             ///< a retry policy's back-off factor

/// "delay: 1e+300 s is not between 0 and 315360000 s"-style text for a duration out of range.
inline QString secondsRangeText(const Range &range)
{
    return QStringLiteral("between %1 and %2 s")
        .arg(double(range.min) / double(secondMs), 0, 'g', 15)
        .arg(double(range.max) / double(secondMs), 0, 'g', 15);
}

inline QString rangeText(const Range &range)
{
    return QStringLiteral("between %1 and %2").arg(range.min).arg(range.max);
}

/// Seconds (as a user types them) to milliseconds, refused when not finite or out of range.
/// The check comes before the multiplication, so nothing past int64 is ever rounded.
inline Result<std::chrono::milliseconds> secondsToMilliseconds(double seconds, const Range &range)
{
    const double min = double(range.min) / double(secondMs);
    const double max = double(range.max) / double(secondMs);
    if (!std::isfinite(seconds) || seconds < min || seconds > max)
        return Error(QStringLiteral("%1 must be %2").arg(QLatin1String(range.name), secondsRangeText(range)),
                     QStringLiteral("out-of-range"));
    return std::chrono::milliseconds(std::llround(seconds * double(secondMs)));
}

/// A duration checked against its range.
inline Result<void> check(std::chrono::milliseconds value, const Range &range)
{
    if (!range.contains(value.count()))
        return Error(QStringLiteral("%1 must be %2 (got %3 ms)")
                         .arg(QLatin1String(range.name), secondsRangeText(range))
                         .arg(value.count()),
                     QStringLiteral("out-of-range"));
    return {};
}

/// A count checked against its range.
inline Result<void> check(qint64 value, const Range &range)
{
    if (!range.contains(value))
        return Error(
            QStringLiteral("%1 must be %2 (got %3)").arg(QLatin1String(range.name), rangeText(range)).arg(value),
            QStringLiteral("out-of-range"));
    return {};
}

} // namespace ergon::limits
