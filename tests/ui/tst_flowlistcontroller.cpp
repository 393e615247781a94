// The Flows page's state machine without widgets (FlowListController over a ConsoleSession on
// a real SQLite file): filters listed through the session, newer filters superseding older
// ones, counts that are the session's, sorting that needs every match, and cancel's outcome.
// Links ergon-ui-core only: no widget, no display.

#include "consoletest.h"
#include "ergontest.h"
#include "models/flowlistcontroller.h"
#include "models/flowtablemodel.h"
#include "session/consolesession.h"

#include <QSignalSpy>
#include <QSortFilterProxyModel>

using namespace ergon;
using namespace ergon::test;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

class TestFlowListController : public QObject
{
    Q_OBJECT

    PluginCatalog m_catalog;

    // Six pending demo.Pipeline flows (ids 1-6), then four pending demo.Flaky (7-10).
    static void fill(const ConsoleDatabase &db)
    {
        auto log = db.open();
        QVERIFY(log);
        NewFlow pipeline;
        pipeline.type = u"demo.Pipeline"_s;
        ERGON_VERIFY_OK(log->scheduleFlows(QList<NewFlow>(6, pipeline), QDateTime::currentDateTimeUtc()));
        NewFlow flaky;
        flaky.type = u"demo.Flaky"_s;
        ERGON_VERIFY_OK(log->scheduleFlows(QList<NewFlow>(4, flaky), QDateTime::currentDateTimeUtc()));
    }

    static ConsoleSession::Options paused()
    {
        ConsoleSession::Options options;
        options.reader.interval = 10s; // the tests refresh when they want a read
        return options;
    }

private Q_SLOTS:
    void initTestCase() { loadBundledPlugins(m_catalog); }

    void listsFiltersThroughTheSession()
    {
        ConsoleDatabase db;
        fill(db);
        ConsoleSession session(db.path(), db.opener(), m_catalog.registry(), paused());
        FlowListController list;
        list.setRegistry(&m_catalog.registry());
        QSignalSpy first(&list, &FlowListController::firstPageShown);
        list.setSession(&session);
        session.start();
        QVERIFY(first.wait(10000));
        QCOMPARE(list.model()->rowCount(), 10);
        QCOMPARE(list.model()->flowAt(0).id, qint64(10)); // newest first
        QVERIFY(list.types().contains(u"demo.Flaky"_s));
        QTRY_VERIFY(list.hasCounts());
        QCOMPARE(list.counts().value(FlowStatus::Pending), qint64(10));
        QCOMPARE(list.matching(), qint64(10));
        QCOMPARE(list.statusText().section(u"  ·  "_s, 0, 0), u"10 flows"_s);

        // Two filters in a row: only the second one's rows are shown.
        QSignalSpy applied(&list, &FlowListController::snapshotApplied);
        list.setFilter(FlowFilter{std::nullopt, u"demo.Pipeline"_s, {}});
        list.setFilter(FlowFilter{std::nullopt, u"demo.Flaky"_s, {}});
        const quint64 latest = list.generation();
        QTRY_VERIFY(list.isSettled());
        for (const QList<QVariant> &signal : std::as_const(applied))
            QCOMPARE(signal.at(0).toULongLong(), latest);
        QCOMPARE(list.model()->rowCount(), 4);
        QCOMPARE(list.matching(), qint64(-1)); // a type filter: the counts do not tell

        // Sorting by type with every match loaded: at once, through the proxy.
        list.setFilter(FlowFilter{});
        QTRY_VERIFY(list.isSettled() && list.model()->rowCount() == 10);
        list.sortBy(FlowTableModel::TypeColumn, Qt::AscendingOrder);
        QCOMPARE(list.sortedModel()->index(0, FlowTableModel::TypeColumn).data().toString(), u"demo.Flaky"_s);
        QCOMPARE(list.sortedModel()->index(9, FlowTableModel::TypeColumn).data().toString(), u"demo.Pipeline"_s);
    }

    // Cancel from the list: the session's commands cancel, the list and the counts follow at
    // once (no periodic read needed), and the outcome is said.
    void cancelUpdatesRowsCountsAndSaysWhatHappened()
    {
        ConsoleDatabase db;
        fill(db);
        ConsoleSession session(db.path(), db.opener(), m_catalog.registry(), paused());
        FlowListController list;
        list.setSession(&session);
        session.start();
        session.setPaused(true);
        QTRY_VERIFY_WITH_TIMEOUT(list.isSettled() && list.hasCounts(), 10000);
        list.setFilter(FlowFilter{FlowStatus::Pending, {}, {}});
        QTRY_VERIFY(list.isSettled() && list.model()->rowCount() == 10);
        QSignalSpy outcome(&list, &FlowListController::outcome);
        QCOMPARE(list.unfinishedAmong({1, 2, 3}), (QList<qint64>{1, 2, 3}));
        list.cancel({1, 2, 3});
        QVERIFY(outcome.wait(10000));
        QCOMPARE(outcome.first().at(0).toString(), u"Cancelled 3 flows."_s);
        QCOMPARE(outcome.first().at(1).toBool(), false);
        QTRY_COMPARE_WITH_TIMEOUT(list.model()->rowCount(), 7, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(list.counts().value(FlowStatus::Cancelled), qint64(3), 5000);
        QCOMPARE(list.counts().value(FlowStatus::Pending), qint64(7));
        QTRY_COMPARE(list.matching(), qint64(7));
        QVERIFY2(list.statusText().contains(u"Cancelled 3 flows."_s), qPrintable(list.statusText()));
    }

    void withoutASessionSaysSo()
    {
        FlowListController list;
        QCOMPARE(list.statusText(), u"No database is open."_s);
        list.setFilter(FlowFilter{FlowStatus::Failed, {}, {}});
        QCOMPARE(list.model()->rowCount(), 0);
        QVERIFY(!list.isSettled());
    }
};

QTEST_MAIN(TestFlowListController)
#include "tst_flowlistcontroller.moc"
