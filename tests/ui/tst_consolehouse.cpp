// The console window as a first-time user meets it (issue 13), driven by clicks and keys: the
// detail pane follows the row clicked after the table's rows changed; the Flows page's filter
// counts are the sidebar's; bad files are refused with a dialog that names them; Ctrl+Q asks
// while this console's workers run flows; an empty database offers the next actions; Escape
// clears the search; File › Open starts beside the open database; Help lists the shortcuts.

#include "consoletest.h"
#include "ergontest.h"
#include "models/flowtablemodel.h"
#include "pages/flowdetailpane.h"
#include "pages/flowspage.h"
#include "pages/overviewpage.h"
#include "shell/mainwindow.h"
#include "shell/scheduledialog.h"
#include "widgets/sidebar.h"
#include "widgets/statussummary.h"

#include <ergon/clock.h>
#include <ergon/flowexecutor.h>

#include <QComboBox>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTextBrowser>

using namespace ergon;
using namespace ergon::test;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

MainWindow::Options windowOptions()
{
    MainWindow::Options options;
    options.persistent = false;
    options.session.reader.interval = 200ms;
    options.session.workers.shutdownDeadline = 5s;
    return options;
}

QMessageBox *visibleMessageBox(const QWidget &window)
{
    for (QMessageBox *box : window.findChildren<QMessageBox *>()) {
        if (box->isVisible())
            return box;
    }
    return nullptr;
}

QAbstractButton *buttonOf(QMessageBox *box, QMessageBox::ButtonRole role)
{
    for (QAbstractButton *button : box->buttons()) {
        if (box->buttonRole(button) == role)
            return button;
    }
    return nullptr;
}

// A click in the middle of a table row.
void clickRow(QTableView *view, int row, Qt::KeyboardModifiers modifiers = {})
{
    const QRect rect = view->visualRect(view->model()->index(row, FlowTableModel::TypeColumn));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, rect.center());
}

// Picks an item of a combo box with the keyboard, as a user would.
void chooseWithKeys(QComboBox *box, int index)
{
    box->setFocus();
    while (box->currentIndex() < index)
        QTest::keyClick(box, Qt::Key_Down);
    while (box->currentIndex() > index)
        QTest::keyClick(box, Qt::Key_Up);
}

} // namespace

class TestConsoleHouse : public QObject
{
    Q_OBJECT

