// The Workers page: the table model on hand-made snapshots (QAbstractItemModelTester), and
// live: two in-process workers started from the page show alive, one aborted shows lost once
// its (short) lease has passed, the other stops gracefully from the page; Start says how many
// it adds; Stop all asks first, with the count, and says what it did; stopped runs are hidden
// or forgotten (through the session's commands).

#include "consoletest.h"
#include "ergontest.h"
#include "models/workertablemodel.h"
#include "pages/workerspage.h"
#include "session/consolesession.h"
#include "session/workerpool.h"

#include <ergon/limits.h>

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QItemSelectionModel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

const QDateTime now = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

ConsoleSnapshot workersSnapshot(const QList<WorkerRecord> &workers, const QDateTime &taken = now)
{
    ConsoleSnapshot snapshot;
    snapshot.taken = taken;
    snapshot.workers = workers;
    return snapshot;
}

// The row of a worker in the page's (sorted) view, -1 if absent.
int viewRow(const WorkersPage &page, const QString &name)
{
    const QAbstractItemModel *model = page.view()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(WorkerTableModel::NameRole).toString() == name)
            return row;
    }
    return -1;
}

QString cell(const WorkersPage &page, const QString &name, int column)
{
    const int row = viewRow(page, name);
    return row < 0 ? QString() : page.view()->model()->index(row, column).data().toString();
}

