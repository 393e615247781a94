#pragma once

#include "codec.h"
#include "retrypolicy.h"

#include <QCoroTask>
#include <QDateTime>
#include <QJsonValue>
#include <QString>

#include <chrono>
#include <concepts>
#include <functional>
#include <optional>
#include <tuple>
#include <type_traits>

namespace ergon {

class Clock;

/// Options of one step.
struct StepOptions {
    RetryPolicy retry = RetryPolicy::standard();
    /// The step's inputs, where the caller gives them: hashed into the step's identity, so a
    /// replay that asks for the same step with other inputs is reported as non-deterministic.
    std::optional<QJsonValue> input;

    /// Options with this retry policy: StepOptions::withRetry(RetryPolicy::attempts(5)).
    static StepOptions withRetry(RetryPolicy retry)
    {
        StepOptions options;
        options.retry = std::move(retry);
        return options;
    }
    /// The same options with these inputs.
    StepOptions withInput(QJsonValue value) const
    {
        StepOptions options = *this;
        options.input = std::move(value);
        return options;
    }
};

namespace detail {
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

/// A step's body with its arguments, copied out of the caller's co_await expression by the
/// plain function step() before the step's coroutine starts.
template<typename Fn, typename... Args>
struct BoundBody {
    Fn fn;
    std::tuple<Args...> args;
    decltype(auto) operator()() { return std::apply(fn, args); }
};

template<typename Fn, typename... Args>
using BoundBodyOf = BoundBody<std::decay_t<Fn>, std::decay_t<Args>...>;

template<typename Body>
using StepValue = typename TaskValue<BodyReturn<Body>>::type;

template<typename T>
using Plain = std::remove_cvref_t<T>;

/// What a FlowContext asks of the run it belongs to. The engine's executor implements it, so
/// that flow code (and a plugin) depends on this header and not on the executor or storage.
class FlowRuntime
{
public:
    virtual qint64 flowId() const = 0;
    virtual QString flowType() const = 0;
    virtual QString workerName() const = 0;
    virtual int attempt() const = 0;
    virtual Clock &clock() const = 0;
    /// Runs (or replays) one step; `name`, `options` and `body` outlive the returned task.
    [[nodiscard]] virtual QCoro::Task<QJsonValue> runStep(const QString &name, const StepOptions &options,
                                                          BodyRef body) = 0;
    [[nodiscard]] virtual QCoro::Task<> sleepUntil(QString name, QDateTime fireAt) = 0;
    /// Waits for the signal `name`: its payload, or nothing once the timeout (if any) passed.
    [[nodiscard]] virtual QCoro::Task<std::optional<QJsonValue>>
    waitForSignal(QString name, std::optional<std::chrono::milliseconds> timeout) = 0;

protected:
    ~FlowRuntime() = default;
};

/// Throws the StepFailed of a step whose stored result cannot be decoded.
[[noreturn]] void throwUndecodable(const QString &stepName, const Error &error);
/// Throws the StepFailed of a signal wait whose payload does not decode as asked.
[[noreturn]] void throwUndecodablePayload(const QString &signalName, const Error &error);
} // namespace detail

/// What a step may return: nothing, or a value of a type with a Codec (see codec.h).
template<typename T>
concept StepResultType = std::is_void_v<T> || Encodable<T>;

// GCC 12 (Debian 12's compiler) miscompiles one kind of temporary inside a `co_await`
// expression: an object made by aggregate initialisation whose type has a non-trivial
// destructor. A braced `StepOptions{…}` is one; so is a lambda with a capture of such a type
// (a QString, a shared pointer), because its closure is initialised capture by capture the
// same way. The compiler destroys that temporary at an address where it never built it, and
// memory is corrupted. A temporary made by a constructor or returned by a function (a QString
// from arg(), a QJsonObject) is not affected, nor is anything named before the co_await.
//
// step() cannot tell an affected temporary from a named object passed with std::move (both are
// rvalues), so its constraints accept as an rvalue only what cannot be one, and the rest must
// be named (an lvalue; step() copies it before its coroutine starts):
// - the body: any lvalue; as an rvalue only a trivially destructible callable (a lambda that
//   captures nothing, `this`, references or plain numbers; a function or member pointer);
// - each argument for the body: any lvalue; as an rvalue a trivially destructible value, or a
//   value of a type with a Codec that is not an aggregate (no closure has a Codec);
// - the StepOptions: only an lvalue (the rvalue overload is deleted).
// The rule sees what step() receives, not how each argument's value was computed: a braced
// aggregate written deep inside an argument's own expression is beyond it (and a braced list
// that makes a std::initializer_list inside a co_await does not compile under GCC 12 at all).
// tests/engine/flow/compilefail holds each refused shape, and tst_flowapi runs the accepted ones
// under load.

/// A step body that may be written inline in `co_await ctx.step(...)`: named, or trivially
/// destructible. A lambda with a QString (or any non-trivial) capture must be named first, or
/// take that value as an argument: `ctx.step(name, [](const QString &id) { … }, id)`.
template<typename Fn>
concept InlineSafeStepBody = std::is_lvalue_reference_v<Fn> || std::is_trivially_destructible_v<detail::Plain<Fn>>;

/// An argument for a step body that may be written inline: named, trivially destructible, or a
/// non-aggregate type with a Codec (a QString, a QJsonObject, …). A braced aggregate must be
/// named first.
template<typename Arg>
concept InlineSafeStepArgument = std::is_lvalue_reference_v<Arg> ||
    std::is_trivially_destructible_v<detail::Plain<Arg>> ||
    (Encodable<detail::Plain<Arg>> && !std::is_aggregate_v<detail::Plain<Arg>>);

template<typename... Args>
concept InlineSafeStepArguments = (InlineSafeStepArgument<Args> && ...);

/// A body callable with the arguments given, as step() stores them.
template<typename Fn, typename... Args>
concept StepBodyFor = (std::is_invocable_v<std::decay_t<Fn> &, std::decay_t<Args> &...>);

/// The type a step of this body and these arguments returns (the T of a QCoro::Task<T>).
template<typename Fn, typename... Args>
using StepResultOf = detail::StepValue<detail::BoundBodyOf<Fn, Args...>>;

/// Everything step() asks of a body and its arguments, each part named for its error message.
template<typename Fn, typename... Args>
concept SafeStepCall = StepBodyFor<Fn, Args...> && InlineSafeStepBody<Fn> && InlineSafeStepArguments<Args...> &&
    StepResultType<StepResultOf<Fn, Args...>>;

/// What a running flow sees of the engine: durable steps, timers and time.
///
/// step(name, body, args...) runs `body(args...)` at most once to a recorded success: on
/// replay a completed step returns its stored result without running. The body may return a
/// value or a QCoro::Task of a value of any type with a Codec; it fails by throwing (see
/// StepError), and is retried per its RetryPolicy (step(name, options, body, args...)), every
/// attempt recorded. Guarantee: a body runs at least once, and its result is recorded exactly
/// once. The body and its arguments are copied before the step starts:
/// \code
/// const bool valid = co_await ctx.step(u"validate"_s, [this] { return m_amount > 0; });
/// const QString receipt = co_await ctx.step(u"charge"_s, [this](const QString &id) { return charge(id); }, id);
/// const auto once = StepOptions::withRetry(RetryPolicy::none());
/// co_await ctx.step(u"notify"_s, once, &Orders::notify, this, receipt);
/// \endcode
/// The shapes GCC 12 miscompiles do not compile (see InlineSafeStepBody and
/// InlineSafeStepArgument); a result type without a Codec fails StepResultType.
class FlowContext
{
public:
    explicit FlowContext(detail::FlowRuntime &runtime);
    FlowContext(const FlowContext &) = delete;
    FlowContext &operator=(const FlowContext &) = delete;

