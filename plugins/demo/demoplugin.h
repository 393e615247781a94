#pragma once

#include "approval.h"
#include "flaky.h"
#include "pipeline.h"
#include "sleeper.h"

#include <ergon/flowplugin.h>

#include <QObject>

/// Provides demo.Pipeline, demo.Flaky, demo.Sleeper and demo.Approval.
class DemoPlugin : public QObject, public ergon::FlowPluginOf<Pipeline, Flaky, Sleeper, Approval>
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ErgonFlowPlugin_iid FILE "demo.json")
    Q_INTERFACES(ergon::FlowPlugin)
};
