#include "ordersplugin.h"

#include "orderprocessor.h"
#include "timedorderprocessor.h"

ergon::Result<std::unique_ptr<ergon::Flow>> OrdersPlugin::create(const QString &type,
                                                                 const QJsonObject &arguments) const
{
    if (type == QLatin1String("orders.OrderProcessor"))
        return ergon::makeFlow<OrderProcessor>(arguments);
    if (type == QLatin1String("orders.TimedOrderProcessor"))
        return ergon::makeFlow<TimedOrderProcessor>(arguments);
    return ergon::Error(QStringLiteral("the orders plugin has no flow type '%1'").arg(type));
}
