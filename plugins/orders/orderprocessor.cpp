#include "orderprocessor.h"

#include <ergon/flowcontext.h>
#include <ergon/steperror.h>

OrderProcessor::OrderProcessor(ergon::FlowArguments &arguments)
    : m_orderId(arguments.string(QStringLiteral("order_id")))
    , m_amount(arguments.number(QStringLiteral("amount")))
{
}

QCoro::Task<QJsonValue> OrderProcessor::run(ergon::FlowContext &ctx)
{
    const bool valid = co_await ctx.step(QStringLiteral("validate"), [this] { return m_amount > 0; });
    if (!valid)
        throw std::runtime_error(
            QStringLiteral("order %1 is invalid: the amount must be positive").arg(m_orderId).toStdString());
    const QString payment = co_await ctx.step(QStringLiteral("process_payment"),
                                              [this] { return QStringLiteral("payment-%1").arg(m_orderId); });
    co_return payment;
}
