#pragma once

#include <ergon/flowplugin.h>

#include <QObject>

/// Provides demo.Pipeline, demo.Flaky and demo.Sleeper.
class DemoPlugin : public QObject, public ergon::FlowPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ErgonFlowPlugin_iid FILE "demo.json")
    Q_INTERFACES(ergon::FlowPlugin)

public:
    ergon::Result<std::unique_ptr<ergon::Flow>> create(const QString &type,
                                                       const QJsonObject &arguments) const override;
};
