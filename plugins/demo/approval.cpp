#include "approval.h"

#include <ergon/flowcontext.h>

#include <QJsonObject>

#include <cmath>

namespace {
/// The verdict on what the wait returned (a plain function: the step's body).
QString decide(const std::optional<QJsonValue> &payload)
{
    if (!payload)
        return QStringLiteral("timed out");
    const QJsonObject answer = payload->toObject();
    const QString by = answer.value(QLatin1String("by")).toString();
    return answer.value(QLatin1String("approved")).toBool() ? QStringLiteral("approved by %1").arg(by)
                                                            : QStringLiteral("rejected by %1").arg(by);
}
} // namespace

Approval::Approval(ergon::FlowArguments &arguments)
    : m_orderId(arguments.string(QStringLiteral("order_id")))
    , m_timeout(qint64(std::llround(std::max(0.0, arguments.number(QStringLiteral("timeout_s"), 60.0)) * 1000.0)))
{
}

QCoro::Task<QJsonValue> Approval::run(ergon::FlowContext &ctx)
{
    const auto request = [this] { return m_orderId; };
    co_await ctx.step(QStringLiteral("request"), request);
    const std::optional<QJsonValue> payload = co_await ctx.waitForSignal(QStringLiteral("approve"), m_timeout);
    co_return co_await ctx.step(QStringLiteral("decide"), &decide, payload);
}
