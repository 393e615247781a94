// The "why is it not moving" line, as a pure function of (flow, steps, workers, registry, now):
// one row per case, at fixed times.

#include "models/flowstatusexplainer.h"

#include "ergontest.h"

#include <ergon/flowregistry.h>

#include <QTest>

using namespace ergon;
using Kind = FlowStatusExplanation::Kind;

Q_DECLARE_METATYPE(ergon::WorkerRecord)
Q_DECLARE_METATYPE(ergon::FlowStatusExplanation::Kind)

namespace {

const QDateTime now = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

FlowRecord flow(FlowStatus status, const QString &type = QStringLiteral("demo.Flaky"))
{
    FlowRecord record;
    record.id = 7;
    record.type = type;
    record.status = status;
    record.created = now.addSecs(-600);
    record.updated = now.addSecs(-10);
    record.runAt = record.created;
    return record;
}

StepRecord step(const QString &name, StepStatus status, StepKind kind = StepKind::Step)
{
    StepRecord record;
    record.flowId = 7;
    record.name = name;
    record.status = status;
    record.kind = kind;
    record.started = now.addSecs(-30);
    record.attemptStarted = record.started;
    record.attempts = 1;
    record.worker = QStringLiteral("w1");
    return record;
}

WorkerRecord worker(const QString &name, qint64 heartbeatAgeMs, WorkerStatus status = WorkerStatus::Alive)
{
    WorkerRecord record;
    record.name = name;
    record.heartbeat = now.addMSecs(-heartbeatAgeMs);
    record.started = now.addSecs(-3600);
    record.leaseMs = 30000;
    record.status = status;
    return record;
}

} // namespace

class TestFlowStatusExplainer : public QObject
{
    Q_OBJECT

    FlowRegistry m_registry;

private Q_SLOTS:
    void initTestCase()
    {
        for (const QString &type :
             {QStringLiteral("demo.Flaky"), QStringLiteral("demo.Sleeper"), QStringLiteral("demo.Pipeline")}) {
            FlowTypeInfo info;
            info.name = type;
            ERGON_VERIFY_OK(m_registry.add(info, [](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
                return Error(QStringLiteral("not in this test"));
            }));
        }
    }

