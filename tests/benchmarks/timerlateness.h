#pragma once

#include "workerbench.h"

#include <optional>

// bench_workers' durable timers: one-second demo.Sleeper flows driven by two worker threads.
namespace ergon::bench {

struct TimerFigures {
    double p50 = 0; ///< the timer's recorded fire time minus its due time
    double p99 = 0;
    double resumeP99 = 0; ///< the due time to the flow going on (its next step's start)
};

/// Runs --timers sleepers; prints their figures, or what failed (and returns nothing).
std::optional<TimerFigures> runTimers(const Settings &settings, const FlowRegistry &registry);
/// The lines to compare runs by: timers_p50_ms=, timers_p99_ms=, timers_resume_p99_ms=.
void printTimers(const std::optional<TimerFigures> &timers);

} // namespace ergon::bench
