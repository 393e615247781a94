#include "ergon/flowregistry.h"

#include <algorithm>

namespace ergon {

Result<void> FlowRegistry::add(FlowTypeInfo info, FlowFactory factory)
{
    if (info.name.isEmpty())
        return Error(QStringLiteral("a flow type needs a name"));
    if (const auto it = m_types.constFind(info.name); it != m_types.cend()) {
        const QString owner = it->info.plugin.isEmpty() ? QStringLiteral("another registration") : it->info.plugin;
        return Error(QStringLiteral("flow type '%1' is already provided by %2").arg(info.name, owner),
                     QStringLiteral("duplicate"));
    }
    const QString name = info.name;
    m_types.insert(name, Entry{std::move(info), std::move(factory)});
    return {};
}

const FlowTypeInfo *FlowRegistry::info(const QString &type) const
{
    const auto it = m_types.constFind(type);
    return it == m_types.cend() ? nullptr : &it->info;
}

QList<FlowTypeInfo> FlowRegistry::types() const
{
    QList<FlowTypeInfo> list;
    list.reserve(m_types.size());
    for (const Entry &entry : m_types)
        list.append(entry.info);
    std::sort(list.begin(), list.end(), [](const FlowTypeInfo &a, const FlowTypeInfo &b) { return a.name < b.name; });
    return list;
}

Result<QJsonObject> FlowRegistry::validate(const QString &type, const QJsonObject &arguments) const
{
    const FlowTypeInfo *found = info(type);
    if (!found)
        return Error(QStringLiteral("unknown flow type '%1'").arg(type), QStringLiteral("unknown-type"));
    auto validated = found->schema.validate(arguments);
    if (!validated)
        return validated.error().prefixed(type);
    return validated;
}

Result<std::unique_ptr<Flow>> FlowRegistry::create(const QString &type, const QJsonObject &arguments) const
{
    const auto it = m_types.constFind(type);
    if (it == m_types.cend())
        return Error(QStringLiteral("unknown flow type '%1'").arg(type), QStringLiteral("unknown-type"));
    auto validated = it->info.schema.validate(arguments);
    if (!validated)
        return validated.error().prefixed(type);
    auto flow = it->factory(*validated);
    if (!flow)
        return flow.error().prefixed(type);
    return flow;
}

} // namespace ergon