    template<typename Fn, typename... Args>
    [[nodiscard]] auto step(QString name, Fn &&body, Args &&...args) requires SafeStepCall<Fn, Args...>
    {
        return boundStep(std::move(name), StepOptions(),
                         detail::BoundBodyOf<Fn, Args...>{std::forward<Fn>(body), {std::forward<Args>(args)...}});
    }

    template<typename Fn, typename... Args>
    [[nodiscard]] auto step(QString name, const StepOptions &options, Fn &&body,
                            Args &&...args) requires SafeStepCall<Fn, Args...>
    {
        return boundStep(std::move(name), options,
                         detail::BoundBodyOf<Fn, Args...>{std::forward<Fn>(body), {std::forward<Args>(args)...}});
    }

    /// Refused: StepOptions written in the co_await expression (a braced StepOptions{…} there is
    /// miscompiled by GCC 12). Name the options first and pass them as they are.
    template<typename Fn, typename... Args>
    void step(QString name, StepOptions &&options, Fn &&body, Args &&...args) = delete;

    /// A durable timer: the flow continues once `duration` has passed, even across restarts.
    /// Code around it must not swallow what it throws to park the flow (a `catch (...)` that
    /// does not rethrow): such a flow is failed, with an error that says so.
    [[nodiscard]] QCoro::Task<> sleep(QString name, std::chrono::milliseconds duration);
    /// A durable timer to an absolute time.
    [[nodiscard]] QCoro::Task<> sleepUntil(QString name, QDateTime fireAt);

