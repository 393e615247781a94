#pragma once

#include <ergon/flowplugin.h>

#include <QObject>

// versioned.Order, version 2, for the flow-version tests of tst_plugincatalog. Version 2
// renames the first step, so a flow recorded by version 1 diverges when version 2 replays it.
class VersionedV2Plugin : public QObject, public ergon::FlowPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ErgonFlowPlugin_iid FILE "versioned.json")
    Q_INTERFACES(ergon::FlowPlugin)

public:
    ergon::Result<std::unique_ptr<ergon::Flow>> create(const QString &type,
                                                       const QJsonObject &arguments) const override;
};
