// The detail pane of the Flows page: steps and attempts as a tree model updated in place, the
// timeline, formatted JSON, the buttons and their requests, and stale snapshots ignored.

#include "pages/flowdetailpane.h"
#include "models/flowstepsmodel.h"
#include "widgets/steptimeline.h"

#include "ergontest.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

using namespace ergon;

namespace {

const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

AttemptRecord attempt(int number, qint64 startMs, qint64 endMs, const QString &error = {})
{
    AttemptRecord record;
    record.number = number;
    record.started = t0.addMSecs(startMs);
    record.finished = endMs >= 0 ? t0.addMSecs(endMs) : QDateTime();
    record.error = error;
    record.worker = QStringLiteral("worker-1");
    return record;
}

StepRecord flakyStep(int failedAttempts, bool failedForGood)
{
    StepRecord step;
    step.flowId = 7;
    step.name = QStringLiteral("flaky");
    step.started = t0;
    step.worker = QStringLiteral("worker-1");
    for (int i = 1; i <= failedAttempts; ++i)
        step.attemptLog.append(
            attempt(i, (i - 1) * 400, (i - 1) * 400 + 50, QStringLiteral("attempt %1 fails on purpose").arg(i)));
    step.attempts = failedAttempts;
    step.attemptStarted = step.attemptLog.isEmpty() ? t0 : step.attemptLog.constLast().started;
    if (failedForGood) {
        step.status = StepStatus::Failed;
        step.error = step.attemptLog.constLast().error;
        step.finished = step.attemptLog.constLast().finished;
    } else {
        step.status = StepStatus::Retrying;
        step.error = step.attemptLog.isEmpty() ? QString() : step.attemptLog.constLast().error;
        step.nextAttemptAt = t0.addMSecs(failedAttempts * 400);
    }
    return step;
}

FlowDetailSnapshot snapshotOf(FlowStatus status, QList<StepRecord> steps, qint64 id = 7)
{
    FlowDetailSnapshot snapshot;
    snapshot.flowId = id;
    FlowRecord flow;
    flow.id = id;
    flow.type = QStringLiteral("demo.Flaky");
    flow.status = status;
    flow.arguments = {{QStringLiteral("fail_times"), 4}};
    flow.created = t0.addSecs(-1);
    flow.updated = t0.addSecs(1);
    if (status == FlowStatus::Failed)
        flow.error = QStringLiteral("step 'flaky' failed after 3 attempts: attempt 3 fails on purpose");
    if (status == FlowStatus::Completed)
        flow.resultJson = QByteArrayLiteral("{\"attempt\":5,\"ok\":true}");
    snapshot.flow = flow;
    snapshot.steps = std::move(steps);
    snapshot.readAt = t0.addSecs(2);
    WorkerRecord worker;
    worker.name = QStringLiteral("worker-1");
    worker.heartbeat = QDateTime::currentDateTimeUtc();
    snapshot.workers = {worker};
    return snapshot;
}

} // namespace