    void explains_data()
    {
        QTest::addColumn<FlowRecord>("flow");
        QTest::addColumn<QList<StepRecord>>("steps");
        QTest::addColumn<QList<WorkerRecord>>("workers");
        QTest::addColumn<bool>("withRegistry");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QStringList>("fragments");
        QTest::addColumn<QDateTime>("until");

        const QList<WorkerRecord> alive{worker(QStringLiteral("w1"), 1000)};
        const QList<WorkerRecord> none;

        QTest::newRow("completed") << flow(FlowStatus::Completed) << QList<StepRecord>{} << alive << true << Kind::None
                                   << QStringList{} << QDateTime();
        QTest::newRow("cancelled") << flow(FlowStatus::Cancelled) << QList<StepRecord>{} << alive << true << Kind::None
                                   << QStringList{} << QDateTime();
        {
            StepRecord failed = step(QStringLiteral("flaky"), StepStatus::Failed);
            failed.attempts = 3;
            failed.error = QStringLiteral("attempt 3 fails on purpose");
            QTest::newRow("failed") << flow(FlowStatus::Failed) << QList<StepRecord>{failed} << alive << true
                                    << Kind::Failed
                                    << QStringList{QStringLiteral("step ‘flaky’"), QStringLiteral("3 attempts"),
                                                   QStringLiteral("Retry failed step")}
                                    << QDateTime();
        }
        {
            FlowRecord failed = flow(FlowStatus::Failed);
            failed.error = QStringLiteral("arguments: missing 'x'\nmore");
            QTest::newRow("failed without a step")
                << failed << QList<StepRecord>{} << alive << true << Kind::Failed
                << QStringList{QStringLiteral("Failed: arguments: missing 'x'")} << QDateTime();
        }
        {
            StepRecord nap = step(QStringLiteral("nap"), StepStatus::Running, StepKind::Timer);
            nap.nextAttemptAt = now.addSecs(192);
            QTest::newRow("timer") << flow(FlowStatus::Waiting, QStringLiteral("demo.Sleeper"))
                                   << QList<StepRecord>{nap} << alive << true << Kind::Timer
                                   << QStringList{QStringLiteral("Waiting on timer ‘nap’, fires in 3 min 12 s")}
                                   << now.addSecs(192);
            nap.nextAttemptAt = now.addSecs(-5);
            QTest::newRow("timer fired, worker alive")
                << flow(FlowStatus::Waiting, QStringLiteral("demo.Sleeper")) << QList<StepRecord>{nap} << alive << true
                << Kind::Timer << QStringList{QStringLiteral("Timer ‘nap’ fired 5 s ago")} << now.addSecs(-5);
            QTest::newRow("timer fired, no worker")
                << flow(FlowStatus::Waiting, QStringLiteral("demo.Sleeper")) << QList<StepRecord>{nap} << none << true
                << Kind::NoWorker << QStringList{QStringLiteral("no worker is alive")} << now.addSecs(-5);
        }
        {
            FlowRecord running = flow(FlowStatus::Running);
            running.leaseOwner = QStringLiteral("w1");
            running.leaseExpires = now.addSecs(20);
            running.runStarted = now.addSecs(-2);
            StepRecord retrying = step(QStringLiteral("flaky"), StepStatus::Retrying);
            retrying.attempts = 2;
            retrying.error = QStringLiteral("attempt 2 fails on purpose");
            retrying.nextAttemptAt = now.addMSecs(1500);
            QTest::newRow("backing off") << running << QList<StepRecord>{retrying} << alive << true << Kind::Backoff
                                         << QStringList{QStringLiteral("Backing off until"), QStringLiteral("in 1.5 s"),
                                                        QStringLiteral("‘flaky’ failed attempt 2"),
                                                        QStringLiteral("attempt 2 fails on purpose")}
                                         << now.addMSecs(1500);

            const QList<WorkerRecord> lost{worker(QStringLiteral("w1"), 125'000)};
            QTest::newRow("worker lost") << running << QList<StepRecord>{retrying} << lost << true << Kind::WorkerLost
                                         << QStringList{QStringLiteral("Its worker ‘w1’ was lost"),
                                                        QStringLiteral(
                                                            "last heartbeat 2 min 05 s ago"), // the one duration format
                                                        QStringLiteral("lease expires in 20 s")}
                                         << now.addSecs(20);
            const QList<WorkerRecord> stopped{worker(QStringLiteral("w1"), 1000, WorkerStatus::Stopped)};
            QTest::newRow("worker stopped")
                << running << QList<StepRecord>{} << stopped << true << Kind::WorkerLost
                << QStringList{QStringLiteral("Its worker ‘w1’ stopped")} << now.addSecs(20);

            FlowRecord expired = running;
            expired.leaseOwner = QStringLiteral("direct");
            expired.leaseExpires = now.addSecs(-12);
            QTest::newRow("lease expired")
                << expired << QList<StepRecord>{} << alive << true << Kind::LeaseExpired
                << QStringList{QStringLiteral("‘direct’, whose lease expired 12 s ago")} << now.addSecs(-12);

            FlowRecord prefetched = running;
            prefetched.runStarted = QDateTime();
            QTest::newRow("prefetched") << prefetched << QList<StepRecord>{} << alive << true << Kind::Prefetched
                                        << QStringList{QStringLiteral("Prefetched by ‘w1’")} << now.addSecs(20);

            StepRecord done = step(QStringLiteral("step-1"), StepStatus::Completed);
            done.finished = now.addSecs(-1);
            StepRecord busy = step(QStringLiteral("step-2"), StepStatus::Running);
            busy.seq = 1;
            busy.attemptStarted = now.addMSecs(-350);
            QTest::newRow("running a step")
                << running << QList<StepRecord>{done, busy} << alive << true << Kind::Running
                << QStringList{QStringLiteral("Running step ‘step-2’ on ‘w1’ for 350 ms")} << QDateTime();
        }
        {
            FlowRecord later = flow(FlowStatus::Pending);
            later.runAt = now.addSecs(192);
            QTest::newRow("pending, due later")
                << later << QList<StepRecord>{} << alive << true << Kind::Scheduled
                << QStringList{QStringLiteral("Pending, due in 3 min 12 s")} << now.addSecs(192);
            FlowRecord due = flow(FlowStatus::Pending);
            due.runAt = now.addSecs(-4);
            due.priority = 3;
            QTest::newRow("pending, due, worker alive")
                << due << QList<StepRecord>{} << alive << true << Kind::Queued
                << QStringList{QStringLiteral("Queued for 4 s (priority 3)"), QStringLiteral("1 worker")}
                << now.addSecs(-4);
            QTest::newRow("pending, due, no worker")
                << due << QList<StepRecord>{} << QList<WorkerRecord>{worker(QStringLiteral("w1"), 60'000)} << true
                << Kind::NoWorker << QStringList{QStringLiteral("Due for 4 s, but no worker is alive")}
                << now.addSecs(-4);
        }
        {
            const FlowRecord unknown = flow(FlowStatus::Pending, QStringLiteral("billing.Invoice"));
            QTest::newRow("unknown type")
                << unknown << QList<StepRecord>{} << alive << true << Kind::UnknownType
                << QStringList{QStringLiteral("No loaded plugin has type ‘billing.Invoice’")} << QDateTime();
            QTest::newRow("unknown type, registry not known")
                << unknown << QList<StepRecord>{} << alive << false << Kind::Queued << QStringList{} << unknown.runAt;
            QTest::newRow("unknown type, failed")
                << flow(FlowStatus::Failed, QStringLiteral("billing.Invoice")) << QList<StepRecord>{} << alive << true
                << Kind::Failed << QStringList{} << QDateTime();
        }
    }

    void explains()
    {
        QFETCH(FlowRecord, flow);
        QFETCH(QList<StepRecord>, steps);
        QFETCH(QList<WorkerRecord>, workers);
        QFETCH(bool, withRegistry);
        QFETCH(Kind, kind);
        QFETCH(QStringList, fragments);
        QFETCH(QDateTime, until);

        const FlowStatusExplanation explanation =
            explainFlowStatus(flow, steps, workers, withRegistry ? &m_registry : nullptr, now);
        QCOMPARE(int(explanation.kind), int(kind));
        QCOMPARE(explanation.text.isEmpty(), kind == Kind::None);
        for (const QString &fragment : std::as_const(fragments))
            QVERIFY2(explanation.text.contains(fragment),
                     qPrintable(explanation.text + QStringLiteral(" lacks ") + fragment));
        QCOMPARE(explanation.until, until);
    }

    void failedStepIsTheLastFailedOne()
    {
        StepRecord first = step(QStringLiteral("a"), StepStatus::Completed);
        StepRecord second = step(QStringLiteral("b"), StepStatus::Failed);
        QCOMPARE(failedStepName({first, second}), QStringLiteral("b"));
        QCOMPARE(failedStepName({first}), QString());
    }
};

QTEST_MAIN(TestFlowStatusExplainer)
#include "tst_flowstatusexplainer.moc"
