// The console's window driven as a person drives it, by mouse clicks and keys rather than
// setters: the menus (schedule, open, refresh, pause, theme, quit with workers running), the
// theme actually applied to the application, a double click on an Overview failure or on a
// timer opening that flow, Schedule Like This from a flow's detail, and the settings (window,
// page, refresh rate, theme, the last scheduled type and arguments) surviving a new window on
// the same settings, and stopped workers forgotten from the Workers page.

#include "consoletest.h"
#include "ergontest.h"
#include "models/failurelistmodel.h"
#include "models/timertablemodel.h"
#include "models/workertablemodel.h"
#include "pages/flowdetailpane.h"
#include "pages/flowspage.h"
#include "pages/overviewpage.h"
#include "pages/timerspage.h"
#include "pages/workerspage.h"
#include "session/consolesession.h"
#include "session/workerpool.h"
#include "shell/mainwindow.h"
#include "shell/scheduledialog.h"
#include "widgets/argumentform.h"
#include "widgets/sidebar.h"
#include "widgets/statussummary.h"

#include <ergon/clock.h>
#include <ergon/flowexecutor.h>

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QFileDialog>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStyle>
#include <QStyleFactory>
#include <QTableView>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

QString plain(QString text)
{
    return text.remove(u'&');
}

QAction *actionNamed(const QList<QAction *> &actions, const QString &text)
{
    for (QAction *action : actions) {
        if (plain(action->text()) == text)
            return action;
    }
    return nullptr;
}

// Clicks through the menu bar: {"View", "Theme", "Dark"} opens View, then Theme, then clicks
// Dark. Fails the test when a step is missing.
void clickMenu(QMainWindow &window, const QStringList &path)
{
    QMenuBar *bar = window.menuBar();
    QAction *top = actionNamed(bar->actions(), path.first());
    QVERIFY2(top && top->menu(), qPrintable(path.first()));
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->actionGeometry(top).center());
    QMenu *menu = top->menu();
    QTRY_VERIFY2(menu->isVisible(), qPrintable(path.first()));
    for (qsizetype i = 1; i < path.size(); ++i) {
        QAction *action = actionNamed(menu->actions(), path.at(i));
        QVERIFY2(action, qPrintable(path.at(i)));
        QVERIFY2(action->isEnabled(), qPrintable(path.at(i)));
        QTest::mouseMove(menu, menu->actionGeometry(action).center());
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(action).center());
        if (action->menu()) {
            menu = action->menu();
            QTRY_VERIFY2(menu->isVisible(), qPrintable(path.at(i)));
        }
    }
    QTRY_VERIFY(!top->menu()->isVisible()); // a click on an action closes the menus
}

MainWindow::Options windowOptions(bool persistent = false)
{
    MainWindow::Options options;
    options.persistent = persistent;
    options.session.reader.interval = 200ms;
    options.session.workers.shutdownDeadline = 2s;
    options.session.workers.timerRefresh = 100ms;
    return options;
}

// Shows the window and opens the database at `path` in it, up to its first snapshot.
void showWithDatabase(MainWindow &window, const QString &path)
{
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy opened(&window, &MainWindow::databaseOpened);
    QSignalSpy snapshots(&window, &MainWindow::snapshotShown);
    window.openDatabase(path);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty(), 5000);
}

template<typename Box>
Box *visibleChild(const QWidget &window, const QString &title = {})
{
    for (Box *box : window.findChildren<Box *>()) {
        if (box->isVisible() && (title.isEmpty() || box->windowTitle() == title))
            return box;
    }
    return nullptr;
}

// Shortcuts reach the active window only: after a dialog closed, the window is made active
// again, as a person's click on it would.
void activate(QWidget &window)
{
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
}

QAbstractButton *buttonOf(QMessageBox *box, QMessageBox::ButtonRole role)
{
    for (QAbstractButton *button : box->buttons()) {
        if (box->buttonRole(button) == role)
            return button;
    }
    return nullptr;
}