// The page's question box that is showing, or null.
QMessageBox *question(const QWidget &page)
{
    for (QMessageBox *box : page.findChildren<QMessageBox *>()) {
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

} // namespace

class TestWorkersPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { loadBundledPlugins(m_catalog); }

    void modelMergesSnapshots()
    {
        WorkerTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const WorkerRecord a = workerRecord(u"a"_s, now.addMSecs(-400), 10, 1);
        const WorkerRecord b = workerRecord(u"b"_s, now.addSecs(-45), 5, 0); // silent longer than its 30 s lease
        WorkerRecord c = workerRecord(u"c"_s, now, 0, 0);
        c.status = WorkerStatus::Stopped;

        model.setSnapshot(workersSnapshot({a, b}));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.status(0), WorkerStatus::Alive);
        QCOMPARE(model.status(1), WorkerStatus::Lost);
        QCOMPARE(model.index(1, WorkerTableModel::StatusColumn).data().toString(), u"lost"_s);
        QCOMPARE(model.index(0, WorkerTableModel::HeartbeatColumn).data().toString(), u"just now"_s);
        QCOMPARE(model.index(1, WorkerTableModel::HeartbeatColumn).data().toString(), u"45 s ago"_s);
        QCOMPARE(model.index(0, WorkerTableModel::CompletedColumn).data(WorkerTableModel::SortRole).toLongLong(), 10);

        model.setSnapshot(workersSnapshot({a, c}, now.addSecs(1)));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(1, 0).data().toString(), u"c"_s);
        QCOMPARE(model.status(1), WorkerStatus::Stopped);
        model.setSnapshot(workersSnapshot({c, b, a}, now.addSecs(2)));
        QCOMPARE(model.rowCount(), 3);
        model.setLocalRuns({a.id}, {a.id});
        QCOMPARE(model.index(2, 0).data(WorkerTableModel::LocalRole).toBool(), true);
        QCOMPARE(model.index(2, WorkerTableModel::StatusColumn).data().toString(), u"stopping"_s);
        model.setSnapshot(workersSnapshot({}, now.addSecs(3)));
        QCOMPARE(model.rowCount(), 0);
    }

    // Two workers started from the page, one aborted (lost after its 1 s lease), one stopped.
    void twoWorkersThenOneLost()
    {
        ConsoleDatabase db;
        ConsoleSession::Options options;
        options.reader.interval = 200ms;
        options.workers.leaseDuration = 1s;
        options.workers.shutdownDeadline = 2s;
        ConsoleSession session(db.path(), db.opener(), m_catalog.registry(), options);
        WorkersPage page;
        page.resize(1100, 600);
        page.show();
        connect(&session, &ConsoleSession::snapshotAvailable, &page, &WorkersPage::showSnapshot);
        page.setWorkerPool(session.workers());
        session.workers()->setNamePrefix(u"console"_s);
        connect(session.workers(), &WorkerPool::problem, this,
                [](const QString &problem) { QFAIL(qPrintable(problem)); });
        // As in the window: workers start once the session has opened (and so created) the
        // database; two connections creating a fresh file's schema at once may collide.
        QSignalSpy opened(&session, &ConsoleSession::opened);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);

        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.countBox()->setValue(2);
        page.concurrencyBox()->setValue(3);
        QVERIFY(page.startButton()->isEnabled());
        QVERIFY(!page.stopAllButton()->isEnabled());
        page.startButton()->click();
        QCOMPARE(session.workers()->names(), (QStringList{u"console-1"_s, u"console-2"_s}));
        QVERIFY(page.stopAllButton()->isEnabled());

        QTRY_COMPARE_WITH_TIMEOUT(page.view()->model()->rowCount(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(cell(page, u"console-1"_s, WorkerTableModel::StatusColumn), u"alive"_s, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(cell(page, u"console-2"_s, WorkerTableModel::StatusColumn), u"alive"_s, 5000);
        QCOMPARE(cell(page, u"console-1"_s, WorkerTableModel::ConcurrencyColumn), u"3"_s);
        QCOMPARE(cell(page, u"console-1"_s, WorkerTableModel::PidColumn),
                 QString::number(QCoreApplication::applicationPid()));
        QVERIFY(
            page.view()->model()->index(viewRow(page, u"console-1"_s), 0).data(WorkerTableModel::LocalRole).toBool());

        // A crash, as far as the database can tell: no more heartbeats.
        session.workers()->abort(u"console-2"_s);
        QTRY_COMPARE_WITH_TIMEOUT(cell(page, u"console-2"_s, WorkerTableModel::StatusColumn), u"lost"_s, 5000);
        QCOMPARE(cell(page, u"console-1"_s, WorkerTableModel::StatusColumn), u"alive"_s);

        // Stop the other from the page: select its row, Stop selected.
        QSignalSpy emptied(session.workers(), &WorkerPool::emptied);
        page.view()->selectionModel()->select(page.view()->model()->index(viewRow(page, u"console-1"_s), 0),
                                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QVERIFY(page.stopButton()->isEnabled());
        page.stopButton()->click();
        QVERIFY(!page.stopButton()->isEnabled()); // stopping already
        QTRY_COMPARE_WITH_TIMEOUT(emptied.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(cell(page, u"console-1"_s, WorkerTableModel::StatusColumn), u"stopped"_s, 5000);
        QVERIFY(session.workers()->isEmpty());
        QVERIFY(!page.stopAllButton()->isEnabled());
    }

    // The engine's ranges (limits.h): the page cannot start what `worker` would refuse.
    void fieldsHaveTheEnginesRanges()
    {
        WorkersPage page;
        QCOMPARE(page.countBox()->minimum(), int(limits::workers.min));
        QCOMPARE(page.countBox()->maximum(), int(limits::workers.max));
        QCOMPARE(page.concurrencyBox()->minimum(), int(limits::concurrency.min));
        QCOMPARE(page.concurrencyBox()->maximum(), int(limits::concurrency.max));
    }

    void startAddsStopAllAsksStoppedAreForgotten()
    {
        ConsoleDatabase db;
        ConsoleSession::Options options;
        options.reader.interval = 200ms;
        options.workers.shutdownDeadline = 2s;
        ConsoleSession session(db.path(), db.opener(), m_catalog.registry(), options);
        WorkersPage page;
        page.resize(1300, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        connect(&session, &ConsoleSession::snapshotAvailable, &page, &WorkersPage::showSnapshot);
        connect(&page, &WorkersPage::forgetRequested, &session, &ConsoleSession::forgetWorkers);
        page.setWorkerPool(session.workers());
        QSignalSpy opened(&session, &ConsoleSession::opened);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);

        // Start says how many it adds, and how many run here then.
        page.countBox()->setFocus();
        page.countBox()->selectAll();
        QTest::keyClicks(page.countBox(), u"2"_s);
        QCOMPARE(page.startButton()->text(), u"Start 2 Workers"_s);
        QTest::mouseClick(page.startButton(), Qt::LeftButton);
        QCOMPARE(session.workers()->size(), 2);
        QCOMPARE(page.startButton()->text(), u"Add 2 Workers (4 in All)"_s);
        page.countBox()->setFocus();
        page.countBox()->selectAll();
        QTest::keyClicks(page.countBox(), u"1"_s);
        QCOMPARE(page.startButton()->text(), u"Add 1 Worker (3 in All)"_s);
        QTest::mouseClick(page.startButton(), Qt::LeftButton);
        QCOMPARE(session.workers()->size(), 3);
        QTRY_COMPARE_WITH_TIMEOUT(page.view()->model()->rowCount(), 3, 10000);

        // Stop all asks, with the count and what happens to the flows; Keep Running keeps them.
        QTest::mouseClick(page.stopAllButton(), Qt::LeftButton);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = question(page)) != nullptr);
        QCOMPARE(box->text(), u"Stop the 3 workers of this console?"_s);
        QVERIFY2(box->informativeText().contains(u"No flow is running now."_s), qPrintable(box->informativeText()));
        QVERIFY2(box->informativeText().contains(u"within 2 s"_s), qPrintable(box->informativeText()));
        QTest::mouseClick(buttonOf(box, QMessageBox::RejectRole), Qt::LeftButton);
        QTRY_VERIFY(!question(page));
        QCOMPARE(session.workers()->size(), 3);
        QVERIFY(page.outcomeText().isEmpty());

        QSignalSpy emptied(session.workers(), &WorkerPool::emptied);
        QTest::mouseClick(page.stopAllButton(), Qt::LeftButton);
        QTRY_VERIFY((box = question(page)) != nullptr);
        QAbstractButton *stop = buttonOf(box, QMessageBox::AcceptRole);
        QCOMPARE(stop->text(), u"Stop 3 Workers"_s);
        QTest::mouseClick(stop, Qt::LeftButton);
        QCOMPARE(page.outcomeText(), u"Stopping 3 workers…"_s);
        QTRY_COMPARE_WITH_TIMEOUT(emptied.size(), 1, 10000);
        QCOMPARE(page.outcomeText(), u"Stopped 3 workers of this console."_s);
        QCOMPARE(page.startButton()->text(), u"Start 1 Worker"_s);
        QTRY_COMPARE_WITH_TIMEOUT(
            page.model()->rows().size() == 3 &&
                std::all_of(page.model()->rows().cbegin(), page.model()->rows().cend(),
                            [](const WorkerRecord &worker) { return worker.status == WorkerStatus::Stopped; }),
            true, 10000);

        // Stopped runs hidden by a click, shown by another.
        QTest::mouseClick(page.showStoppedBox(), Qt::LeftButton);
        QTRY_COMPARE(page.view()->model()->rowCount(), 0);
        QTest::mouseClick(page.showStoppedBox(), Qt::LeftButton);
        QTRY_COMPARE(page.view()->model()->rowCount(), 3);

        // Forgotten, after a question: gone from the database and the page.
        QVERIFY(page.forgetButton()->isEnabled());
        QSignalSpy finished(&session, &ConsoleSession::commandFinished);
        QTest::mouseClick(page.forgetButton(), Qt::LeftButton);
        QTRY_VERIFY((box = question(page)) != nullptr);
        QCOMPARE(box->text(), u"Forget 3 stopped or lost workers?"_s);
        QTest::mouseClick(buttonOf(box, QMessageBox::AcceptRole), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(finished.first().at(0).value<ConsoleCommands::Command>(), ConsoleCommands::Command::ForgetWorkers);
        QCOMPARE(finished.first().at(1).toString(), u"Forgot 3 stopped workers."_s);
        auto log = db.open();
        QVERIFY(log);
        QCOMPARE(log->workers()->size(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 0, 5000);
        QVERIFY(!page.forgetButton()->isEnabled());
    }

    // A name used again (the same console on the same database, reopened): only the run going
    // now is this console's, marked and overlaid with live counters; the earlier run keeps its
    // own row and counts.
    void runsOfThisConsoleMarkedByRun()
    {
        ConsoleDatabase db;
        ConsoleSession::Options options;
        options.reader.interval = 200ms;
        options.workers.shutdownDeadline = 2s;
        {
            ConsoleSession earlier(db.path(), db.opener(), m_catalog.registry(), options);
            earlier.workers()->setNamePrefix(u"console"_s);
            QSignalSpy opened(&earlier, &ConsoleSession::opened);
            earlier.start();
            QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
            earlier.workers()->start(1, 2);
            ScheduleRequest quick;
            quick.type = u"demo.Pipeline"_s;
            earlier.schedule(quick, 3);
            auto log = db.open();
            QTRY_VERIFY_WITH_TIMEOUT(log->countByStatus()->value(FlowStatus::Completed) == 3, 10000);
            QSignalSpy emptied(earlier.workers(), &WorkerPool::emptied);
            earlier.workers()->stopAll();
            QTRY_COMPARE_WITH_TIMEOUT(emptied.size(), 1, 10000);
        }
        ConsoleSession session(db.path(), db.opener(), m_catalog.registry(), options);
        WorkersPage page;
        page.resize(1100, 600);
        page.show();
        connect(&session, &ConsoleSession::snapshotAvailable, &page, &WorkersPage::showSnapshot);
        page.setWorkerPool(session.workers());
        session.workers()->setNamePrefix(u"console"_s);
        QSignalSpy opened(&session, &ConsoleSession::opened);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);
        page.countBox()->setValue(1);
        page.startButton()->click();
        QCOMPARE(session.workers()->names(), QStringList{u"console-1"_s});

        QAbstractItemModel *rows = page.view()->model();
        const auto rowOf = [rows](WorkerStatus status) {
            for (int row = 0; row < rows->rowCount(); ++row) {
                if (rows->index(row, WorkerTableModel::StatusColumn).data().toString() == toString(status))
                    return row;
            }
            return -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(rows->rowCount(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(WorkerStatus::Alive) >= 0, 5000);
        const int alive = rowOf(WorkerStatus::Alive);
        const int stopped = rowOf(WorkerStatus::Stopped);
        QVERIFY(stopped >= 0);
        QCOMPARE(rows->index(alive, WorkerTableModel::NameColumn).data().toString(), u"console-1"_s);
        QCOMPARE(rows->index(stopped, WorkerTableModel::NameColumn).data().toString(), u"console-1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(rows->index(alive, 0).data(WorkerTableModel::LocalRole).toBool(), 5000);
        QVERIFY(!rows->index(stopped, 0).data(WorkerTableModel::LocalRole).toBool());
        QCOMPARE(rows->index(stopped, WorkerTableModel::CompletedColumn).data().toString(), u"3"_s);
        QCOMPARE(rows->index(alive, WorkerTableModel::CompletedColumn).data().toString(), u"0"_s);
        QCOMPARE(rows->index(stopped, WorkerTableModel::NameColumn).data(Qt::ToolTipRole).toString(), u"console-1"_s);

        session.workers()->stopAll();
        QTRY_VERIFY_WITH_TIMEOUT(session.workers()->isEmpty(), 10000);
    }

private:
    PluginCatalog m_catalog;
};

QTEST_MAIN(TestWorkersPage)
#include "tst_workerspage.moc"
