#pragma once

#include "flow.h"
#include "flowregistry.h"
#include "result.h"

#include <QJsonObject>
#include <QString>
#include <QtPlugin>

#include <QStringList>

#include <concepts>
#include <memory>

/// The interface identifier of flow plugins. The number is the interface version: a plugin
/// built against another version is refused with a clear error.
#define ErgonFlowPlugin_iid "org.ergon.FlowPlugin/1"

namespace ergon {

/// A Qt plugin that provides flow types.
///
/// Everything the console and the scheduler need to know is in the plugin's JSON metadata
/// (Q_PLUGIN_METADATA(IID ErgonFlowPlugin_iid FILE "myplugin.json")), read before the library
/// is instantiated:
/// \code
/// { "name": "orders", "version": "1.0.0", "description": "...",
///   "flowTypes": [ { "name": "orders.OrderProcessor", "version": 1, "description": "...",
///                    "arguments": [ { "name": "order_id", "type": "string", "required": true,
///                                     "description": "..." },
///                                   { "name": "amount", "type": "number", "default": 0 } ] } ] }
/// \endcode
/// Argument types: string, number, int, bool, object, array, any. The engine validates the
/// arguments against this schema (filling defaults) before a flow is stored, so create()
/// receives complete, well-typed arguments.
///
/// The plugin's constructor must do no work. create() is called from worker threads at once:
/// keep it free of shared mutable state.
class FlowPlugin
{
public:
    virtual ~FlowPlugin() = default;

    /// Builds a flow of one of the types the metadata declares, or says why it cannot.
    virtual Result<std::unique_ptr<Flow>> create(const QString &type, const QJsonObject &arguments) const = 0;
};

/// The flow types a plugin's create() builds, as FlowPluginOf lists them. The catalog asks a
/// plugin for it at load and refuses the plugin when its metadata declares a type it lacks.
class FlowTypeList
{
public:
    virtual ~FlowTypeList();
    virtual QStringList flowTypeNames() const = 0;
};

/// A Flow class that names its flow type, for FlowPluginOf:
///     static constexpr auto flowType = "orders.OrderProcessor";
template<typename F>
concept NamedFlowType = std::derived_from<F, Flow> && requires
{
    QLatin1String(F::flowType);
};

/// A plugin whose create() is generated from its flow classes, each naming its own type (as in
/// the metadata) once, in its `flowType`:
/// \code
/// class OrdersPlugin : public QObject, public ergon::FlowPluginOf<OrderProcessor, TimedOrderProcessor>
/// {
///     Q_OBJECT
///     Q_PLUGIN_METADATA(IID ErgonFlowPlugin_iid FILE "orders.json")
///     Q_INTERFACES(ergon::FlowPlugin)
/// };
/// \endcode
/// Each class is built by makeFlow<F>() from a FlowArguments.
template<NamedFlowType... Flows>
class FlowPluginOf : public FlowPlugin, public FlowTypeList
{
public:
    Result<std::unique_ptr<Flow>> create(const QString &type, const QJsonObject &arguments) const override
    {
        Result<std::unique_ptr<Flow>> made =
            Error(QStringLiteral("this plugin has no flow type '%1'").arg(type), QStringLiteral("unknown-type"));
        (void)((type == QLatin1String(Flows::flowType) && (made = makeFlow<Flows>(arguments), true)) || ...);
        return made;
    }

    QStringList flowTypeNames() const override { return {QString(QLatin1String(Flows::flowType))...}; }
};

} // namespace ergon

Q_DECLARE_INTERFACE(ergon::FlowPlugin, ErgonFlowPlugin_iid)
