#pragma once

#include <ergon/flow.h>
#include <ergon/flowarguments.h>

#include <chrono>

/// Waits for a person's approval: step 'request' returns the order id, then the flow waits for
/// the signal 'approve' for `timeout_s` seconds, and step 'decide' turns its payload into the
/// flow's result: {"approved": true, "by": "ann"} gives "approved by ann", {"approved": false,
/// "by": "bo"} gives "rejected by bo", and no signal in time gives "timed out".
class Approval : public ergon::Flow
{
public:
    static constexpr auto flowType = "demo.Approval";

    explicit Approval(ergon::FlowArguments &arguments);

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override;

private:
    QString m_orderId;
    std::chrono::milliseconds m_timeout;
};
