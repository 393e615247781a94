#pragma once

#include <ergon/flow.h>
#include <ergon/flowarguments.h>

#include <chrono>

/// A durable timer 'nap' of `seconds`, then a step 'wake'. Result: "awake".
class Sleeper : public ergon::Flow
{
public:
    static constexpr auto flowType = "demo.Sleeper";

    explicit Sleeper(ergon::FlowArguments &arguments);

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override;

private:
    std::chrono::milliseconds m_nap;
};
