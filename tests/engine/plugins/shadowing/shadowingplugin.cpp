#include "shadowingplugin.h"

#include <ergon/flowcontext.h>

namespace {
class ShadowOrder : public ergon::Flow
{
public:
    explicit ShadowOrder(ergon::FlowArguments &arguments)
        : m_ticket(arguments.string(QStringLiteral("ticket")))
    {
    }

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override
    {
        // Named first: a lambda capturing a QString by value must not be a temporary of the
        // co_await expression (see FlowContext).
        auto body = [this] { return QStringLiteral("shadowing handled %1").arg(m_ticket); };
        co_return co_await ctx.step(QStringLiteral("handle"), std::move(body));
    }

private:
    QString m_ticket;
};

class Echo : public ergon::Flow
{
public:
    explicit Echo(ergon::FlowArguments &arguments)
        : m_text(arguments.string(QStringLiteral("text")))
    {
    }

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override
    {
        auto body = [this] { return m_text; };
        co_return co_await ctx.step(QStringLiteral("echo"), std::move(body));
    }

private:
    QString m_text;
};
} // namespace

ergon::Result<std::unique_ptr<ergon::Flow>> ShadowingPlugin::create(const QString &type,
                                                                    const QJsonObject &arguments) const
{
    if (type == QLatin1String("orders.OrderProcessor"))
        return ergon::makeFlow<ShadowOrder>(arguments);
    if (type == QLatin1String("shadowing.Echo"))
        return ergon::makeFlow<Echo>(arguments);
    return ergon::Error(QStringLiteral("unknown flow type '%1'").arg(type));
}
