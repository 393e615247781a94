#pragma once

#include <ergon/flow.h>
#include <ergon/flowarguments.h>
#include <ergon/flowplugin.h>

#include <QObject>

class PresentFlow : public ergon::Flow
{
public:
    static constexpr auto flowType = "missing.Present";
    explicit PresentFlow(ergon::FlowArguments &) { }
    QCoro::Task<QJsonValue> run(ergon::FlowContext &) override;
};

// A deliberately broken plugin for tst_plugincatalog: its metadata declares missing.Present and
// missing.Absent, but its FlowPluginOf lists only missing.Present.
class MissingTypePlugin : public QObject, public ergon::FlowPluginOf<PresentFlow>
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID "org.ergon.FlowPlugin/1" FILE "missingtype.json")
    Q_INTERFACES(ergon::FlowPlugin)
};
