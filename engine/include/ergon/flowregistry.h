#pragma once

#include "argumentschema.h"
#include "flow.h"
#include "flowarguments.h"
#include "result.h"

#include <QHash>
#include <QString>

#include <functional>
#include <memory>

namespace ergon {

/// What is known of a flow type before any flow of it exists.
struct FlowTypeInfo {
    QString name;    ///< e.g. "orders.OrderProcessor"
    int version = 1; ///< recorded with every flow; replay names it when it diverges
    QString description;
    ArgumentSchema schema;
    QString plugin; ///< the plugin that provides it; empty for types registered in code
};

/// Builds a Flow subclass whose constructor reads a FlowArguments; a fault in the arguments
/// becomes the error. The usual body of FlowPlugin::create() is a dispatch to these.
template<typename F>
Result<std::unique_ptr<Flow>> makeFlow(const QJsonObject &arguments)
{
    FlowArguments reader(arguments);
    auto flow = std::make_unique<F>(reader);
    if (reader.error())
        return *reader.error();
    return std::unique_ptr<Flow>(std::move(flow));
}

using FlowFactory = std::function<Result<std::unique_ptr<Flow>>(const QJsonObject &arguments)>;

/// The flow types a process can run, by name. Plugins fill it through the catalog; tests and
/// embedders may register types in code. Not thread-safe for writes: fill it, then share it.
class FlowRegistry
{
public:
    Result<void> add(FlowTypeInfo info, FlowFactory factory);

    /// Registers a Flow subclass constructed from FlowArguments.
    template<typename F>
    Result<void> add(FlowTypeInfo info)
    {
        return add(std::move(info), &makeFlow<F>);
    }

    bool contains(const QString &type) const { return m_types.contains(type); }
    const FlowTypeInfo *info(const QString &type) const;
    QList<FlowTypeInfo> types() const;

    /// Validates arguments against the type's schema (filling defaults); errors name the type
    /// or the field at fault.
    Result<QJsonObject> validate(const QString &type, const QJsonObject &arguments) const;
    /// Builds a flow; an unknown type or bad arguments is a clear error.
    Result<std::unique_ptr<Flow>> create(const QString &type, const QJsonObject &arguments) const;

private:
    struct Entry {
        FlowTypeInfo info;
        FlowFactory factory;
    };
    QHash<QString, Entry> m_types;
};

} // namespace ergon
