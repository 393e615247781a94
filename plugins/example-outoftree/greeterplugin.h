#pragma once

#include <ergon/flowplugin.h>

#include <QObject>

class GreeterPlugin : public QObject, public ergon::FlowPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ErgonFlowPlugin_iid FILE "greeter.json")
    Q_INTERFACES(ergon::FlowPlugin)

public:
    ergon::Result<std::unique_ptr<ergon::Flow>> create(const QString &type,
                                                       const QJsonObject &arguments) const override;
};
