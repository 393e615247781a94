#include "greeterplugin.h"

#include <ergon/flowcontext.h>

namespace {

// greeter.Greet: two durable steps. Arguments arrive validated against greeter.json, with
// defaults filled in.
class Greet : public ergon::Flow
{
public:
    explicit Greet(ergon::FlowArguments &arguments)
        : m_name(arguments.string(QStringLiteral("name")))
        , m_excited(arguments.boolean(QStringLiteral("excited"), false))
    {
    }

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override
    {
        const QString who = co_await ctx.step(QStringLiteral("look_up"), [this] { return m_name.trimmed(); });
        // A body with non-trivial captures is named first (a GCC 12 coroutine bug otherwise).
        auto greet = [who, this] {
            return QStringLiteral("Hello, %1%2").arg(who, m_excited ? QStringLiteral("!") : QStringLiteral("."));
        };
        co_return co_await ctx.step(QStringLiteral("greet"), std::move(greet));
    }

private:
    QString m_name;
    bool m_excited;
};

} // namespace

ergon::Result<std::unique_ptr<ergon::Flow>> GreeterPlugin::create(const QString &type,
                                                                  const QJsonObject &arguments) const
{
    if (type == QLatin1String("greeter.Greet"))
        return ergon::makeFlow<Greet>(arguments);
    return ergon::Error(QStringLiteral("the greeter plugin has no flow type '%1'").arg(type));
}
