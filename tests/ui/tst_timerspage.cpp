// The Timers page: countdown texts, the table model on hand-made snapshots
// (QAbstractItemModelTester), and live: a pending timer counts down every second without a
// read, and Fire now makes it due — the flow completes with an in-process worker; a double
// click on a timer asks for its flow.

#include "consoletest.h"
#include "ergontest.h"
#include "models/timertablemodel.h"
#include "pages/timerspage.h"
#include "session/consolesession.h"
#include "session/workerpool.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

const QDateTime now = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

TimerRecord timer(qint64 flowId, int secondsFromNow, const QString &name = u"nap"_s)
{
    return TimerRecord{flowId, 0, name, u"demo.Sleeper"_s, now.addSecs(secondsFromNow)};
}

ConsoleSnapshot timersSnapshot(const QList<TimerRecord> &timers)
{
    ConsoleSnapshot snapshot;
    snapshot.taken = now;
    snapshot.timers = timers;
    return snapshot;
}

} // namespace

class TestTimersPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { loadBundledPlugins(m_catalog); }

    void countdownText_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("past") << qint64(-5) << u"due"_s;
        QTest::newRow("now") << qint64(0) << u"due"_s;
        QTest::newRow("a moment") << qint64(1) << u"1 s"_s;
        QTest::newRow("rounded up") << qint64(41'200) << u"42 s"_s;
        QTest::newRow("minutes") << qint64(192'000) << u"3 min 12 s"_s;
        QTest::newRow("padded") << qint64(65'000) << u"1 min 05 s"_s;
        QTest::newRow("hours") << qint64(2 * 3600'000 + 5 * 60'000) << u"2 h 05 min"_s;
    }

    void countdownText()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, text);
        QCOMPARE(TimerTableModel::countdownText(ms), text);
    }

    void modelCountsDown()
    {
        TimerTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QDateTime clock = now;
        model.setNow([&clock] { return clock; });
        model.setSnapshot(timersSnapshot({timer(1, 10), timer(2, 75, u"fraud-ORD-1"_s)}));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, TimerTableModel::CountdownColumn).data().toString(), u"10 s"_s);
        QCOMPARE(model.index(1, TimerTableModel::NameColumn).data().toString(), u"fraud-ORD-1"_s);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        clock = now.addSecs(3);
        model.tick();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.index(0, TimerTableModel::CountdownColumn).data().toString(), u"7 s"_s);
        QCOMPARE(model.index(1, TimerTableModel::CountdownColumn).data().toString(), u"1 min 12 s"_s);
        clock = now.addSecs(11);
        model.tick();
        QCOMPARE(model.index(0, TimerTableModel::CountdownColumn).data().toString(), u"due"_s);
        QCOMPARE(model.index(0, 0).data(TimerTableModel::RemainingRole).toLongLong(), 0);

        model.setSnapshot(timersSnapshot({timer(2, 75, u"fraud-ORD-1"_s), timer(3, 80)}));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, 0).data(TimerTableModel::FlowIdRole).toLongLong(), 2);
        model.setSnapshot(timersSnapshot({}));
        QCOMPARE(model.rowCount(), 0);
    }

    void doubleClickAsksForTheFlow()
    {
        TimersPage page;
        page.resize(900, 500);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.showSnapshot(timersSnapshot({timer(7, 60), timer(9, 120, u"second"_s)}));
        QCOMPARE(page.view()->model()->rowCount(), 2);
        QTRY_VERIFY(page.view()->isVisible() && page.view()->viewport()->height() > 100); // laid out
        QSignalSpy activated(&page, &TimersPage::flowActivated);
        int row = -1;
        for (int r = 0; r < page.view()->model()->rowCount(); ++r) {
            if (page.view()->model()->index(r, 0).data(TimerTableModel::FlowIdRole).toLongLong() == 9)
                row = r;
        }
        QVERIFY(row >= 0);
        const QRect cell = page.view()->visualRect(page.view()->model()->index(row, TimerTableModel::NameColumn));
        // As a person's double click arrives: a click, then the second press as a double click
        // (QTest::mouseDClick sends the latter alone).
        QTest::mouseClick(page.view()->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseDClick(page.view()->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.first().first().toLongLong(), 9);
    }

    // A real timer: counts down on its own, Fire now ends the nap and the flow completes.
    void countsDownAndFiresNow()
    {
        ConsoleDatabase db;
        ConsoleSession::Options options;
        options.reader.interval = 5s; // the countdown must tick without new readings
        options.workers.timerRefresh = 100ms;
        ConsoleSession session(db.path(), db.opener(), m_catalog.registry(), options);
        TimersPage page;
        page.resize(900, 500);
        page.show();
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(&session, &ConsoleSession::snapshotAvailable, &page, &TimersPage::showSnapshot);
        connect(&page, &TimersPage::fireNowRequested, &session, &ConsoleSession::fireTimersNow);
        QSignalSpy scheduled(&session, &ConsoleSession::flowsScheduled);
        QSignalSpy finished(&session, &ConsoleSession::commandFinished);
        QSignalSpy opened(&session, &ConsoleSession::opened);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000); // the schema exists before the worker opens
        session.workers()->start(1, 4);

        ScheduleRequest nap;
        nap.type = u"demo.Sleeper"_s;
        nap.arguments = {{u"seconds"_s, 120}};
        session.schedule(nap, 1);
        QTRY_COMPARE_WITH_TIMEOUT(scheduled.size(), 1, 5000);
        const qint64 flowId = scheduled.first().first().value<QList<qint64>>().first();
        auto log = db.open();
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(*log, flowId), u"waiting"_s, 10000);
        session.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 1, 5000);

        QAbstractItemModel *view = page.view()->model();
        const QModelIndex countdown = view->index(0, TimerTableModel::CountdownColumn);
        QCOMPARE(countdown.data(TimerTableModel::FlowIdRole).toLongLong(), flowId);
        const qint64 first = countdown.data(TimerTableModel::RemainingRole).toLongLong();
        QVERIFY2(first > 100'000 && first <= 120'000, qPrintable(QString::number(first)));
        const QString firstText = countdown.data().toString();
        QTRY_VERIFY_WITH_TIMEOUT(view->index(0, TimerTableModel::CountdownColumn).data().toString() != firstText, 2500);
        QVERIFY(view->index(0, TimerTableModel::CountdownColumn).data(TimerTableModel::RemainingRole).toLongLong() <
                first);

        QVERIFY(!page.fireButton()->isEnabled());
        page.view()->selectRow(0);
        QVERIFY(page.fireButton()->isEnabled());
        page.fireButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 5000); // the schedule, then the fire
        QCOMPARE(finished.last().first().value<ConsoleCommands::Command>(), ConsoleCommands::Command::FireTimer);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(*log, flowId), u"completed"_s, 5000);
        session.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 0, 5000);
    }

    // Defect 8: Fire now on two timers is one command whose outcome names each flow.
    void fireNowOnTwoTimersSaysWhatWasDone()
    {
        ConsoleDatabase db;
        ConsoleSession::Options options;
        options.reader.interval = 200ms;
        ConsoleSession session(db.path(), db.opener(), m_catalog.registry(), options);
        TimersPage page;
        page.resize(900, 500);
        page.show();
        connect(&session, &ConsoleSession::snapshotAvailable, &page, &TimersPage::showSnapshot);
        connect(&page, &TimersPage::fireNowRequested, &session, &ConsoleSession::fireTimersNow);
        QSignalSpy finished(&session, &ConsoleSession::commandFinished);
        QSignalSpy opened(&session, &ConsoleSession::opened);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 5000);

        session.workers()->start(1, 4);
        ScheduleRequest nap;
        nap.type = u"demo.Sleeper"_s;
        nap.arguments = {{u"seconds"_s, 600}};
        QSignalSpy scheduled(&session, &ConsoleSession::flowsScheduled);
        session.schedule(nap, 2);
        QTRY_COMPARE_WITH_TIMEOUT(scheduled.size(), 1, 5000);
        QList<qint64> ids = scheduled.first().first().value<QList<qint64>>();
        std::sort(ids.begin(), ids.end());
        QCOMPARE(ids.size(), 2);
        auto log = db.open();
        for (const qint64 id : ids)
            QTRY_COMPARE_WITH_TIMEOUT(statusOf(*log, id), u"waiting"_s, 10000);
        finished.clear(); // the schedule's outcome
        session.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 2, 5000);

        QTest::mouseClick(page.view()->viewport(), Qt::LeftButton, {},
                          page.view()->visualRect(page.view()->model()->index(0, 0)).center());
        QTest::mouseClick(page.view()->viewport(), Qt::LeftButton, Qt::ShiftModifier,
                          page.view()->visualRect(page.view()->model()->index(1, 0)).center());
        QCOMPARE(page.view()->selectionModel()->selectedRows().size(), 2);
        QTest::mouseClick(page.fireButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QTest::qWait(200); // no second outcome follows
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().first().value<ConsoleCommands::Command>(), ConsoleCommands::Command::FireTimer);
        QCOMPARE(finished.first().at(1).toString(), u"Fired 2 timers: flows %1, %2."_s.arg(ids.at(0)).arg(ids.at(1)));
        for (const qint64 id : ids)
            QTRY_COMPARE_WITH_TIMEOUT(statusOf(*log, id), u"completed"_s, 5000);
        session.workers()->stopAll();
        QTRY_VERIFY_WITH_TIMEOUT(session.workers()->isEmpty(), 10000);
    }

private:
    PluginCatalog m_catalog;
};

QTEST_MAIN(TestTimersPage)
#include "tst_timerspage.moc"