// The view row showing a value of a role, -1 if none.
int rowWith(const QAbstractItemView *view, int role, const QVariant &value)
{
    const QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(role) == value)
            return row;
    }
    return -1;
}

void doubleClickRow(QAbstractItemView *view, int row, int column = 1)
{
    const QModelIndex index = view->model()->index(row, column);
    view->scrollTo(index);
    // As a person's double click arrives: a click, then the second press as a double click
    // (QTest::mouseDClick sends the latter alone).
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
}

} // namespace

class TestMainWindowInput : public QObject
{
    Q_OBJECT

    PluginCatalog m_catalog;
    QTemporaryDir m_settingsDir;
    QString m_systemStyle;

private Q_SLOTS:
    void initTestCase()
    {
        loadBundledPlugins(m_catalog);
        // The settings of this suite, in a folder of its own: never the user's.
        QVERIFY(m_settingsDir.isValid());
        QCoreApplication::setOrganizationName(u"ErgonTest"_s);
        QCoreApplication::setApplicationName(u"tst_mainwindowinput"_s);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        m_systemStyle = QApplication::style()->name();
    }

    void cleanup() { style::applyTheme(style::Theme::System); }

    void menusDriveTheWindow()
    {
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions());
        ConsoleDatabase db;
        showWithDatabase(window, db.path());
        if (QTest::currentTestFailed())
            return;
        QSignalSpy snapshots(&window, &MainWindow::snapshotShown);

        // Flows › Schedule…
        clickMenu(window, {u"Flows"_s, u"Schedule…"_s});
        QTRY_VERIFY(visibleChild<ScheduleDialog>(window));
        visibleChild<ScheduleDialog>(window)->close();

        // View › Refresh Rate › Pause Live Updates: no reads but those asked for (Refresh Now).
        clickMenu(window, {u"View"_s, u"Refresh Rate"_s, u"Pause Live Updates"_s});
        QVERIFY(window.session()->isPaused());
        QVERIFY2(window.summary()->refreshText().contains(u"paused"_s), qPrintable(window.summary()->refreshText()));
        QTest::qWait(100); // a read already under way when the pause came may still land
        const qsizetype before = snapshots.size();
        clickMenu(window, {u"View"_s, u"Refresh Now"_s});
        QTRY_COMPARE_WITH_TIMEOUT(snapshots.size(), before + 1, 5000);
        clickMenu(window, {u"View"_s, u"Refresh Rate"_s, u"Pause Live Updates"_s});
        QVERIFY(!window.session()->isPaused());

        // View › Refresh Rate › 2 s.
        clickMenu(window, {u"View"_s, u"Refresh Rate"_s, u"2 s"_s});
        QCOMPARE(window.refreshInterval(), std::chrono::milliseconds(2s));
        QCOMPARE(window.summary()->refreshText(), u"refresh every 2 s"_s);

        // File › Open Database… (Ctrl+O) starts in the open database's folder.
        QTest::keyClick(&window, Qt::Key_O, Qt::ControlModifier);
        QFileDialog *files = nullptr;
        QTRY_VERIFY((files = visibleChild<QFileDialog>(window)) != nullptr);
        QCOMPARE(QDir(files->directory()).canonicalPath(), QDir(db.folder()).canonicalPath());
        files->reject();

