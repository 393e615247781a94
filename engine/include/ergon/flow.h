#pragma once

#include <QCoroTask>
#include <QJsonValue>

namespace ergon {

class FlowContext;

/// A flow type: built from its JSON arguments, it runs as a coroutine whose durable steps go
/// through the FlowContext. run() is replayed from the top whenever a worker picks the flow
/// up again, so everything it does outside ctx.step() must be deterministic.
class Flow
{
public:
    virtual ~Flow() = default;

    [[nodiscard]] virtual QCoro::Task<QJsonValue> run(FlowContext &ctx) = 0;
};

} // namespace ergon
