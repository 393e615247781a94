#pragma once

#include <ergon/flow.h>
#include <ergon/flowarguments.h>

#include <chrono>

/// The seed's timer example: a durable timer named fraud-<order_id> of delay_s seconds
/// between two steps. Result: "completed".
class TimedOrderProcessor : public ergon::Flow
{
public:
    static constexpr auto flowType = "orders.TimedOrderProcessor";

    explicit TimedOrderProcessor(ergon::FlowArguments &arguments);

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override;

private:
    QString m_orderId;
    std::chrono::milliseconds m_delay;
};