        // Ctrl+Q with a worker running asks; Keep Running keeps it; Stop Workers and Quit quits.
        window.session()->workers()->start(1, 2);
        activate(window);
        QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
        QMessageBox *question = nullptr;
        QTRY_VERIFY((question = visibleChild<QMessageBox>(window, u"Quit Ergon Console"_s)) != nullptr);
        QVERIFY2(question->text().contains(u"1 worker"_s), qPrintable(question->text()));
        QTest::mouseClick(buttonOf(question, QMessageBox::RejectRole), Qt::LeftButton);
        QTRY_VERIFY(!visibleChild<QMessageBox>(window, u"Quit Ergon Console"_s));
        QVERIFY(window.isVisible());
        QCOMPARE(window.session()->workers()->size(), 1);
        activate(window);
        QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
        QTRY_VERIFY((question = visibleChild<QMessageBox>(window, u"Quit Ergon Console"_s)) != nullptr);
        QTest::mouseClick(buttonOf(question, QMessageBox::AcceptRole), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 10000);
        QVERIFY(window.session()->workers()->isEmpty());
    }

    // Issue 13, defect 11: opening the View menu hid every sidebar badge. Each menu is opened
    // in turn and held open across live refreshes: the badges keep their text and the sidebar
    // keeps painting them as it did before the menu opened.
    void openMenusLeaveTheBadgesAlone()
    {
        ConsoleDatabase db;
        {
            auto log = db.open();
            QVERIFY(log);
            NewFlow flow;
            flow.type = u"demo.Pipeline"_s;
            QVERIFY(log->scheduleFlows({flow, flow, flow}, QDateTime::currentDateTimeUtc()));
        }
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions());
        showWithDatabase(window, db.path());
        if (QTest::currentTestFailed())
            return;
        QSignalSpy snapshots(&window, &MainWindow::snapshotShown);
        Sidebar *sidebar = window.sidebar();
        QTRY_VERIFY_WITH_TIMEOUT(!sidebar->badge(MainWindow::FlowsPageIndex).isEmpty(), 5000);
        QList<int> badged;
        for (int page = 0; page < sidebar->count(); ++page) {
            if (!sidebar->badge(page).isEmpty())
                badged.append(page);
        }
        QVERIFY(badged.contains(MainWindow::PluginsPageIndex));
        const auto paintedBadges = [&] {
            const QImage image = sidebar->grab().toImage();
            const qreal ratio = image.devicePixelRatio();
            QList<QImage> pills;
            for (const int page : std::as_const(badged)) {
                const QRect rect = sidebar->badgeRect(page);
                pills.append(image.copy(QRect(rect.topLeft() * ratio, rect.size() * ratio)));
            }
            return pills;
        };
        const QList<QImage> before = paintedBadges();

        for (QAction *top : window.menuBar()->actions()) {
            if (!top->menu())
                continue;
            const QString title = plain(top->text());
            QTest::mouseClick(window.menuBar(), Qt::LeftButton, {}, window.menuBar()->actionGeometry(top).center());
            QTRY_VERIFY2(top->menu()->isVisible(), qPrintable(title));
            const qsizetype shown = snapshots.size();
            QTRY_VERIFY_WITH_TIMEOUT(snapshots.size() >= shown + 2, 5000); // live refreshes go on
            for (const int page : std::as_const(badged))
                QVERIFY2(!sidebar->badge(page).isEmpty(),
                         qPrintable(title + u" menu open, page "_s + QString::number(page)));
            QVERIFY2(paintedBadges() == before, qPrintable(title + u" menu open"_s));
            QTest::keyClick(top->menu(), Qt::Key_Escape);
            QTRY_VERIFY2(!top->menu()->isVisible(), qPrintable(title));
            if (window.menuBar()->activeAction())
                QTest::keyClick(window.menuBar(), Qt::Key_Escape); // the bar keeps its focus after Escape
            QVERIFY2(paintedBadges() == before, qPrintable(title + u" menu closed"_s));
        }
    }

    // View › Theme: the application's style and palette change, and the window's with them.
    void themesChangeTheLook()
    {
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QColor dark(0x2b, 0x2d, 0x31);

        clickMenu(window, {u"View"_s, u"Theme"_s, u"Dark"_s});
        QCOMPARE(QApplication::style()->name(), u"fusion"_s);
        QCOMPARE(QApplication::palette().color(QPalette::Window), dark);
        QTRY_COMPARE(window.palette().color(QPalette::Window), dark);
        QTRY_COMPARE(window.flowsPage()->palette().color(QPalette::Window), dark);

        clickMenu(window, {u"View"_s, u"Theme"_s, u"Light"_s});
        const QPalette light = QStyleFactory::create(u"Fusion"_s)->standardPalette();
        QCOMPARE(QApplication::palette().color(QPalette::Window), light.color(QPalette::Window));
        QTRY_COMPARE(window.palette().color(QPalette::Window), light.color(QPalette::Window));
        QVERIFY(window.palette().color(QPalette::Window).lightness() > dark.lightness());

        clickMenu(window, {u"View"_s, u"Theme"_s, u"System"_s});
        QCOMPARE(QApplication::style()->name(), m_systemStyle);
    }

    // Double clicks open flows: a failure of the Overview, a timer of the Timers page; Schedule
    // Like This on the flow's detail opens the dialog with its type and arguments.
    void doubleClicksOpenFlows()
    {
        ConsoleDatabase db;
        qint64 failedId = 0;
        {
            auto log = db.open();
            QVERIFY(log);
            FakeClock clock;
            FlowExecutor executor(*log, m_catalog.registry(), clock);
            ERGON_AWAIT_OUTCOME(failed, executor.runNew(u"demo.Flaky"_s, {{u"fail_times"_s, 4}}));
            QCOMPARE(failed.status, FlowStatus::Failed);
            failedId = failed.flowId;
        }
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions());
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy opened(&window, &MainWindow::databaseOpened);
        window.openDatabase(db.path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);

        // The failure, double-clicked on the Overview.
        QTableView *failures = window.overviewPage()->failureView();
        QTRY_VERIFY_WITH_TIMEOUT(rowWith(failures, FailureListModel::FlowIdRole, failedId) >= 0, 10000);
        doubleClickRow(failures, rowWith(failures, FailureListModel::FlowIdRole, failedId));
        QCOMPARE(window.currentPage(), MainWindow::FlowsPageIndex);
        QCOMPARE(window.flowsPage()->filter().status, std::optional<FlowStatus>(FlowStatus::Failed));
        QTRY_COMPARE_WITH_TIMEOUT(window.flowsPage()->currentFlowId(), failedId, 10000);

        // A waiting demo.Sleeper's timer, double-clicked on the Timers page.
        QSignalSpy scheduled(window.session(), &ConsoleSession::flowsScheduled);
        window.session()->workers()->start(1, 2);
        ScheduleRequest nap;
        nap.type = u"demo.Sleeper"_s;
        nap.arguments = {{u"seconds"_s, 120}};
        window.session()->schedule(nap, 1);
        QTRY_COMPARE_WITH_TIMEOUT(scheduled.size(), 1, 5000);
        const qint64 sleeperId = scheduled.first().first().value<QList<qint64>>().first();
        QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
        QCOMPARE(window.currentPage(), MainWindow::TimersPageIndex);
        QTableView *timers = window.timersPage()->view();
        QTRY_VERIFY_WITH_TIMEOUT(rowWith(timers, TimerTableModel::FlowIdRole, sleeperId) >= 0, 10000);
        doubleClickRow(timers, rowWith(timers, TimerTableModel::FlowIdRole, sleeperId));
        QCOMPARE(window.currentPage(), MainWindow::FlowsPageIndex);
        QCOMPARE(window.flowsPage()->filter().status, std::optional<FlowStatus>(FlowStatus::Waiting));
        QTRY_COMPARE_WITH_TIMEOUT(window.flowsPage()->currentFlowId(), sleeperId, 10000);

        // Schedule Like This: the dialog, with the flow's type and arguments.
        QPushButton *like = window.flowsPage()->detailPane()->scheduleLikeButton();
        QTRY_VERIFY_WITH_TIMEOUT(like->isVisible() && like->isEnabled(), 10000);
        QTest::mouseClick(like, Qt::LeftButton);
        ScheduleDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = visibleChild<ScheduleDialog>(window)) != nullptr);
        QCOMPARE(dialog->typeBox()->currentText(), u"demo.Sleeper"_s);
        auto *seconds = qobject_cast<QAbstractSpinBox *>(dialog->argumentForm()->editor(u"seconds"_s));
        QVERIFY(seconds);
        QCOMPARE(seconds->text(), u"120"_s);
        dialog->close();

        window.session()->workers()->stopAll();
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->workers()->isEmpty(), 10000);

        // Forget Stopped… on the Workers page: the window has the session forget the run.
        activate(window);
        QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
        WorkersPage *workers = window.workersPage();
        QTRY_VERIFY_WITH_TIMEOUT(workers->forgetButton()->isEnabled(), 10000); // the run shows stopped
        QTest::mouseClick(workers->forgetButton(), Qt::LeftButton);
        QMessageBox *forget = nullptr;
        QTRY_VERIFY((forget = visibleChild<QMessageBox>(window, u"Forget Stopped Workers"_s)) != nullptr);
        QTest::mouseClick(buttonOf(forget, QMessageBox::AcceptRole), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(workers->model()->rowCount(), 0, 10000);
        QCOMPARE(window.summary()->messageText(), u"Forgot 1 stopped worker."_s);
    }

    // What the console remembers, read back by a new window on the same settings.
    void settingsSurviveANewWindow()
    {
        QSettings().clear();
        ConsoleDatabase db;
        {
            MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions(true));
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(1200, 700); // not the default 1280 × 800
            QTRY_COMPARE(window.size(), QSize(1200, 700));
            QSignalSpy opened(&window, &MainWindow::databaseOpened);
            window.openDatabase(db.path());
            QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
            clickMenu(window, {u"View"_s, u"Refresh Rate"_s, u"5 s"_s});
            clickMenu(window, {u"View"_s, u"Theme"_s, u"Dark"_s});
            QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);

            QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
            ScheduleDialog *dialog = nullptr;
            QTRY_VERIFY((dialog = visibleChild<ScheduleDialog>(window)) != nullptr);
            dialog->typeBox()->setFocus();
            QTest::keyClicks(dialog->typeBox(), u"demo.Pipeline"_s); // not the first type: a choice
            QWidget *steps = dialog->argumentForm()->editor(u"steps"_s);
            QVERIFY(steps);
            steps->setFocus();
            qobject_cast<QAbstractSpinBox *>(steps)->selectAll();
            QTest::keyClicks(steps, u"7"_s);
            QTest::mouseClick(dialog->scheduleButton(), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(dialog->statusText().contains(u"Scheduled"_s), 5000);
            dialog->close();
            QVERIFY(window.close());
        }
        style::applyTheme(style::Theme::System);

        MainWindow again(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, windowOptions(true));
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QCOMPARE(again.size(), QSize(1200, 700));
        QCOMPARE(again.currentPage(), MainWindow::WorkersPageIndex);
        QCOMPARE(again.refreshInterval(), std::chrono::milliseconds(5s));
        QCOMPARE(again.recentDatabases(), QStringList{db.path()});
        QCOMPARE(ConsoleSettings(true).theme(), style::Theme::Dark); // what the console starts with
        QSignalSpy opened(&again, &MainWindow::databaseOpened);
        again.openDatabase(db.path()); // Flows › Schedule… is there once a database is open
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
        QTest::keyClick(&again, Qt::Key_N, Qt::ControlModifier);
        ScheduleDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = visibleChild<ScheduleDialog>(again)) != nullptr);
        QCOMPARE(dialog->typeBox()->currentText(), u"demo.Pipeline"_s);
        auto *steps = qobject_cast<QAbstractSpinBox *>(dialog->argumentForm()->editor(u"steps"_s));
        QVERIFY(steps);
        QCOMPARE(steps->text(), u"7"_s);
        dialog->close();
        QSettings().clear();
    }
};

QTEST_MAIN(TestMainWindowInput)
#include "tst_mainwindowinput.moc"
