#include "sleeper.h"

#include <ergon/flowcontext.h>

#include <cmath>

Sleeper::Sleeper(ergon::FlowArguments &arguments)
    : m_nap(qint64(std::llround(std::max(0.0, arguments.number(QStringLiteral("seconds"), 1.0)) * 1000.0)))
{
}

QCoro::Task<QJsonValue> Sleeper::run(ergon::FlowContext &ctx)
{
    co_await ctx.sleep(QStringLiteral("nap"), m_nap);
    co_return co_await ctx.step(QStringLiteral("wake"), [] { return QStringLiteral("awake"); });
}
