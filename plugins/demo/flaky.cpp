#include "flaky.h"

#include <ergon/flowcontext.h>
#include <ergon/steperror.h>

using namespace std::chrono_literals;

Flaky::Flaky(ergon::FlowArguments &arguments)
    : m_failTimes(arguments.integer(QStringLiteral("fail_times"), 2))
{
}

QCoro::Task<QJsonValue> Flaky::run(ergon::FlowContext &ctx)
{
    const auto options =
        ergon::StepOptions::withRetry(ergon::RetryPolicy::attempts(3).backoff(100ms, 2.0).cappedAt(1min));
    const int attempt = co_await ctx.step(QStringLiteral("flaky"), options, [this, &ctx] {
        if (ctx.attempt() <= m_failTimes)
            throw ergon::StepError(
                QStringLiteral("flaky"),
                QStringLiteral("attempt %1 fails on purpose (fail_times = %2)").arg(ctx.attempt()).arg(m_failTimes));
        return ctx.attempt();
    });
    co_return attempt;
}
