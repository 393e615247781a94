#pragma once

#include <ergon/flow.h>
#include <ergon/flowarguments.h>

/// The seed's quick start: validate the order, then process its payment.
/// Result: "payment-<order_id>". An order whose amount is not positive fails.
class OrderProcessor : public ergon::Flow
{
public:
    static constexpr auto flowType = "orders.OrderProcessor";

    explicit OrderProcessor(ergon::FlowArguments &arguments);

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override;

private:
    QString m_orderId;
    double m_amount;
};
