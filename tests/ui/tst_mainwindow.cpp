// The console's window: pages in a sidebar with shortcuts, a database opened on the session's
// threads (title, status bar, recent list), switched to another one without waiting, a bad one
// refused while the current one stays; in-process workers stopped before the window closes;
// and never a call to the log from the GUI thread. Also `ergon-console --screenshots`.

#include "consoletest.h"
#include "ergontest.h"
#include "models/flowtablemodel.h"
#include "pages/flowspage.h"
#include "pages/overviewpage.h"
#include "pages/workerspage.h"
#include "session/consolesession.h"
#include "session/workerpool.h"
#include "shell/mainwindow.h"
#include "shell/scheduledialog.h"
#include "threadrecordinglog.h"
#include "widgets/argumentform.h"
#include "widgets/sidebar.h"
#include "widgets/statussummary.h"

#include <QFile>
#include <QImage>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        loadBundledPlugins(m_catalog);
    }

    void pagesDatabasesAndNoSqlOnTheGuiThread()
    {
        auto record = std::make_shared<ThreadRecord>();
        MainWindow::Options options;
        options.persistent = false;
        options.session.reader.interval = 200ms;
        options.session.workers.shutdownDeadline = 2s;
        options.openerFactory = [record](const QString &path) {
            return ThreadRecordingLog::wrap(MainWindow::defaultOpener(path), record);
        };
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, options);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy opened(&window, &MainWindow::databaseOpened);
        QSignalSpy failed(&window, &MainWindow::databaseFailed);
        QSignalSpy snapshots(&window, &MainWindow::snapshotShown);
        QSignalSpy flows(&window, &MainWindow::flowsShown);

        ConsoleDatabase first(u"first.db"_s);
        window.openDatabase(first.path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
        QCOMPARE(window.databasePath(), first.path());
        QCOMPARE(window.windowTitle(), u"first.db — Ergon Console"_s);
        QVERIFY(window.summary()->databaseText().endsWith(u"first.db"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty() && !flows.isEmpty(), 5000);

        // Pages: Ctrl+1 … Ctrl+5.
        for (int page = MainWindow::PageCount - 1; page >= 0; --page) {
            QTest::keyClick(&window, Qt::Key(Qt::Key_1 + page), Qt::ControlModifier);
            QCOMPARE(int(window.currentPage()), page);
            QCOMPARE(window.sidebar()->currentRow(), page);
        }

        // Refresh rate (View › Refresh Rate › 5 s) and F5.
        QAction *fiveSeconds = nullptr;
        for (QAction *action : window.findChildren<QAction *>()) {
            if (action->isCheckable() && action->data().toInt() == 5000)
                fiveSeconds = action;
        }
        QVERIFY(fiveSeconds);
        fiveSeconds->trigger();
        QCOMPARE(window.refreshInterval(), std::chrono::milliseconds(5s));
        QVERIFY(fiveSeconds->isChecked());
        QCOMPARE(window.summary()->refreshText(), u"refresh every 5 s"_s);
        QTest::qWait(300);
        const qsizetype before = snapshots.size();
        QTest::keyClick(&window, Qt::Key_F5);
        QTRY_COMPARE_WITH_TIMEOUT(snapshots.size(), before + 1, 2000);
        window.setRefreshInterval(200ms);

        // A worker started from the Workers page runs what the session schedules.
        window.workersPage()->countBox()->setValue(1);
        window.workersPage()->startButton()->click();
        ScheduleRequest request;
        request.type = u"demo.Pipeline"_s;
        window.session()->schedule(request, 3);
        QTRY_COMPARE_WITH_TIMEOUT(window.overviewPage()->countText(FlowStatus::Completed), u"3"_s, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(window.sidebar()->badge(MainWindow::FlowsPageIndex), u"3"_s, 2000);
        QTRY_VERIFY_WITH_TIMEOUT(window.summary()->workersText().startsWith(u"1 worker alive"_s), 2000);
        QVERIFY2(window.summary()->messageText().contains(u"Scheduled"_s), qPrintable(window.summary()->messageText()));

        // Another database: the window switches once it is open; the first session's worker stops.
        QPointer<ConsoleSession> firstSession = window.session();
        ConsoleDatabase second(u"second.db"_s);
        window.openDatabase(second.path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, 5000);
        QCOMPARE(window.windowTitle(), u"second.db — Ergon Console"_s);
        QCOMPARE(window.recentDatabases(), (QStringList{second.path(), first.path()}));
        QTRY_COMPARE_WITH_TIMEOUT(window.overviewPage()->countText(FlowStatus::Completed), u"0"_s, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(firstSession.isNull(), 10000); // retired: threads ended, worker stopped

        // A file that is not a database: refused, the window stays where it is.
        const QString bad = first.folder() + u"/notes.db"_s;
        {
            QFile file(bad);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("these are notes, not a database\n");
        }
        window.openDatabase(bad);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QCOMPARE(failed.first().first().toString(), bad);
        QCOMPARE(window.databasePath(), second.path());
        QCOMPARE(window.windowTitle(), u"second.db — Ergon Console"_s);
        // Said in a dialog that names the file; OK closes it.
        QTRY_VERIFY(window.openFailureDialog() && window.openFailureDialog()->isVisible());
        QVERIFY2(window.openFailureDialog()->text().contains(u"notes.db"_s),
                 qPrintable(window.openFailureDialog()->text()));
        QTest::mouseClick(window.openFailureDialog()->button(QMessageBox::Ok), Qt::LeftButton);
        QTRY_VERIFY(!window.openFailureDialog());

        // Closing with a worker running: asked first; the worker stops, then the window closes.
        window.session()->workers()->start(1, 2);
        QVERIFY(!window.close());
        QVERIFY(window.isVisible());
        QMessageBox *question = nullptr;
        const auto quitQuestion = [&window] {
            for (QMessageBox *box : window.findChildren<QMessageBox *>()) {
                if (box->isVisible() && box->windowTitle() == u"Quit Ergon Console"_s)
                    return box;
            }
            return static_cast<QMessageBox *>(nullptr);
        };
        QTRY_VERIFY((question = quitQuestion()) != nullptr);
        QPushButton *quit = nullptr;
        for (QAbstractButton *button : question->buttons()) {
            if (question->buttonRole(button) == QMessageBox::AcceptRole)
                quit = qobject_cast<QPushButton *>(button);
        }
        QVERIFY(quit);
        QTest::mouseClick(quit, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 10000);
        QVERIFY(window.session()->workers()->isEmpty());

        QVERIFY(record->total() > 0);
        QCOMPARE(record->callsOn(QThread::currentThread()), QStringList());
    }

    // The first line end to end: schedule through the dialog, the flows appear in Flows
    // and complete with in-process workers; a demo.Flaky that failed is retried from Flows
    // (select, Retry) and completes.
    void scheduleThroughTheDialogAndRetry()
    {
        MainWindow::Options options;
        options.persistent = false;
        options.session.reader.interval = 200ms;
        options.session.workers.shutdownDeadline = 2s;
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, options);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy opened(&window, &MainWindow::databaseOpened);
        ConsoleDatabase db;
        window.openDatabase(db.path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
        window.workersPage()->countBox()->setValue(2);
        window.workersPage()->startButton()->click();

        QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
        auto *dialog = window.findChild<ScheduleDialog *>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QVERIFY(dialog->setFlowType(u"demo.Pipeline"_s));
        dialog->countBox()->setValue(3);
        QTRY_VERIFY(dialog->scheduleButton()->isEnabled());
        dialog->scheduleButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(dialog->statusText().contains(u"Scheduled"_s), qPrintable(dialog->statusText()),
                                  5000);

        window.showPage(MainWindow::FlowsPageIndex);
        FlowTableModel *flows = window.flowsPage()->model();
        const auto completed = [flows] {
            int count = 0;
            for (int row = 0; row < flows->rowCount(); ++row)
                count +=
                    flows->index(row, 0).data(FlowTableModel::FlowStatusRole).toInt() == int(FlowStatus::Completed);
            return count;
        };
        QTRY_COMPARE_WITH_TIMEOUT(flows->rowCount(), 3, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(completed(), 3, 10000);

        // demo.Flaky with fail_times = 3 fails its three attempts; a retry's fourth succeeds.
        QVERIFY(dialog->setFlowType(u"demo.Flaky"_s));
        auto *failTimes = qobject_cast<QAbstractSpinBox *>(dialog->argumentForm()->editor(u"fail_times"_s));
        QVERIFY(failTimes);
        failTimes->setFocus();
        failTimes->selectAll();
        QTest::keyClicks(failTimes, u"3"_s);
        dialog->countBox()->setValue(2);
        QTRY_VERIFY(dialog->scheduleButton()->isEnabled());
        dialog->scheduleButton()->click();
        dialog->close();
        const auto failedRows = [flows] {
            QList<int> rows;
            for (int row = 0; row < flows->rowCount(); ++row) {
                if (flows->index(row, 0).data(FlowTableModel::FlowStatusRole).toInt() == int(FlowStatus::Failed))
                    rows.append(row);
            }
            return rows;
        };
        QTRY_COMPARE_WITH_TIMEOUT(failedRows().size(), 2, 10000);

        QTableView *view = window.flowsPage()->view();
        view->selectionModel()->clearSelection();
        for (const int row : failedRows()) {
            const QModelIndex index = view->model()->index(row, 0);
            QVERIFY(index.isValid());
            view->selectionModel()->select(index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        QTRY_VERIFY(window.flowsPage()->bulkRetryButton()->isEnabled());
        window.flowsPage()->bulkRetryButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(completed(), 5, 10000);
        QVERIFY2(window.summary()->messageText().contains(u"Retried"_s), qPrintable(window.summary()->messageText()));
        QTRY_COMPARE_WITH_TIMEOUT(window.overviewPage()->countText(FlowStatus::Completed), u"5"_s, 5000);

        window.session()->workers()->stopAll();
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->workers()->isEmpty(), 10000);
    }

    void screenshots()
    {
        ConsoleDatabase db;
        {
            auto log = db.open();
            QVERIFY(log);
            NewFlow flow;
            flow.type = u"demo.Pipeline"_s;
            ERGON_VERIFY_OK(log->scheduleFlows(QList<NewFlow>(5, flow), QDateTime::currentDateTimeUtc()));
        }
        QTemporaryDir shots;
        QProcess console;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        environment.insert(u"HOME"_s, shots.path()); // the console's settings stay out of the user's
        console.setProcessEnvironment(environment);
        console.start(QStringLiteral(ERGON_CONSOLE_PATH), {u"--db"_s, db.path(), u"--screenshots"_s, shots.path()});
        QVERIFY(console.waitForFinished(60'000));
        QVERIFY2(console.exitStatus() == QProcess::NormalExit && console.exitCode() == 0,
                 console.readAllStandardError().constData());
        for (const QString &page : {u"overview"_s, u"flows"_s, u"workers"_s, u"timers"_s, u"plugins"_s}) {
            const QImage image(shots.filePath(page + u".png"_s));
            QVERIFY2(!image.isNull(), qPrintable(page));
            QCOMPARE(image.size(), QSize(1280, 800));
        }
    }

private:
    PluginCatalog m_catalog;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
