#include "ergon/flowcontext.h"

#include "ergon/clock.h"
#include "ergon/steperror.h"

namespace ergon {

FlowContext::FlowContext(detail::FlowRuntime &runtime)
    : m_runtime(runtime)
{
}

qint64 FlowContext::flowId() const
{
    return m_runtime.flowId();
}

QString FlowContext::flowType() const
{
    return m_runtime.flowType();
}

QString FlowContext::workerName() const
{
    return m_runtime.workerName();
}

int FlowContext::attempt() const
{
    return m_runtime.attempt();
}

Clock &FlowContext::clock() const
{
    return m_runtime.clock();
}

namespace {
/// The body of the step now() records: the engine clock's time, once.
struct ReadClock {
    Clock &clock;
    QJsonValue operator()() const { return Codec<QDateTime>::encode(clock.now()); }
};

const StepOptions &recordOnce()
{
    static const StepOptions once{RetryPolicy::none(), std::nullopt};
    return once;
}
} // namespace

QCoro::Task<QDateTime> FlowContext::now()
{
    const QString name = QStringLiteral("now");
    ReadClock body{m_runtime.clock()};
    const QJsonValue stored = co_await runStep(name, recordOnce(), detail::BodyRef(body));
    auto decoded = Codec<QDateTime>::decode(stored);
    if (!decoded)
        detail::throwUndecodable(name, decoded.error());
    co_return decoded.take();
}

QCoro::Task<> FlowContext::sleep(QString name, std::chrono::milliseconds duration)
{
    return m_runtime.sleepUntil(std::move(name), m_runtime.clock().now().addMSecs(duration.count()));
}

QCoro::Task<> FlowContext::sleepUntil(QString name, QDateTime fireAt)
{
    return m_runtime.sleepUntil(std::move(name), std::move(fireAt));
}

QCoro::Task<std::optional<QJsonValue>> FlowContext::waitForSignal(QString name, std::chrono::milliseconds timeout)
{
    return m_runtime.waitForSignal(std::move(name), timeout);
}

QCoro::Task<QJsonValue> FlowContext::waitForSignal(QString name)
{
    const std::optional<QJsonValue> payload = co_await m_runtime.waitForSignal(std::move(name), std::nullopt);
    co_return payload.value_or(QJsonValue());
}

void detail::throwUndecodablePayload(const QString &signalName, const Error &error)
{
    throw StepFailed(
        signalName,
        QStringLiteral("the payload of signal '%1' cannot be decoded: %2").arg(signalName, error.message()));
}

void detail::throwUndecodable(const QString &stepName, const Error &error)
{
    throw StepFailed(stepName, QStringLiteral("its stored result cannot be decoded: %1").arg(error.message()));
}

} // namespace ergon