    /// Waits for the signal `name` (sent by FlowScheduler::signal() or `ergon-console signal`)
    /// and returns its payload, or nothing once `timeout` has passed without one. Durable: the
    /// flow parks as waiting, holding no worker slot and no coroutine, until a signal of that
    /// name is sent or the timeout passes, across restarts. A signal sent before the flow gets
    /// here is kept and taken at once; several of one name are taken one per wait, in the order
    /// they were stored, each by exactly one wait. The wait is recorded as a step of kind
    /// "signal" named after the signal: replay returns the same payload, or the same timeout.
    /// The timeout counts from the first time the flow reaches the wait. As for sleep(), code
    /// around it must let what it throws to park the flow through.
    [[nodiscard]] QCoro::Task<std::optional<QJsonValue>> waitForSignal(QString name, std::chrono::milliseconds timeout);
    /// The same without a timeout: waits until a signal of that name comes.
    [[nodiscard]] QCoro::Task<QJsonValue> waitForSignal(QString name);
    /// The payload decoded as a T with a Codec (a payload that does not decode fails the flow's
    /// run with a StepFailed naming the signal): `co_await ctx.waitForSignal<Approval>(name, 60s)`.
    template<Encodable T>
    [[nodiscard]] QCoro::Task<std::optional<T>> waitForSignal(QString name, std::chrono::milliseconds timeout)
    {
        const std::optional<QJsonValue> payload = co_await m_runtime.waitForSignal(name, timeout);
        if (!payload)
            co_return std::nullopt;
        co_return decodePayload<T>(name, *payload);
    }
    template<Encodable T>
    [[nodiscard]] QCoro::Task<T> waitForSignal(QString name)
    {
        const std::optional<QJsonValue> payload = co_await m_runtime.waitForSignal(name, std::nullopt);
        co_return decodePayload<T>(name, payload.value_or(QJsonValue()));
    }

    /// The engine clock's time, replay-safe: recorded as a step named "now" on the first run,
    /// and the same value on every replay. A flow's code never needs the wall clock.
    [[nodiscard]] QCoro::Task<QDateTime> now();

    qint64 flowId() const;
    QString flowType() const;
    /// The worker (or executor) running the flow now.
    QString workerName() const;
    /// Inside a step body: the attempt being made, 1-based, counting every attempt stored for
    /// this step across retries (manual retries included).
    int attempt() const;
    /// The engine's clock, for waiting inside a step body. Not for reading the time in flow
    /// code: that is now().
    Clock &clock() const;

private:
    template<typename Body>
    QCoro::Task<detail::StepValue<Body>> boundStep(QString name, StepOptions options, Body body)
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
                detail::throwUndecodable(name, decoded.error());
            co_return decoded.take();
        }
    }

    template<typename T>
    static T decodePayload(const QString &name, const QJsonValue &payload)
    {
        auto decoded = Codec<T>::decode(payload);
        if (!decoded)
            detail::throwUndecodablePayload(name, decoded.error());
        return decoded.take();
    }

    /// By reference: step() awaits it at once, so its own frame keeps `name` and `options`
    /// alive for as long as runStep() runs.
    [[nodiscard]] QCoro::Task<QJsonValue> runStep(const QString &name, const StepOptions &options,
                                                  detail::BodyRef body)
    {
        return m_runtime.runStep(name, options, body);
    }

    detail::FlowRuntime &m_runtime;
};

} // namespace ergon
