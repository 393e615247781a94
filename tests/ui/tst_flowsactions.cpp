// The Flows page acting on flows, against real SQLite files: demo.Flaky retried from the detail
// pane and in bulk, a flow scheduled through the Schedule dialog that a worker completes, and a
// database that cannot be opened.

#include "models/flowstepsmodel.h"
#include "pages/flowdetailpane.h"
#include "shell/scheduledialog.h"
#include "widgets/argumentform.h"

#include "ergontest.h"
#include "flowspagefixture.h"

#include <ergon/clock.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>

#include <QAbstractSpinBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace ergon;
using namespace ergon::flowstest;
using namespace std::chrono_literals;

class TestFlowsActions : public QObject
{
    Q_OBJECT

    PluginCatalog m_catalog;
    QTemporaryDir m_dir;
    int m_files = 0;

    QString newPath() { return m_dir.filePath(QStringLiteral("flows-%1.db").arg(++m_files)); }

    const FlowRegistry &registry() const { return m_catalog.registry(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
        QVERIFY(m_catalog.failedPlugins().isEmpty());
    }

    void retriesAFailedFlakyFlow()
    {
        const QString path = newPath();
        ERGON_TRY(log, SqliteExecutionLog::open(path));
        FakeClock clock;
        FlowExecutor executor(*log, registry(), clock);
        ERGON_AWAIT_OUTCOME(failed, executor.runNew(QStringLiteral("demo.Flaky"), {{QStringLiteral("fail_times"), 4}}));
        QCOMPARE(failed.status, FlowStatus::Failed);
        const qint64 id = failed.flowId;

        PageOnSession pageSession(path, registry(), 100ms);
        FlowsPage &page = pageSession.page;
        page.setRegistry(&registry());
        page.resize(1200, 700);
        page.show();
        QSignalSpy first(&page, &FlowsPage::firstPageShown);
        QVERIFY(first.wait(10000));
        QCOMPARE(page.model()->rowCount(), 1);
        QCOMPARE(statusOf(page, id), FlowStatus::Failed);

        page.view()->selectRow(viewRow(page, id));
        QTRY_VERIFY_WITH_TIMEOUT(page.detailPane()->retryButton()->isEnabled(), 10000);
        QCOMPARE(int(page.detailPane()->explanation().kind), int(FlowStatusExplanation::Kind::Failed));
        QVERIFY(page.detailPane()->explanation().text.contains(QStringLiteral("‘flaky’")));
        QCOMPARE(page.detailPane()->stepsModel()->rowCount(), 1);
        QCOMPARE(page.detailPane()->stepsModel()->rowCount(page.detailPane()->stepsModel()->index(0, 0)), 3);

        // The session's commands retry it (due now, by the system clock); then a worker's run.
        SystemClock systemClock;
        FlowExecutor retryExecutor(*log, registry(), systemClock);
        QSignalSpy finished(&pageSession.session, &ConsoleSession::commandFinished);
        QTest::mouseClick(page.detailPane()->retryButton(), Qt::LeftButton);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(1).toString(), QStringLiteral("Retried flow %1.").arg(id));
        QTRY_VERIFY_WITH_TIMEOUT(page.statusText().contains(QStringLiteral("Retried flow %1.").arg(id)), 10000);
        ERGON_TRY(pending, log->flow(id));
        QVERIFY(pending.has_value());
        QCOMPARE(pending->status, FlowStatus::Pending);
        ERGON_AWAIT_OUTCOME(retried, retryExecutor.run(id));
        QCOMPARE(retried.status, FlowStatus::Completed);
        page.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(page, id), FlowStatus::Completed, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(page.detailPane()->resultText() == QLatin1String("5"), 10000);
        QVERIFY(!page.detailPane()->retryButton()->isEnabled());
        QVERIFY(page.detailPane()->explanation().text.isEmpty());
    }

