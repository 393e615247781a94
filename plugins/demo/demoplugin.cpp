#include "demoplugin.h"

#include "flaky.h"
#include "pipeline.h"
#include "sleeper.h"

ergon::Result<std::unique_ptr<ergon::Flow>> DemoPlugin::create(const QString &type, const QJsonObject &arguments) const
{
    if (type == QLatin1String("demo.Pipeline"))
        return ergon::makeFlow<Pipeline>(arguments);
    if (type == QLatin1String("demo.Flaky"))
        return ergon::makeFlow<Flaky>(arguments);
    if (type == QLatin1String("demo.Sleeper"))
        return ergon::makeFlow<Sleeper>(arguments);
    return ergon::Error(QStringLiteral("the demo plugin has no flow type '%1'").arg(type));
}
