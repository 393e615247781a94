// The detail pane of the Flows page: steps and attempts as a tree model updated in place, the
// timeline, formatted JSON, the buttons and their requests, and stale snapshots ignored.

#include "models/consoleformat.h"
#include "models/flowformat.h"
#include "models/flowstepsmodel.h"
#include "pages/flowdetailpane.h"
#include "widgets/steptimeline.h"

#include "ergontest.h"

#include "ergon/flowregistry.h"

#include <QAbstractItemModelTester>
#include <QHeaderView>
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

        // What hovering along the first lane reads, left to right: the three attempts, each
        // with its error, and the back-offs between them; the bars of failed attempts are red.
        QStringList tips;
        const QRect lane = timeline.laneRect(0);
        const QImage image = timeline.grab().toImage();
        QList<int> failedAt;
        for (int x = lane.left(); x <= lane.right(); ++x) {
            const QString tip = timeline.toolTipAt(QPoint(x, lane.center().y()));
            if (!tip.isEmpty() && (tips.isEmpty() || tips.constLast() != tip)) {
                tips.append(tip);
                if (tip.contains(QLatin1String("fails on purpose")))
                    failedAt.append(x + 4); // inside the bar, past the slack and the edge
            }
        }
        QCOMPARE(tips.size(), 5);
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(tips.at(2 * i).startsWith(QStringLiteral("flaky — attempt %1\n50 ms on worker-1").arg(i + 1)),
                     qPrintable(tips.at(2 * i)));
            QVERIFY(tips.at(2 * i).endsWith(QStringLiteral("attempt %1 fails on purpose").arg(i + 1)));
        }
        QCOMPARE(tips.at(1), QStringLiteral("flaky — back-off 350 ms"));
        const QColor red = flowformat::statusColor(StepStatus::Failed, timeline.palette());
        QCOMPARE(failedAt.size(), 3);
        for (const int x : std::as_const(failedAt))
            QCOMPARE(image.pixelColor(QPoint(x, lane.center().y()) * image.devicePixelRatio()).name(), red.name());
        // The timer's lane: its pending bar up to the fire time.
        const QRect napLane = timeline.laneRect(1);
        QVERIFY(timeline.toolTipAt(QPoint(napLane.right() - 2, napLane.center().y()))
                    .startsWith(QLatin1String("Timer nap\n3 s, fires at")));
        QVERIFY(timeline.sizeHint().height() > 2 * timeline.fontMetrics().height());

        timeline.clear();
        QCOMPARE(timeline.laneCount(), 0);
        QVERIFY(timeline.toolTipAt(lane.center()).isEmpty());
    }

    // Defect 9: the Duration column is the time spent in attempts. Two attempts of 0 ms a
    // minute and 18 s apart (a failure, then a manual retry) took 0 ms, not "1 min 18 s"; and
    // durations read one way everywhere ("1 min 05 s" in the table as on the Timers page).
    void stepDurationIsTheTimeInAttempts()
    {
        FlowDetailPane pane;
        pane.resize(900, 600);
        pane.show();
        pane.showFlow(7);
        StepRecord retried;
        retried.flowId = 7;
        retried.name = QStringLiteral("charge");
        retried.status = StepStatus::Completed;
        retried.started = t0;
        retried.attempts = 2;
        retried.attemptLog = {attempt(1, 0, 0, QStringLiteral("card declined")), attempt(2, 78'000, 78'000)};
        retried.attemptStarted = retried.attemptLog.constLast().started;
        retried.finished = retried.attemptLog.constLast().finished;
        StepRecord slow;
        slow.flowId = 7;
        slow.seq = 1;
        slow.name = QStringLiteral("ship");
        slow.status = StepStatus::Completed;
        slow.started = t0.addSecs(80);
        slow.attempts = 1;
        slow.attemptStarted = slow.started;
        slow.finished = slow.started.addSecs(65);
        FlowDetailSnapshot snapshot = snapshotOf(FlowStatus::Completed, {retried, slow});
        snapshot.readAt = t0.addSecs(200);
        pane.showDetail(snapshot);

        QAbstractItemModel *steps = pane.stepsView()->model();
        QCOMPARE(steps->index(0, FlowStepsModel::DurationColumn).data().toString(), QStringLiteral("0 ms"));
        QVERIFY(steps->index(0, FlowStepsModel::DurationColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .startsWith(QStringLiteral("0 ms in 2 attempts, 1 min 18 s from the first start to the end")));
        QCOMPARE(steps->index(1, FlowStepsModel::DurationColumn).data().toString(), QStringLiteral("1 min 05 s"));
        QCOMPARE(style::duration(std::chrono::seconds(65)), QStringLiteral("1 min 05 s"));

        // A step running its third attempt: the two before and the one under way.
        StepRecord running = flakyStep(2, false);
        running.status = StepStatus::Running;
        running.attempts = 3;
        running.nextAttemptAt = {};
        running.attemptStarted = t0.addSecs(60);
        FlowDetailSnapshot now = snapshotOf(FlowStatus::Running, {running}, 8);
        now.readAt = t0.addMSecs(60'400);
        pane.showFlow(8);
        pane.showDetail(now);
        QCOMPARE(steps->index(0, FlowStepsModel::DurationColumn).data().toString(), QStringLiteral("500 ms"));
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

    // Defect 10: a flow whose own code threw after its only step completed has no step to
    // retry; the replay would run the same code and fail the same way. The button is off and
    // says why, the line under the status says what would help; with a new version of the
    // type loaded, a retry runs new code and the button is on again.
    void retryOfAFlowWhoseOwnCodeThrew()
    {
        FlowRegistry sameVersion;
        FlowTypeInfo info;
        info.name = QStringLiteral("demo.Flaky");
        info.version = 1;
        QVERIFY(sameVersion.add(info, [](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
            return Error(QStringLiteral("unused"));
        }));
        FlowRegistry newVersion;
        info.version = 2;
        QVERIFY(newVersion.add(info, [](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
            return Error(QStringLiteral("unused"));
        }));

        FlowDetailPane pane;
        pane.resize(900, 600);
        pane.show();
        pane.setRegistry(&sameVersion);
        QSignalSpy retry(&pane, &FlowDetailPane::retryRequested);
        StepRecord done;
        done.flowId = 7;
        done.name = QStringLiteral("fetch");
        done.status = StepStatus::Completed;
        done.started = t0;
        done.finished = t0.addMSecs(20);
        done.attempts = 1;
        FlowDetailSnapshot threw = snapshotOf(FlowStatus::Failed, {done});
        threw.flow->error = QStringLiteral("TypeError: total is not a number");
        threw.flow->typeVersion = 1;
        pane.showFlow(7);
        pane.showDetail(threw);

        QVERIFY(!pane.retryButton()->isEnabled());
        QVERIFY2(pane.retryButton()->toolTip().contains(QLatin1String("No step failed")),
                 qPrintable(pane.retryButton()->toolTip()));
        QVERIFY(pane.retryButton()->toolTip().contains(QLatin1String("fails the same way")));
        QVERIFY2(pane.explanation().text.startsWith(QLatin1String("Failed: TypeError: total is not a number")),
                 qPrintable(pane.explanation().text));
        QVERIFY(pane.explanation().text.contains(QLatin1String("load it with a new version")));
        QTest::mouseClick(pane.retryButton(), Qt::LeftButton);
        QCOMPARE(retry.size(), 0);

        // Version 2 loaded: a retry runs other code, and says so.
        pane.setRegistry(&newVersion);
        QVERIFY(pane.retryButton()->isEnabled());
        QVERIFY(pane.retryButton()->toolTip().contains(QLatin1String("version 2")));
        QTest::mouseClick(pane.retryButton(), Qt::LeftButton);
        QCOMPARE(retry.size(), 1);
        QCOMPARE(retry.first().at(1).toString(), QString()); // no step named: the flow runs again
    }

    // Defect 7: in a pane as narrow as the Flows page gives it at 1440 px, the step table's
    // Error column is on screen and wide enough to read (the worker and the tries give way),
    // and the whole error of the selected attempt is shown below the table.
    void errorColumnReadableInANarrowPane()
    {
        FlowDetailPane pane;
        pane.resize(480, 640);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        pane.showFlow(7);
        pane.showDetail(snapshotOf(FlowStatus::Failed, {flakyStep(3, true)}));
        QTreeView *view = pane.stepsView();
        QHeaderView *header = view->header();
        QVERIFY(!header->isSectionHidden(FlowStepsModel::ErrorColumn));
        const int errorLeft = header->sectionViewportPosition(FlowStepsModel::ErrorColumn);
        const int errorWidth = header->sectionSize(FlowStepsModel::ErrorColumn);
        QVERIFY2(
            errorLeft >= 0 && errorLeft + errorWidth <= view->viewport()->width(),
            qPrintable(QStringLiteral("%1 + %2 in %3").arg(errorLeft).arg(errorWidth).arg(view->viewport()->width())));
        QVERIFY2(errorWidth >= view->fontMetrics().averageCharWidth() * 24, qPrintable(QString::number(errorWidth)));
        QVERIFY(header->isSectionHidden(FlowStepsModel::WorkerColumn));
        QVERIFY(!header->isSectionHidden(FlowStepsModel::NameColumn));
        QVERIFY(!header->isSectionHidden(FlowStepsModel::StatusColumn));

        // Wide again: every column is back.
        pane.resize(1100, 640);
        QTRY_VERIFY(!header->isSectionHidden(FlowStepsModel::WorkerColumn));

        // The second attempt selected by click: its error, whole, below the table.
        pane.resize(480, 640);
        QTRY_VERIFY(header->isSectionHidden(FlowStepsModel::WorkerColumn));
        QCOMPARE(pane.stepErrorText(), QString());
        const QModelIndex second = view->model()->index(1, FlowStepsModel::NameColumn, view->model()->index(0, 0));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(second).center());
        QCOMPARE(view->currentIndex().row(), 1);
        QCOMPARE(pane.stepErrorText(), QStringLiteral("flaky, attempt 2: attempt 2 fails on purpose"));
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