    void retriesSeveralInBulk()
    {
        const QString path = newPath();
        ERGON_TRY(log, SqliteExecutionLog::open(path));
        FakeClock clock;
        FlowExecutor executor(*log, registry(), clock);
        QList<qint64> failedIds;
        for (int i = 0; i < 3; ++i) {
            ERGON_AWAIT_OUTCOME(failed,
                                executor.runNew(QStringLiteral("demo.Flaky"), {{QStringLiteral("fail_times"), 4}}));
            failedIds.prepend(failed.flowId); // newest first, as the table shows them
        }
        ERGON_AWAIT_OUTCOME(done, executor.runNew(QStringLiteral("demo.Pipeline"), {{QStringLiteral("steps"), 2}}));
        QCOMPARE(done.status, FlowStatus::Completed);

        PageOnSession pageSession(path, registry(), 100ms);
        FlowsPage &page = pageSession.page;
        page.show();
        QSignalSpy first(&page, &FlowsPage::firstPageShown);
        QVERIFY(first.wait(10000));
        QCOMPARE(page.model()->rowCount(), 4);
        page.view()->selectAll();
        QCOMPARE(page.selectedFlowIds().size(), 4);
        QVERIFY(page.bulkRetryButton()->isEnabled());
        QCOMPARE(page.bulkRetryButton()->text(), QStringLiteral("Retry 3"));
        QVERIFY(!page.bulkCancelButton()->isEnabled());

        // The failed ones (not the completed one), retried by the session's commands.
        SystemClock systemClock;
        FlowExecutor retryExecutor(*log, registry(), systemClock);
        QSignalSpy finished(&pageSession.session, &ConsoleSession::commandFinished);
        QTest::mouseClick(page.bulkRetryButton(), Qt::LeftButton);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(1).toString(), QStringLiteral("Retried 3 flows."));
        for (const qint64 id : std::as_const(failedIds)) {
            ERGON_AWAIT_OUTCOME(retried, retryExecutor.run(id));
            QCOMPARE(retried.status, FlowStatus::Completed);
        }
        for (const qint64 id : std::as_const(failedIds))
            QTRY_COMPARE_WITH_TIMEOUT(statusOf(page, id), FlowStatus::Completed, 10000);
        QTRY_VERIFY(!page.bulkRetryButton()->isEnabled());
        // The selection survived the refreshes.
        QCOMPARE(page.selectedFlowIds().size(), 4);
    }

    void scheduledThroughTheDialogAndCompletedByAWorker()
    {
        const QString path = newPath();
        ERGON_TRY(log, SqliteExecutionLog::open(path));
        SystemClock clock;
        FlowScheduler scheduler(*log, registry(), clock);
        PageOnSession pageSession(path, registry(), 100ms);
        FlowsPage &page = pageSession.page;
        page.setRegistry(&registry());
        page.show();
        QSignalSpy first(&page, &FlowsPage::firstPageShown);
        QVERIFY(first.wait(10000));
        QCOMPARE(page.model()->rowCount(), 0);

        ScheduleDialog dialog(registry());
        connect(&dialog, &ScheduleDialog::scheduleRequested, this, [&](const ScheduleRequest &request, int count) {
            // What the window's commands do off the GUI thread, here inline.
            const auto ids = scheduler.scheduleMany(QList<ScheduleRequest>(count, request));
            if (ids)
                dialog.showFinished(tr("Scheduled %n flow(s).", nullptr, int(ids->size())));
            else
                dialog.showFailed(ids.errorString());
        });
        dialog.show();
        QVERIFY(dialog.setFlowType(QStringLiteral("demo.Pipeline")));
        auto *steps = qobject_cast<QAbstractSpinBox *>(dialog.argumentForm()->editor(QStringLiteral("steps")));
        QVERIFY(steps);
        steps->setFocus();
        steps->selectAll();
        QTest::keyClicks(steps, QStringLiteral("2"));
        dialog.countBox()->setValue(2);
        QTest::mouseClick(dialog.scheduleButton(), Qt::LeftButton);
        QVERIFY(!dialog.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 2, 10000);
        QCOMPARE(page.model()->flowAt(0).arguments.value(QStringLiteral("steps")).toInt(), 2);

        auto worker = FlowWorker(opener(path), registry()).withName(QStringLiteral("w1")).withConcurrency(4).start();
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(page, page.model()->flowAt(0).id), FlowStatus::Completed, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(page, page.model()->flowAt(1).id), FlowStatus::Completed, 15000);
        page.showFlow(page.model()->flowAt(0).id);
        QTRY_COMPARE_WITH_TIMEOUT(page.detailPane()->stepsModel()->rowCount(), 2, 10000);
        worker->shutdownAndWait(5s);
    }

    void showsWhyTheDatabaseCannotBeOpened()
    {
        PageOnSession pageSession(m_dir.filePath(QStringLiteral("no/such/folder/x.db")), registry(), 0ms);
        FlowsPage &page = pageSession.page;
        page.show();
        QTRY_VERIFY_WITH_TIMEOUT(page.statusText().contains(QLatin1String("Cannot open")), 10000);
        QCOMPARE(page.model()->rowCount(), 0);
    }
};

QTEST_MAIN(TestFlowsActions)
#include "tst_flowsactions.moc"
