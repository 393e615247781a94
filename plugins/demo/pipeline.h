#pragma once

#include <ergon/flow.h>
#include <ergon/flowarguments.h>

/// Steps step-1 … step-N, each waiting step_ms and returning its index. With a witness file,
/// each step body appends "<flow id> <step name>" to it as it runs: how tests see whether a
/// completed step ever ran again. Result: the list of the steps' results.
class Pipeline : public ergon::Flow
{
public:
    static constexpr auto flowType = "demo.Pipeline";

    explicit Pipeline(ergon::FlowArguments &arguments);

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override;

private:
    qint64 m_steps;
    qint64 m_stepMs;
    QString m_witness;
};