class TestFlowDetail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stepsModelGrowsInPlace()
    {
        FlowStepsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSteps(7, {flakyStep(1, false)}, t0.addSecs(1));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowCount(model.index(0, 0)), 0); // one attempt: no child rows

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.setSteps(7, {flakyStep(2, false)}, t0.addSecs(1));
        QCOMPARE(resets.size(), 0);
        QCOMPARE(model.rowCount(model.index(0, 0)), 2);
        const QModelIndex second = model.index(1, FlowStepsModel::ErrorColumn, model.index(0, 0));
        QCOMPARE(second.data().toString(), QStringLiteral("attempt 2 fails on purpose"));
        QCOMPARE(model.index(1, FlowStepsModel::NameColumn, model.index(0, 0)).data().toString(),
                 QStringLiteral("attempt 2"));
        QCOMPARE(model.index(0, FlowStepsModel::StatusColumn).data().toString(), QStringLiteral("retrying"));

        StepRecord next;
        next.flowId = 7;
        next.seq = 1;
        next.name = QStringLiteral("wake");
        next.status = StepStatus::Completed;
        next.started = t0.addSecs(2);
        next.finished = t0.addMSecs(2250);
        next.attempts = 1;
        model.setSteps(7, {flakyStep(3, true), next}, t0.addSecs(3));
        QCOMPARE(resets.size(), 0);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowCount(model.index(0, 0)), 3);
        QCOMPARE(model.index(0, FlowStepsModel::StatusColumn).data().toString(), QStringLiteral("failed"));
        QCOMPARE(model.index(0, FlowStepsModel::AttemptsColumn).data().toInt(), 3);
        QCOMPARE(model.index(1, FlowStepsModel::DurationColumn).data().toString(), QStringLiteral("250 ms"));

        // Another flow: a reset.
        model.setSteps(8, {next}, t0);
        QCOMPARE(resets.size(), 1);
        QCOMPARE(model.rowCount(), 1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void timelineLaysOutAttempts()
    {
        StepTimeline timeline;
        timeline.resize(500, 120);
        StepRecord nap;
        nap.seq = 1;
        nap.name = QStringLiteral("nap");
        nap.kind = StepKind::Timer;
        nap.status = StepStatus::Running;
        nap.started = t0.addMSecs(1000);
        nap.nextAttemptAt = t0.addMSecs(4000);
        timeline.setSteps({flakyStep(3, true), nap}, t0.addMSecs(1500));
        QCOMPARE(timeline.laneCount(), 2);
        QCOMPARE(timeline.span().first, t0);
        QCOMPARE(timeline.span().second, t0.addMSecs(4000));
        const QImage image = timeline.grab().toImage();
        QVERIFY(!image.isNull());
        QVERIFY(timeline.sizeHint().height() > 2 * timeline.fontMetrics().height());
        timeline.clear();
        QCOMPARE(timeline.laneCount(), 0);
        QVERIFY(!timeline.grab().isNull());
    }

    void paneShowsAFailedFlowAndAsksForRetry()
    {
        FlowDetailPane pane;
        pane.resize(700, 500);
        pane.show();
        QSignalSpy retry(&pane, &FlowDetailPane::retryRequested);
        QSignalSpy cancel(&pane, &FlowDetailPane::cancelRequested);

        pane.showFlow(7);
        QVERIFY(!pane.retryButton()->isEnabled());
        // A late answer for a flow shown before is not shown.
        pane.showDetail(snapshotOf(FlowStatus::Running, {}, 6));
        QVERIFY(!pane.snapshot().flow.has_value());

        pane.showDetail(snapshotOf(FlowStatus::Failed, {flakyStep(3, true)}));
        QVERIFY(pane.retryButton()->isEnabled());
        QVERIFY(!pane.cancelButton()->isEnabled());
        QCOMPARE(int(pane.explanation().kind), int(FlowStatusExplanation::Kind::Failed));
        QVERIFY(pane.argumentsText().contains(QLatin1String("\"fail_times\": 4")));
        QVERIFY(pane.errorText().contains(QLatin1String("attempt 3 fails on purpose")));
        QCOMPARE(pane.stepsModel()->rowCount(), 1);
        QVERIFY(pane.stepsView()->isExpanded(pane.stepsModel()->index(0, 0)));
        QCOMPARE(pane.timeline()->laneCount(), 1);

        QTest::mouseClick(pane.retryButton(), Qt::LeftButton);
        QCOMPARE(retry.size(), 1);
        QCOMPARE(retry.first().at(0).toLongLong(), qint64(7));
        QCOMPARE(retry.first().at(1).toString(), QStringLiteral("flaky"));
        QCOMPARE(cancel.size(), 0);
    }

    void paneShowsARunningFlowAndAsksForCancel()
    {
        FlowDetailPane pane;
        pane.show();
        QSignalSpy cancel(&pane, &FlowDetailPane::cancelRequested);
        pane.showFlow(7);
        FlowDetailSnapshot running = snapshotOf(FlowStatus::Running, {flakyStep(1, false)});
        running.flow->leaseOwner = QStringLiteral("worker-1");
        running.flow->runStarted = t0;
        running.flow->leaseExpires = QDateTime::currentDateTimeUtc().addSecs(30);
        pane.showDetail(running);
        QVERIFY(!pane.retryButton()->isEnabled());
        QVERIFY(pane.cancelButton()->isEnabled());
        QVERIFY(!pane.explanation().text.isEmpty());
        QTest::mouseClick(pane.cancelButton(), Qt::LeftButton);
        QCOMPARE(cancel.size(), 1);
        QCOMPARE(cancel.first().at(0).toLongLong(), qint64(7));

        // Completed: the result as formatted JSON, no line, no buttons.
        FlowDetailSnapshot completed = snapshotOf(FlowStatus::Completed, {});
        pane.showDetail(completed);
        QVERIFY(pane.resultText().contains(QLatin1String("\"attempt\": 5")));
        QVERIFY(pane.explanation().text.isEmpty());
        QVERIFY(!pane.cancelButton()->isEnabled());
        QVERIFY(pane.errorText().isEmpty());

        // Gone from the log.
        FlowDetailSnapshot gone;
        gone.flowId = 7;
        pane.showDetail(gone);
        QVERIFY(!pane.cancelButton()->isEnabled());
        pane.showFlow(0);
        QCOMPARE(pane.flowId(), qint64(0));
    }
};

QTEST_MAIN(TestFlowDetail)
#include "tst_flowdetail.moc"
