#include "testflows.h"

#include <ergon/flowcontext.h>

using namespace Qt::StringLiterals;

namespace ergon::test {

int Probe::totalRuns() const
{
    int total = 0;
    for (int runs : m_runs)
        total += runs;
    return total;
}

Gate &Probe::gate(const QString &step)
{
    auto &gate = m_gates[step];
    if (!gate)
        gate = std::make_shared<Gate>();
    return *gate;
}

Gate::Awaiter Probe::passGate(const QString &step)
{
    const auto it = m_gates.constFind(step);
    return it == m_gates.cend() ? Gate::passThrough() : (*it)->wait();
}

namespace {

class PipelineFlow final : public Flow
{
public:
    PipelineFlow(FlowArguments &arguments, Probe &probe)
        : m_x(arguments.integer(u"x"_s))
        , m_probe(probe)
    {
    }

    // Named step bodies, passed as they are: step() copies them (a lambda with a QString
    // capture may not be written inside the co_await, see FlowContext::step).
    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        auto load = [this]() -> qint64 {
            m_probe.ran(u"load"_s);
            return m_x * 2;
        };
        const qint64 loaded = co_await ctx.step(u"load"_s, load);
        auto enrich = [this, loaded]() -> QCoro::Task<QString> {
            m_probe.ran(u"enrich"_s);
            co_await m_probe.passGate(u"enrich"_s);
            co_return u"v%1"_s.arg(loaded);
        };
        const QString enriched = co_await ctx.step(u"enrich"_s, enrich);
        auto store = [this, loaded, enriched]() -> QCoro::Task<QJsonObject> {
            m_probe.ran(u"store"_s);
            co_await m_probe.passGate(u"store"_s);
            co_return QJsonObject{{u"key"_s, u"%1-%2"_s.arg(enriched).arg(loaded + 1)}};
        };
        const QJsonObject stored = co_await ctx.step(u"store"_s, store);
        co_return QJsonObject{{u"load"_s, loaded}, {u"enrich"_s, enriched}, {u"store"_s, stored}};
    }

private:
    qint64 m_x;
    Probe &m_probe;
};

} // namespace

Result<void> registerPipeline(FlowRegistry &registry, Probe &probe)
{
    ArgumentSpec x;
    x.name = u"x"_s;
    x.type = ArgumentSpec::Type::Integer;
    x.required = true;
    FlowTypeInfo info;
    info.name = QString::fromLatin1(pipelineType);
    info.description = u"load, enrich, store"_s;
    info.schema = ArgumentSchema({x});
    return registry.add(std::move(info), [&probe](const QJsonObject &arguments) -> Result<std::unique_ptr<Flow>> {
        FlowArguments reader(arguments);
        auto flow = std::make_unique<PipelineFlow>(reader, probe);
        if (reader.error())
            return *reader.error();
        return std::unique_ptr<Flow>(std::move(flow));
    });
}

QJsonObject pipelineResult(qint64 x)
{
    const qint64 loaded = x * 2;
    const QString enriched = u"v%1"_s.arg(loaded);
    return QJsonObject{{u"load"_s, loaded},
                       {u"enrich"_s, enriched},
                       {u"store"_s, QJsonObject{{u"key"_s, u"%1-%2"_s.arg(enriched).arg(loaded + 1)}}}};
}

} // namespace ergon::test
