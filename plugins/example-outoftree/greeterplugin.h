#pragma once

#include <ergon/flow.h>
#include <ergon/flowarguments.h>
#include <ergon/flowplugin.h>

#include <QObject>

// greeter.Greet: two durable steps. Arguments arrive validated against greeter.json, with
// defaults filled in.
class Greet : public ergon::Flow
{
public:
    static constexpr auto flowType = "greeter.Greet";

    explicit Greet(ergon::FlowArguments &arguments);

    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx) override;

private:
    QString m_name;
    bool m_excited;
};

// create() is generated from the list of flow classes, each named by its flowType (written
// there and in greeter.json; the console refuses the plugin if the metadata names a type the
// list lacks).
class GreeterPlugin : public QObject, public ergon::FlowPluginOf<Greet>
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ErgonFlowPlugin_iid FILE "greeter.json")
    Q_INTERFACES(ergon::FlowPlugin)
};
