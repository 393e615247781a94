#pragma once

#include "orderprocessor.h"
#include "timedorderprocessor.h"

#include <ergon/flowplugin.h>

#include <QObject>

/// Provides orders.OrderProcessor and orders.TimedOrderProcessor.
class OrdersPlugin : public QObject, public ergon::FlowPluginOf<OrderProcessor, TimedOrderProcessor>
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ErgonFlowPlugin_iid FILE "orders.json")
    Q_INTERFACES(ergon::FlowPlugin)
};
