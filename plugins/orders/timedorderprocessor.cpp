#include "timedorderprocessor.h"

#include <ergon/flowcontext.h>

#include <cmath>

TimedOrderProcessor::TimedOrderProcessor(ergon::FlowArguments &arguments)
    : m_orderId(arguments.string(QStringLiteral("order_id")))
    , m_delay(qint64(std::llround(arguments.number(QStringLiteral("delay_s"), 2.0) * 1000.0)))
{
}

QCoro::Task<QJsonValue> TimedOrderProcessor::run(ergon::FlowContext &ctx)
{
    co_await ctx.step(QStringLiteral("start_fraud_check"), [this] { return m_orderId; });
    co_await ctx.sleep(QStringLiteral("fraud-%1").arg(m_orderId), m_delay);
    co_return co_await ctx.step(QStringLiteral("complete"), [] { return QStringLiteral("completed"); });
}
