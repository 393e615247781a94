#pragma once

#include <ergon/flowexecutor.h>
#include <ergon/records.h>
#include <ergon/result.h>

#include <QCoroTask>
#include <QEventLoop>
#include <QPointer>
#include <QTest>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace ergon::test {

/// How long a coroutine under test may take before the watchdog fails the test. Everything the
/// suites run is instant on a FakeClock; this only catches hangs.
inline constexpr std::chrono::milliseconds watchdogTimeout{15000};

namespace detail {
template<typename T>
struct AwaitState {
    std::optional<T> value;
    bool done = false;
    QString exception;
    QPointer<QEventLoop> loop;
};

template<typename T>
using Awaited = std::conditional_t<std::is_void_v<T>, bool, T>;

// Owns the awaited task and the state by value: if the watchdog gives up, this coroutine may
// still resume later without touching the caller's (gone) stack.
template<typename T>
QCoro::Task<> collect(QCoro::Task<T> task, std::shared_ptr<AwaitState<Awaited<T>>> state)
{
    try {
        if constexpr (std::is_void_v<T>) {
            co_await task;
            state->value.emplace(true);
        } else {
            state->value.emplace(co_await task);
        }
    } catch (const std::exception &error) {
        state->exception = QString::fromUtf8(error.what());
    } catch (...) {
        state->exception = QStringLiteral("an unknown exception");
    }
    state->done = true;
    if (state->loop)
        state->loop->quit();
}
} // namespace detail

/// Runs a task to its end inside a real event loop (queued commits, timers and signals all
/// work), guarded by a watchdog. Returns the task's value, or nothing (with a warning) when the
/// watchdog fired first or the task threw. For Task<void> the value is `true`.
template<typename T>
std::optional<detail::Awaited<T>> awaitTask(QCoro::Task<T> task, std::chrono::milliseconds timeout = watchdogTimeout)
{
    auto state = std::make_shared<detail::AwaitState<detail::Awaited<T>>>();
    QEventLoop loop;
    state->loop = &loop;
    auto collector = detail::collect<T>(std::move(task), state);
    if (!state->done) {
        QTimer watchdog;
        watchdog.setSingleShot(true);
        QObject::connect(&watchdog, &QTimer::timeout, &loop, &QEventLoop::quit);
        watchdog.start(timeout);
        loop.exec();
    }
    if (!state->done) {
        qWarning("watchdog: the task did not finish within %lld ms", qlonglong(timeout.count()));
        return std::nullopt;
    }
    if (!state->exception.isEmpty()) {
        qWarning("the task threw: %s", qPrintable(state->exception));
        return std::nullopt;
    }
    return std::move(state->value);
}

/// Awaits every task (they run concurrently: tasks start eagerly) and returns their values in order.
template<typename T>
QCoro::Task<std::vector<T>> whenAll(std::vector<QCoro::Task<T>> tasks)
{
    std::vector<T> values;
    values.reserve(tasks.size());
    for (auto &task : tasks)
        values.push_back(co_await task);
    co_return values;
}

} // namespace ergon::test

// Test data columns of the engine's enums.
Q_DECLARE_METATYPE(ergon::FlowStatus)
Q_DECLARE_METATYPE(ergon::StepStatus)

// QCOMPARE on the engine's enums: Qt Test's generic qCompare would find ergon::toString() (which
// returns a QString) by argument-dependent lookup, so these overloads print the names instead.
namespace QTest {
#define ERGON_QCOMPARE_ENUM(Enum)                                                                                      \
    inline bool qCompare(Enum t1, Enum t2, const char *actual, const char *expected, const char *file, int line)       \
    {                                                                                                                  \
        return compare_helper(                                                                                         \
            t1 == t2, "Compared values are not the same",                                                              \
            [&t1]() -> const char * { return qstrdup(qPrintable(ergon::toString(t1))); },                              \
            [&t2]() -> const char * { return qstrdup(qPrintable(ergon::toString(t2))); }, actual, expected, file,      \
            line);                                                                                                     \
    }
ERGON_QCOMPARE_ENUM(ergon::FlowStatus)
ERGON_QCOMPARE_ENUM(ergon::StepStatus)
ERGON_QCOMPARE_ENUM(ergon::StepKind)
ERGON_QCOMPARE_ENUM(ergon::WorkerStatus)
#undef ERGON_QCOMPARE_ENUM
} // namespace QTest

/// Fails the test (and returns) unless the Result-returning expression succeeds.
#define ERGON_VERIFY_OK(expr)                                                                                          \
    do {                                                                                                               \
        const auto ergonResult_ = (expr);                                                                              \
        QVERIFY2(ergonResult_.ok(), qPrintable(ergonResult_.errorString()));                                           \
    } while (false)

/// Declares `var` as the value of a Result-returning expression, failing the test on an error.
#define ERGON_TRY(var, expr)                                                                                           \
    auto var##Result_ = (expr);                                                                                        \
    QVERIFY2(var##Result_.ok(), qPrintable(var##Result_.errorString()));                                               \
    auto &var = *var##Result_

/// Declares `var` as the FlowOutcome of a run task awaited under the watchdog, failing the test
/// if the task hung, threw, or returned an error.
#define ERGON_AWAIT_OUTCOME(var, task)                                                                                 \
    ::ergon::FlowOutcome var;                                                                                          \
    do {                                                                                                               \
        auto ergonAwaited_ = ::ergon::test::awaitTask(task);                                                           \
        QVERIFY2(ergonAwaited_.has_value(), "the run did not finish (watchdog or exception)");                         \
        QVERIFY2(ergonAwaited_->ok(), qPrintable(ergonAwaited_->errorString()));                                       \
        var = ergonAwaited_->take();                                                                                   \
    } while (false)

/// Declares `var` as the Result of a task awaited under the watchdog (for expected errors).
#define ERGON_AWAIT_RESULT(var, task)                                                                                  \
    auto var##Awaited_ = ::ergon::test::awaitTask(task);                                                               \
    QVERIFY2(var##Awaited_.has_value(), "the task did not finish (watchdog or exception)");                            \
    auto &var = *var##Awaited_
