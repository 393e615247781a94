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
    ergon::StepOptions options;
    options.retry = ergon::RetryPolicy{3, 100ms, 2.0, std::chrono::minutes(1), {}};
    const int attempt = co_await ctx.step(
        QStringLiteral("flaky"),
        [this, &ctx] {
            if (ctx.attempt() <= m_failTimes)
                throw ergon::StepError(QStringLiteral("flaky"),
                                       QStringLiteral("attempt %1 fails on purpose (fail_times = %2)")
                                           .arg(ctx.attempt())
                                           .arg(m_failTimes));
            return ctx.attempt();
        },
        options);
    co_return attempt;
}
