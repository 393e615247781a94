#pragma once

#include "gate.h"

#include <ergon/flow.h>
#include <ergon/flowregistry.h>

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace ergon::test {

/// What the test flows report to the test and what the test steers in them: how often each
/// step body ran (its side effect), and gates that hold a step body mid-way.
class Probe
{
public:
    void ran(const QString &step) { ++m_runs[step]; }
    int runs(const QString &step) const { return m_runs.value(step); }
    int totalRuns() const;

    /// Installs a closed gate in the body of the named step.
    Gate &gate(const QString &step);
    /// What the named step's body awaits: its gate, or nothing.
    Gate::Awaiter passGate(const QString &step);

private:
    QHash<QString, int> m_runs;
    QHash<QString, std::shared_ptr<Gate>> m_gates;
};

/// "test.pipeline" (arguments {"x": int}): three steps, load → enrich → store, each counting its
/// runs in the probe; enrich and store pass their gates (if any) mid-body. Returns
/// pipelineResult(x).
inline constexpr auto pipelineType = "test.pipeline";
Result<void> registerPipeline(FlowRegistry &registry, Probe &probe);
QJsonObject pipelineResult(qint64 x);

} // namespace ergon::test
