#include "versionedplugin.h"

#include <ergon/flowcontext.h>

namespace {
class VersionedOrder : public ergon::Flow
{
public:
    explicit VersionedOrder(ergon::FlowArguments &) { }

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override
    {
        co_await ctx.step(QStringLiteral("reserve_stock"), [] { return true; });
        co_await ctx.sleep(QStringLiteral("settle"), std::chrono::seconds(1));
        co_return co_await ctx.step(QStringLiteral("ship"), [] { return QStringLiteral("shipped by version 2"); });
    }
};
} // namespace

ergon::Result<std::unique_ptr<ergon::Flow>> VersionedV2Plugin::create(const QString &,
                                                                      const QJsonObject &arguments) const
{
    return ergon::makeFlow<VersionedOrder>(arguments);
}
