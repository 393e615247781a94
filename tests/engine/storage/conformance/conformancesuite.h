#pragma once

// The shared fixture of the storage conformance suite: one set of rules that every ExecutionLog
// backend must follow. Each tst_executionlog_<area>.cpp derives its suite from ConformanceSuite,
// which opens a fresh log of each backend in ergon::test::backends() (global data rows) per test
// and brings flows into the states the rules start from, the way the engine does.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/executionlog.h>
#include <ergon/jsontext.h>

#include <QObject>
#include <QSet>
#include <QTest>

#include <memory>
#include <optional>

Q_DECLARE_METATYPE(std::optional<ergon::FlowStatus>)

namespace ergon::test {

/// The suites' epoch: every stored time is at(seconds) after it.
inline const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

inline QDateTime at(qint64 seconds)
{
    return t0.addSecs(seconds);
}

/// A clock that reads at(seconds).
inline FakeClock clockAt(qint64 seconds)
{
    return FakeClock(at(seconds));
}

NewFlow newFlow(const QString &type = QStringLiteral("orders.Process"), QJsonObject arguments = {});
StepRecord makeStep(qint64 flowId, int seq, const QString &name, StepStatus status, const QByteArray &result = {});
FlowUpdate makeUpdate(qint64 flowId, const QString &owner, FlowStatus status, const QDateTime &updated = at(5));
WorkerRecord workerRecord(const QString &name, const QDateTime &heartbeat, WorkerStatus status = WorkerStatus::Alive);
/// Every field of a worker on one line, so that QCOMPARE shows what differs.
QString describe(const WorkerRecord &worker);
QSet<qint64> idsOf(const QList<StealRecord> &steals);

class ConformanceSuite : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

protected:
    enum class State { Pending, Running, Waiting, Completed, Failed, Cancelled };
    /// A stored flow brought into the given state the way the engine does it.
    qint64 flowIn(State state);
    /// A flow set up for a claim at at(100) (see TestExecutionLogWrites::claimFlow_data()).
    qint64 flowForClaim(const QString &setup);
    /// A flow parked on a timer: a completed step 'a', then the timer at seq 1.
    qint64 waitingFlow(const QString &timerName, const QDateTime &fireAt,
                       const QString &type = QStringLiteral("orders.Process"));
    qint64 scheduled(int priority, const QDateTime &runAt, const QString &type = QStringLiteral("orders.Process"));
    std::optional<FlowRecord> stored(qint64 id);
    QString storedText(qint64 id);
    QString stepsText(qint64 id);

    std::unique_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;
};

} // namespace ergon::test
