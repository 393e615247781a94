// The console's window at the sizes people use it: at 1024×640 and narrower the sidebar's
// badges never cover their labels, the Workers page lays out by its content (the worker's
// name readable, the least useful columns hidden first), the charts' axis labels are whole;
// and opening the View menu leaves the sidebar's badges where they are (issue 13, defects 7
// and 11).

#include "consoletest.h"
#include "models/workertablemodel.h"
#include "pages/overviewpage.h"
#include "pages/workerspage.h"
#include "session/consolesession.h"
#include "session/workerpool.h"
#include "shell/mainwindow.h"
#include "widgets/rollinglinechart.h"
#include "widgets/sidebar.h"
#include "widgets/workerloadchart.h"

#include <QHeaderView>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

// What the sidebar shows of each page: the label's room, the badge's, and that the label
// is drawn whole in its room.
void verifyBadgesClearOfLabels(Sidebar *sidebar)
{
    for (int page = 0; page < sidebar->count(); ++page) {
        const QRect label = sidebar->labelRect(page);
        const QRect badge = sidebar->badgeRect(page);
        const QString text = sidebar->item(page)->text();
        QVERIFY2(sidebar->fontMetrics().horizontalAdvance(text) <= label.width(),
                 qPrintable(u"%1: %2 px of text in %3 px"_s.arg(text)
                                .arg(sidebar->fontMetrics().horizontalAdvance(text))
                                .arg(label.width())));
        if (!badge.isEmpty()) {
            QVERIFY2(!badge.intersects(label), qPrintable(text));
            QVERIFY2(sidebar->viewport()->rect().contains(badge), qPrintable(text));
        }
    }
}

// The badges' pixels as on the screen (the window's backing store, not a fresh rendering): a
// badge is drawn where badgeRect() says (its fill differs from the sidebar's background).
int badgesDrawn(Sidebar *sidebar)
{
    QWidget *viewport = sidebar->viewport();
    const QPoint origin = viewport->mapTo(viewport->window(), QPoint(0, 0));
    const QImage image =
        viewport->screen()
            ->grabWindow(viewport->window()->winId(), origin.x(), origin.y(), viewport->width(), viewport->height())
            .toImage();
    const QColor background = image.pixelColor(2, 2);
    int drawn = 0;
    for (int page = 0; page < sidebar->count(); ++page) {
        const QRect badge = sidebar->badgeRect(page);
        if (badge.isEmpty())
            continue;
        // Left of the text, inside the pill: its fill.
        const QPoint inside(badge.left() + badge.height() / 2, badge.top() + 2);
        if (image.pixelColor(inside * image.devicePixelRatio()) != background)
            ++drawn;
    }
    return drawn;
}

} // namespace

class TestConsoleLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        loadBundledPlugins(m_catalog);
    }

    void init()
    {
        MainWindow::Options options;
        options.persistent = false;
        options.session.reader.interval = 200ms;
        options.session.workers.shutdownDeadline = 2s;
        m_window =
            std::make_unique<MainWindow>(m_catalog, QStringList{QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, options);
        m_db = std::make_unique<ConsoleDatabase>();
        m_window->resize(1024, 640);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QSignalSpy opened(m_window.get(), &MainWindow::databaseOpened);
        m_window->openDatabase(m_db->path());
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
    }

    void cleanup()
    {
        if (m_window && m_window->session()) {
            m_window->session()->workers()->stopAll();
            QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->workers()->isEmpty(), 10000);
        }
        m_window.reset();
        m_db.reset();
    }

    // Defect 7: badges as long as they get ("12,345 failed", "2 · 1 lost") beside their
    // labels at 1024, 900 and 760 px: never over them.
    void sidebarBadgesNeverCoverLabels()
    {
        Sidebar *sidebar = m_window->sidebar();
        sidebar->setBadge(MainWindow::OverviewPageIndex, u"12,345 failed"_s, true);
        sidebar->setBadge(MainWindow::FlowsPageIndex, u"1,234,567"_s);
        sidebar->setBadge(MainWindow::WorkersPageIndex, u"2 · 1 lost"_s, true);
        // Down to the narrowest the window goes.
        for (const int width : {1024, 900, 600}) {
            m_window->resize(width, 640);
            QTRY_VERIFY(m_window->width() <= std::max(width, m_window->minimumSizeHint().width()));
            QCoreApplication::processEvents();
            verifyBadgesClearOfLabels(sidebar);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(u"at %1 px"_s.arg(width)));
        }
    }

    // Defect 11: opening the View menu (and its submenus) leaves every badge drawn.
    void viewMenuKeepsTheBadges()
    {
        Sidebar *sidebar = m_window->sidebar();
        QTRY_VERIFY_WITH_TIMEOUT(!sidebar->badge(MainWindow::FlowsPageIndex).isEmpty(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!sidebar->badge(MainWindow::WorkersPageIndex).isEmpty(), 5000);
        const int before = badgesDrawn(sidebar);
        QVERIFY(before >= 3); // flows, workers, plugins
        QStringList badges;
        for (int page = 0; page < sidebar->count(); ++page)
            badges.append(sidebar->badge(page));

        QMenu *view = nullptr;
        for (QAction *action : m_window->menuBar()->actions()) {
            if (action->text() == u"&View"_s)
                view = action->menu();
        }
        QVERIFY(view);
        QMenuBar *bar = m_window->menuBar();
        for (int round = 0; round < 3; ++round) {
            if (round == 0) {
                QTest::keyClick(m_window.get(), Qt::Key_V, Qt::AltModifier);
            } else {
                // By mouse, through its items and submenus, as a person explores it.
                QTest::mouseClick(bar, Qt::LeftButton, {}, bar->actionGeometry(view->menuAction()).center());
            }
            QTRY_VERIFY(view->isVisible());
            for (QAction *item : view->actions()) {
                if (!item->isSeparator() && round > 0) {
                    QTest::mouseMove(view, view->actionGeometry(item).center());
                    QTest::qWait(50);
                }
            }
            QTest::qWait(300); // snapshots arrive meanwhile
            QCOMPARE(badgesDrawn(sidebar), before);
            for (int page = 0; page < sidebar->count(); ++page)
                QVERIFY2(!sidebar->badge(page).isEmpty() || badges.at(page).isEmpty(),
                         qPrintable(QString::number(page)));
            QTest::keyClick(view, Qt::Key_Escape);
            QTRY_VERIFY(!view->isVisible());
            QCOMPARE(badgesDrawn(sidebar), before);
        }
    }

    // Defect 7: the Workers page at 1024×640 lays out by content: every worker's name reads
    // whole, the number columns are as wide as their numbers, the least useful columns (PID,
    // then host, steals) are hidden before anything is cut; all come back at 1440 px.
    void workersPageByContent()
    {
        m_window->session()->workers()->start(2, 8);
        m_window->showPage(MainWindow::WorkersPageIndex);
        WorkersPage *page = m_window->workersPage();
        QTableView *view = page->view();
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 2, 10000);
        QHeaderView *header = view->horizontalHeader();
        const auto verifyReadable = [&] {
            for (int row = 0; row < view->model()->rowCount(); ++row) {
                const QString name = view->model()->index(row, WorkerTableModel::NameColumn).data().toString();
                QFont bold = view->font();
                bold.setBold(true); // this console's workers are in bold
                QVERIFY2(QFontMetrics(bold).horizontalAdvance(name) + 8 <=
                             header->sectionSize(WorkerTableModel::NameColumn),
                         qPrintable(u"%1 in %2 px"_s.arg(name).arg(header->sectionSize(WorkerTableModel::NameColumn))));
            }
            int right = 0;
            for (int column = 0; column < header->count(); ++column) {
                if (!header->isSectionHidden(column))
                    right = std::max(right, header->sectionViewportPosition(column) + header->sectionSize(column));
            }
            QVERIFY2(right <= view->viewport()->width(),
                     qPrintable(u"%1 of %2"_s.arg(right).arg(view->viewport()->width())));
            // "Concurrency" no longer makes a column wide for a number.
            QVERIFY(header->sectionSize(WorkerTableModel::ConcurrencyColumn) <
                    view->fontMetrics().horizontalAdvance(u"Concurrency"_s) + 8);
        };
        const QList<int> leastUseful{WorkerTableModel::PidColumn, WorkerTableModel::HostColumn,
                                     WorkerTableModel::StealsColumn};
        for (const int width : {1024, 600}) {
            m_window->resize(width, 640);
            QTRY_VERIFY(m_window->width() <= std::max(width, m_window->minimumSizeHint().width()));
            QCoreApplication::processEvents();
            verifyReadable();
            const QList<int> hidden = page->hiddenColumns();
            if (!hidden.isEmpty())
                QCOMPARE(hidden.first(), int(WorkerTableModel::PidColumn));
            for (qsizetype i = 0; i < std::min<qsizetype>(hidden.size(), leastUseful.size()); ++i)
                QCOMPARE(hidden.at(i), leastUseful.at(i));
            QVERIFY(!hidden.contains(WorkerTableModel::StatusColumn));
            QVERIFY(!hidden.contains(WorkerTableModel::CompletedColumn));
        }

        m_window->resize(1440, 900);
        QTRY_COMPARE(page->hiddenColumns(), QList<int>());
    }

    // Defect 7: the charts of the Overview at 1024×640: the time axis's labels are whole
    // (not "−5 …") and so are the workers'.
    void overviewAxisLabelsReadable()
    {
        m_window->session()->workers()->start(2, 8);
        OverviewPage *overview = m_window->overviewPage();
        m_window->showPage(MainWindow::OverviewPageIndex);
        QTRY_VERIFY_WITH_TIMEOUT(overview->queueChart()->isShowingChart(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(overview->workerChart()->isShowingChart(), 10000);
        for (const QSize size : {QSize(1024, 640), QSize(860, 600)}) {
            m_window->resize(size); // or as narrow as the window goes
            QTRY_VERIFY(m_window->width() <= std::max(size.width(), m_window->minimumSizeHint().width()));
            QTRY_VERIFY(!overview->queueChart()->axisLabels(Qt::Horizontal).isEmpty());
            QCoreApplication::processEvents();
            for (const QStringList &labels :
                 {overview->queueChart()->axisLabels(Qt::Horizontal), overview->rateChart()->axisLabels(Qt::Horizontal),
                  overview->workerChart()->axisLabels(Qt::Vertical)}) {
                QVERIFY2(labels.size() >= 2, qPrintable(labels.join(u" | "_s)));
                for (const QString &label : labels)
                    QVERIFY2(!label.contains(u'…') && !label.contains(u"..."_s), qPrintable(labels.join(u" | "_s)));
            }
            QVERIFY(overview->queueChart()->axisLabels(Qt::Horizontal).contains(u"now"_s));
        }
    }

private:
    PluginCatalog m_catalog;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<ConsoleDatabase> m_db;
};

QTEST_MAIN(TestConsoleLayout)
#include "tst_consolelayout.moc"
