#pragma once

#include "codec.h"
#include "retrypolicy.h"

#include <QCoroTask>
#include <QDateTime>
#include <QJsonValue>
#include <QString>

#include <chrono>
#include <optional>
#include <type_traits>

namespace ergon {

class Clock;
struct StepRecord;

/// Options of one step.
struct StepOptions {
    RetryPolicy retry = RetryPolicy::standard();
    /// The step's inputs, where the caller gives them: hashed into the step's identity, so a
    /// replay that asks for the same step with other inputs is reported as non-deterministic.
    std::optional<QJsonValue> input;
};

namespace detail {
class FlowRun;

template<typename T>
struct TaskValue {
    using type = T;
    static constexpr bool isTask = false;
};
template<typename T>
struct TaskValue<QCoro::Task<T>> {
    using type = T;
    static constexpr bool isTask = true;
};

template<typename Body>
using BodyReturn = std::invoke_result_t<Body &>;

/// A non-owning reference to the callable that runs a step's body: it lives in the frame of
/// the step() coroutine, which outlives runStep(). Cheaper than a std::function, which would
/// allocate for every step. A body that returns a plain value is called as a plain function:
/// no coroutine frame for it.
class BodyRef
{
public:
    template<typename F>
    explicit BodyRef(F &callable)
        : m_callable(&callable)
    {
        if constexpr (std::is_same_v<std::invoke_result_t<F &>, QJsonValue>)
            m_callValue = [](void *object) { return (*static_cast<F *>(object))(); };
        else
            m_callTask = [](void *object) { return (*static_cast<F *>(object))(); };
    }
    bool returnsTask() const { return m_callTask != nullptr; }
    QJsonValue callValue() const { return m_callValue(m_callable); }
    QCoro::Task<QJsonValue> callTask() const { return m_callTask(m_callable); }

private:
    void *m_callable;
    QJsonValue (*m_callValue)(void *) = nullptr;
    QCoro::Task<QJsonValue> (*m_callTask)(void *) = nullptr;
};

template<typename Body>
using StepValue = typename TaskValue<BodyReturn<Body>>::type;
} // namespace detail

/// What a running flow sees of the engine: durable steps and timers.
///
/// step() runs a body at most once to a recorded success: on replay a completed step returns
/// its stored result without running. The body may return a value or a QCoro::Task of a value
/// of any type with a Codec; it fails by throwing (see StepError), and is retried per its
/// RetryPolicy, every attempt recorded. Guarantee: a body runs at least once, and its result is
/// recorded exactly once.
///
/// GCC 12 caveat: a lambda with non-trivial captures (a QString, a shared pointer) or a braced
/// temporary such as StepOptions{...} written inside the co_await expression is destroyed at
/// a bogus address. Name the body and the options first and pass them with std::move:
/// \code
/// auto body = [this, name] { return charge(name); };
/// const QString receipt = co_await ctx.step(name, std::move(body));
/// \endcode
/// Captures of `this`, references and plain numbers are safe inline.
class FlowContext
{
public:
    explicit FlowContext(detail::FlowRun &run);
    FlowContext(const FlowContext &) = delete;
    FlowContext &operator=(const FlowContext &) = delete;

    template<typename Body>
    [[nodiscard]] QCoro::Task<detail::StepValue<Body>> step(QString name, Body body, StepOptions options = {})
    {
        using T = detail::StepValue<Body>;
        using Return = detail::BodyReturn<Body>;
        QJsonValue stored;
        if constexpr (detail::TaskValue<Return>::isTask) {
            auto encodedBody = [&body]() -> QCoro::Task<QJsonValue> {
                if constexpr (std::is_void_v<T>) {
                    co_await body();
                    co_return QJsonValue();
                } else {
                    co_return Codec<T>::encode(co_await body());
                }
            };
            stored = co_await runStep(name, options, detail::BodyRef(encodedBody));
        } else {
            auto encodedBody = [&body]() -> QJsonValue {
                if constexpr (std::is_void_v<T>) {
                    body();
                    return QJsonValue();
                } else {
                    return Codec<T>::encode(body());
                }
            };
            stored = co_await runStep(name, options, detail::BodyRef(encodedBody));
        }
        if constexpr (!std::is_void_v<T>) {
            auto decoded = Codec<T>::decode(stored);
            if (!decoded)
                throwUndecodable(name, decoded.error());
            co_return decoded.take();
        }
    }

    /// A durable timer: the flow continues once `duration` has passed, even across restarts.
    [[nodiscard]] QCoro::Task<> sleep(QString name, std::chrono::milliseconds duration);
    /// A durable timer to an absolute time.
    [[nodiscard]] QCoro::Task<> sleepUntil(QString name, QDateTime fireAt);

    qint64 flowId() const;
    QString flowType() const;
    /// The worker (or executor) running the flow now.
    QString workerName() const;
    /// Inside a step body: the attempt being made, 1-based, counting every attempt stored for
    /// this step across retries (manual retries included).
    int attempt() const;
    Clock &clock() const;

private:
    /// By reference: step() awaits it at once, so its own frame keeps `name` and `options`
    /// alive for as long as runStep() runs.
    [[nodiscard]] QCoro::Task<QJsonValue> runStep(const QString &name, const StepOptions &options,
                                                  detail::BodyRef body);
    [[noreturn]] static void throwUndecodable(const QString &stepName, const Error &error);
    /// The recorded result of a completed step, replayed (plain code: out of runStep()'s frame).
    static QJsonValue storedResult(const QString &name, const StepRecord &step);

    detail::FlowRun &m_run;
};

} // namespace ergon
