#include "timerlateness.h"

#include "benchoutput.h"

#include <ergon/openexecutionlog.h>

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace std::chrono_literals;

namespace ergon::bench {

/// One-second durable timers: how late each fired, from its timer step (the fire time recorded
/// against the due time), and how late each flow went on. Two worker threads drive them.
std::optional<TimerFigures> runTimers(const Settings &settings, const FlowRegistry &registry)
{
    Storage storage(settings, QStringLiteral("timers"));
    auto log = openExecutionLog(storage.location());
    if (!log) {
        print(QStringLiteral("timers: %1").arg(log.errorString()));
        return std::nullopt;
    }
    auto scheduled =
        schedule(**log, registry, QStringLiteral("demo.Sleeper"), {{QStringLiteral("seconds"), 1}}, settings.timers);
    if (!scheduled) {
        print(QStringLiteral("timers: %1").arg(scheduled.errorString()));
        return std::nullopt;
    }
    QElapsedTimer timer;
    timer.start();
    std::vector<std::unique_ptr<WorkerHandle>> workers;
    for (int i = 1; i <= 2; ++i)
        workers.push_back(FlowWorker(opener(storage.location()), registry)
                              .withName(QStringLiteral("timers-%1").arg(i))
                              .withConcurrency(std::max(settings.concurrency, 256))
                              .withPollInterval(100ms)
                              .withTimers(500ms)
                              .start());
    const auto completed = [&] {
        qint64 sum = 0;
        for (const auto &worker : workers)
            sum += worker->stats().completed;
        return sum >= settings.timers;
    };
    const bool ok = waitUntil(completed, 20ms, settings.timeoutSeconds);
    const double seconds = timer.nsecsElapsed() / 1e9;
    for (auto &worker : workers)
        worker->shutdownAndWait(10s);
    if (!ok) {
        print(QStringLiteral("timers: FAILED (not every timer fired within the timeout)"));
        return std::nullopt;
    }
    std::vector<double> lateness;
    lateness.reserve(size_t(settings.timers));
    FlowQuery query;
    query.limit = settings.timers;
    auto flows = (*log)->flows(query);
    if (!flows) {
        print(QStringLiteral("timers: %1").arg(flows.errorString()));
        return std::nullopt;
    }
    // Besides the lateness itself (the timer step's completion against its fire time), what
    // explains it: when the first runs parked (a timer falls due one second after its flow's
    // first run, so first runs still going on then compete with the firings), and how late
    // each flow went on past its sleep (the next step's start).
    std::vector<double> resumed;
    qint64 firstParked = std::numeric_limits<qint64>::max();
    qint64 lastParked = std::numeric_limits<qint64>::min();
    for (const FlowRecord &flow : std::as_const(*flows)) {
        auto steps = (*log)->steps(flow.id, false);
        if (!steps)
            continue;
        QDateTime due;
        for (const StepRecord &step : std::as_const(*steps)) {
            if (step.kind == StepKind::Timer && step.finished.isValid() && step.nextAttemptAt.isValid()) {
                due = step.nextAttemptAt;
                lateness.push_back(double(step.nextAttemptAt.msecsTo(step.finished)));
                if (step.started.isValid()) {
                    firstParked = std::min(firstParked, step.started.toMSecsSinceEpoch());
                    lastParked = std::max(lastParked, step.started.toMSecsSinceEpoch());
                }
            } else if (step.kind == StepKind::Step && due.isValid() && step.started.isValid()) {
                resumed.push_back(double(due.msecsTo(step.started)));
                due = QDateTime();
            }
        }
    }
    if (lateness.empty()) {
        print(QStringLiteral("timers: no fired timer found"));
        return std::nullopt;
    }
    const auto percentile = [](std::vector<double> &values, double p) {
        std::sort(values.begin(), values.end());
        return values.empty() ? std::nan("") : values[size_t(p * double(values.size() - 1))];
    };
    const double p50 = percentile(lateness, 0.50);
    const double p99 = percentile(lateness, 0.99);
    print(QStringLiteral("timers: %1 one-second timers over 2 worker threads, all fired in %2 s; lateness p50 %3 ms, "
                         "p99 %4 ms, max %5 ms")
              .arg(lateness.size())
              .arg(fixed(seconds, 3), fixed(p50, 1), fixed(p99, 1), fixed(lateness.back(), 1)));
    const double resumedP50 = percentile(resumed, 0.50);
    const double resumedP99 = percentile(resumed, 0.99);
    print(QStringLiteral("timers: first runs parked over %1 ms; the flows went on past their sleep p50 %2 ms, "
                         "p99 %3 ms, max %4 ms after the due time")
              .arg(lastParked >= firstParked ? lastParked - firstParked : 0)
              .arg(fixed(resumedP50, 1), fixed(resumedP99, 1),
                   fixed(resumed.empty() ? std::nan("") : resumed.back(), 1)));
    return TimerFigures{p50, p99, resumedP99};
}

void printTimers(const std::optional<TimerFigures> &timers)
{
    const auto figure = [&](double TimerFigures::*field) {
        return timers ? fixed((*timers).*field, 1) : QStringLiteral("nan");
    };
    print(QStringLiteral("timers_p50_ms=%1").arg(figure(&TimerFigures::p50)));
    print(QStringLiteral("timers_p99_ms=%1").arg(figure(&TimerFigures::p99)));
    print(QStringLiteral("timers_resume_p99_ms=%1").arg(figure(&TimerFigures::resumeP99)));
}

} // namespace ergon::bench
