#pragma once

#include <ergon/flow.h>
#include <ergon/flowarguments.h>

/// One step 'flaky' that throws while its attempt number (1-based, counting every attempt
/// stored for the step, manual retries included) is at most fail_times. Retry policy: 3
/// attempts, 100 ms initial delay. So fail_times 4 fails the flow after attempts 1-3, and one
/// retry of the step fails attempt 4 and succeeds on 5. Result: the succeeding attempt.
class Flaky : public ergon::Flow
{
public:
    static constexpr auto flowType = "demo.Flaky";

    explicit Flaky(ergon::FlowArguments &arguments);

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override;

private:
    qint64 m_failTimes;
};
