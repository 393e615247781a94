#include "greeterplugin.h"

#include <ergon/flowcontext.h>

Greet::Greet(ergon::FlowArguments &arguments)
    : m_name(arguments.string(QStringLiteral("name")))
    , m_excited(arguments.boolean(QStringLiteral("excited"), false))
{
}

QCoro::Task<QJsonValue> Greet::run(ergon::FlowContext &ctx)
{
    const QString who = co_await ctx.step(QStringLiteral("look_up"), [this] { return m_name.trimmed(); });
    // What the body needs beyond `this` goes in as arguments: step() copies them.
    co_return co_await ctx.step(
        QStringLiteral("greet"),
        [this](const QString &name) {
            return QStringLiteral("Hello, %1%2").arg(name, m_excited ? QStringLiteral("!") : QStringLiteral("."));
        },
        who);
}
