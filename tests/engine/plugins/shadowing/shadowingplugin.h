#pragma once

#include <ergon/flowplugin.h>

#include <QObject>

// For the plugin-shadowing tests (issue 11, defect 5): provides orders.OrderProcessor with other
// arguments than the bundled orders plugin ({"ticket"}), and shadowing.Echo, a type of its own.
// Both complete with a result that names this plugin.
class ShadowingPlugin : public QObject, public ergon::FlowPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ErgonFlowPlugin_iid FILE "shadowing.json")
    Q_INTERFACES(ergon::FlowPlugin)

public:
    ergon::Result<std::unique_ptr<ergon::Flow>> create(const QString &type,
                                                       const QJsonObject &arguments) const override;
};
