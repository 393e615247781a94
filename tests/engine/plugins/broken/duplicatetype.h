#pragma once

#include <ergon/flowplugin.h>

#include <QObject>

// A deliberately broken plugin for tst_plugincatalog: claims a flow type the orders plugin provides.
class DuplicateTypePlugin : public QObject, public ergon::FlowPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID "org.ergon.FlowPlugin/1" FILE "duplicatetype.json")
    Q_INTERFACES(ergon::FlowPlugin)

public:
    ergon::Result<std::unique_ptr<ergon::Flow>> create(const QString &type, const QJsonObject &) const override
    {
        return ergon::Error(QStringLiteral("cannot create %1").arg(type));
    }
};
