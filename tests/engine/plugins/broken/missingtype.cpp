#include "missingtype.h"

QCoro::Task<QJsonValue> PresentFlow::run(ergon::FlowContext &)
{
    co_return QJsonValue(true);
}