    PluginCatalog m_catalog;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        loadBundledPlugins(m_catalog);
    }

    // Defects 1 and 5: Failed filter on, select three of the four failed flows, Retry 3. The
    // table then holds one flow; clicking it shows it (not the flow picked before), and the
    // status filter's count is the sidebar's, at once (live updates paused: only the reads
    // that follow the command).
    void detailFollowsTheClickAndCountsAgreeAfterARetry()
    {
        ConsoleDatabase db;
        {
            auto log = db.open();
            QVERIFY(log);
            FakeClock clock;
            FlowExecutor executor(*log, m_catalog.registry(), clock);
            for (int i = 0; i < 4; ++i) {
                ERGON_AWAIT_OUTCOME(failed, executor.runNew(u"demo.Flaky"_s, {{u"fail_times"_s, 4}}));
                QCOMPARE(failed.status, FlowStatus::Failed);
            }
        }
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions());
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy opened(&window, &MainWindow::databaseOpened);
        window.openDatabase(db.path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
        QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier); // the Flows page
        FlowsPage *flows = window.flowsPage();
        QTRY_COMPARE_WITH_TIMEOUT(flows->model()->rowCount(), 4, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(flows->statusBox()->itemText(5), u"Failed (4)"_s, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(window.sidebar()->badge(MainWindow::OverviewPageIndex), u"4 failed"_s, 5000);

        chooseWithKeys(flows->statusBox(), flows->statusBox()->findData(int(FlowStatus::Failed)));
        QCOMPARE(flows->filter().status, std::optional<FlowStatus>(FlowStatus::Failed));
        QTRY_VERIFY_WITH_TIMEOUT(flows->lastSnapshot().generation == flows->filterGeneration(), 5000);
        window.setPaused(true);

        QTableView *view = flows->view();
        clickRow(view, 0);
        clickRow(view, 2, Qt::ShiftModifier);
        const QList<qint64> picked = flows->selectedFlowIds();
        QCOMPARE(picked.size(), 3);
        QTRY_COMPARE(flows->detailPane()->flowId(), picked.last());
        const qint64 left = flows->model()->flowAt(3).id;

        QCOMPARE(flows->bulkRetryButton()->text(), u"Retry 3"_s);
        QTest::mouseClick(flows->bulkRetryButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(flows->model()->rowCount(), 1, 10000);
        QCOMPARE(flows->model()->flowAt(0).id, left);

        // Defect 5: the filter's count and the sidebar's come from the same snapshot.
        QTRY_COMPARE_WITH_TIMEOUT(flows->statusBox()->itemText(5), u"Failed (1)"_s, 5000);
        QCOMPARE(window.sidebar()->badge(MainWindow::OverviewPageIndex), u"1 failed"_s);
        QVERIFY2(flows->statusText().contains(u"Retried 3 flows."_s), qPrintable(flows->statusText()));

        // Defect 1: the click shows the flow clicked, and its Retry acts on it.
        clickRow(view, 0);
        QTRY_COMPARE(flows->detailPane()->flowId(), left);
        QCOMPARE(flows->currentFlowId(), left);
    }

    // Defect 6 and File › Open: an empty file is not made into a database, a file that is not
    // one is refused; each gets a dialog naming it and why; a database that opens clears it.
    void badFilesAreRefusedWithADialog()
    {
        ConsoleDatabase good(u"good.db"_s);
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy opened(&window, &MainWindow::databaseOpened);
        QSignalSpy failed(&window, &MainWindow::databaseFailed);
        window.openDatabase(good.path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);

        const QString empty = good.folder() + u"/empty.db"_s;
        QVERIFY(QFile(empty).open(QIODevice::WriteOnly));
        QTest::keyClick(&window, Qt::Key_O, Qt::ControlModifier);
        QFileDialog *chooser = nullptr;
        QTRY_VERIFY((chooser = window.findChild<QFileDialog *>()) != nullptr);
        QCOMPARE(QDir(chooser->directory()).canonicalPath(), QDir(good.folder()).canonicalPath());
        chooser->selectFile(empty);
        QVERIFY(QMetaObject::invokeMethod(chooser, "accept"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = visibleMessageBox(window)) != nullptr);
        QVERIFY2(box->text().contains(u"empty.db"_s), qPrintable(box->text()));
        QVERIFY2(box->informativeText().contains(u"empty"_s), qPrintable(box->informativeText()));
        QCOMPARE(QFileInfo(empty).size(), qint64(0)); // not made into a database
        QCOMPARE(window.databasePath(), good.path());
        QTest::mouseClick(buttonOf(box, QMessageBox::AcceptRole), Qt::LeftButton);
        QTRY_VERIFY(!visibleMessageBox(window));

        const QString notes = good.folder() + u"/notes.db"_s;
        {
            QFile file(notes);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(4096, 'x'));
        }
        window.openDatabase(notes);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 5000);
        QTRY_VERIFY((box = visibleMessageBox(window)) != nullptr);
        QVERIFY2(box->text().contains(u"notes.db"_s), qPrintable(box->text()));
        // The engine's reason, whatever its words, in full.
        QVERIFY(box->informativeText().startsWith(failed.at(1).at(1).toString()));
        QVERIFY(!window.summary()->messageText().isEmpty());

        ConsoleDatabase other(u"other.db"_s);
        window.openDatabase(other.path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, 5000);
        QTRY_VERIFY(!visibleMessageBox(window));
        QCOMPARE(window.summary()->messageText(), QString());
    }

    // Defect 13: Ctrl+Q while this console's workers run flows asks, with the counts; Keep
    // Running keeps them; Stop Workers and Quit stops them, then the window closes.
    void quitAsksWhileWorkersRunFlows()
    {
        ConsoleDatabase db;
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy opened(&window, &MainWindow::databaseOpened);
        window.openDatabase(db.path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
        window.session()->workers()->start(1, 4);
        ScheduleRequest request;
        request.type = u"demo.Pipeline"_s;
        request.arguments = {{u"steps"_s, 1}, {u"step_ms"_s, 1500}};
        window.session()->schedule(request, 2);
        QTRY_COMPARE_WITH_TIMEOUT(window.session()->workers()->inFlight(), 2, 10000);

        QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = visibleMessageBox(window)) != nullptr);
        QVERIFY2(box->text().contains(u"1 worker"_s) && box->text().contains(u"2 flows"_s), qPrintable(box->text()));
        QVERIFY2(box->informativeText().contains(u"hands its flows back"_s), qPrintable(box->informativeText()));
        QTest::mouseClick(buttonOf(box, QMessageBox::RejectRole), Qt::LeftButton);
        QTest::qWait(200);
        QVERIFY(window.isVisible());
        QVERIFY(!window.session()->workers()->isEmpty());

        window.activateWindow(); // the question had the focus
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
        QTRY_VERIFY((box = visibleMessageBox(window)) != nullptr);
        QTest::mouseClick(buttonOf(box, QMessageBox::AcceptRole), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 15000);
        QVERIFY(window.session()->workers()->isEmpty());
    }

    // First run, Escape and Help: an empty database offers to schedule a flow (the Schedule
    // dialog opens) and to start workers (the Workers page); Escape clears the search; Help
    // lists the shortcuts and shows the README.
    void emptyConsoleOffersTheNextActions()
    {
        ConsoleDatabase db;
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy opened(&window, &MainWindow::databaseOpened);
        window.openDatabase(db.path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
        window.showPage(MainWindow::FlowsPageIndex);
        FlowsPage *flows = window.flowsPage();
        QTRY_VERIFY_WITH_TIMEOUT(flows->scheduleButton()->isVisible(), 5000);
        QVERIFY(flows->note()->text().contains(u"Ctrl+N"_s));
        QTest::mouseClick(flows->scheduleButton(), Qt::LeftButton);
        QTRY_VERIFY(window.findChild<ScheduleDialog *>() && window.findChild<ScheduleDialog *>()->isVisible());
        window.findChild<ScheduleDialog *>()->close();
        QTest::mouseClick(flows->workersButton(), Qt::LeftButton);
        QCOMPARE(window.currentPage(), MainWindow::WorkersPageIndex);

        window.showPage(MainWindow::FlowsPageIndex);
        QLineEdit *search = flows->searchField();
        search->setFocus();
        QTest::keyClicks(search, u"ORD-1"_s);
        QCOMPARE(flows->filter().text, u"ORD-1"_s);
        QTest::keyClick(search, Qt::Key_Escape);
        QCOMPARE(search->text(), QString());
        QCOMPARE(flows->filter().text, QString());

        QTest::keyClick(&window, Qt::Key_F1);
        QDialog *shortcuts = nullptr;
        QTRY_VERIFY((shortcuts = window.findChild<QDialog *>(u"shortcuts"_s)) != nullptr);
        const QString list = shortcuts->findChild<QTextBrowser *>()->toPlainText();
        for (const QString &expected : {u"Ctrl+Q"_s, u"Ctrl+N"_s, u"F5"_s, u"Esc"_s, u"Schedule"_s})
            QVERIFY2(list.contains(expected), qPrintable(expected));
        window.showReadme();
        QDialog *readme = nullptr;
        QTRY_VERIFY((readme = window.findChild<QDialog *>(u"readme"_s)) != nullptr);
        QVERIFY(readme->findChild<QTextBrowser *>()->toPlainText().contains(u"Ergon Console"_s));
    }
};

QTEST_MAIN(TestConsoleHouse)
#include "tst_consolehouse.moc"
