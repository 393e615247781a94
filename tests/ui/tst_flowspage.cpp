// The Flows page listing flows from real SQLite files: filters that keep the GUI thread
// responsive on 50k flows, newer filters superseding older ones, paging on 10k flows, text
// search through the mirror, live refresh that keeps the selection and the scroll position,
// sorting, and the status and type filter boxes driven by the keyboard. Acting on flows (retry,
// schedule) is tst_flowsactions.

#include "models/flowlistcontroller.h"
#include "models/flowtablemodel.h"
#include "pages/flowdetailpane.h"
#include "pages/flowspage.h"
#include "session/consolesession.h"

#include "bulkflows.h"
#include "ergontest.h"
#include "flowspagefixture.h"

#include <ergon/clock.h>
#include <ergon/flowexecutor.h>
#include <ergon/plugincatalog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace ergon;
using namespace std::chrono_literals;

using namespace ergon::flowstest;

class TestFlowsPage : public QObject
{
    Q_OBJECT

    PluginCatalog m_catalog;
    QTemporaryDir m_dir;
    QString m_big;
    QString m_tenK;
    int m_files = 0;

    QString newPath() { return m_dir.filePath(QStringLiteral("flows-%1.db").arg(++m_files)); }

    const FlowRegistry &registry() const { return m_catalog.registry(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
        QVERIFY(m_catalog.failedPlugins().isEmpty());
        QElapsedTimer clock;
        clock.start();
        m_big = m_dir.filePath(QStringLiteral("big.db"));
        test::BulkFlows big;
        big.count = 50'000;
        ERGON_VERIFY_OK(test::generateFlows(m_big, big));
        m_tenK = m_dir.filePath(QStringLiteral("ten-k.db"));
        test::BulkFlows tenK;
        tenK.count = 10'000;
        ERGON_VERIFY_OK(test::generateFlows(m_tenK, tenK));
        qInfo("generated 60,000 flows in %lld ms", qlonglong(clock.elapsed()));
    }

    void filterChangesKeepTheGuiResponsive()
    {
        PageOnSession pageSession(m_big, registry(), 200ms);
        FlowsPage &page = pageSession.page;
        page.setRegistry(&registry());
        page.resize(1200, 700);
        page.show();
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy first(&page, &FlowsPage::firstPageShown);
        QVERIFY(first.wait(10000));
        QCOMPARE(page.model()->rowCount(), 200);
        QCOMPARE(page.model()->flowAt(0).id, qint64(50'000));
        QTRY_COMPARE(page.controller()->matching(), qint64(50'000));

        GapWatch watch;
        FlowFilter failed;
        failed.status = FlowStatus::Failed;
        page.setFilter(failed);
        QTRY_VERIFY_WITH_TIMEOUT(settled(page), 10000);
        QCOMPARE(page.model()->rowCount(), 200);
        QTRY_COMPARE(page.controller()->matching(), qint64(4000));
        for (int row = 0; row < page.model()->rowCount(); ++row)
            QCOMPARE(page.model()->flowAt(row).status, FlowStatus::Failed);

        FlowFilter invoices;
        invoices.type = QStringLiteral("billing.Invoice");
        page.setFilter(invoices);
        QTRY_VERIFY_WITH_TIMEOUT(settled(page), 10000);
        for (int row = 0; row < page.model()->rowCount(); ++row)
            QCOMPARE(page.model()->flowAt(row).type, QStringLiteral("billing.Invoice"));

        // Typing: one filter per key stroke; the table ends with the last one's matches.
        page.setFilter({});
        QTRY_VERIFY_WITH_TIMEOUT(settled(page), 10000);
        page.searchField()->setFocus();
        QTest::keyClicks(page.searchField(), QStringLiteral("ORD-00049"));
        QCOMPARE(page.filter().text, QStringLiteral("ORD-00049"));
        QTRY_VERIFY_WITH_TIMEOUT(settled(page), 10000);
        QCOMPARE(page.model()->rowCount(), 20); // ids 4900 … 4995, every fifth is an order
        for (int row = 0; row < page.model()->rowCount(); ++row) {
            const FlowRecord &flow = page.model()->flowAt(row);
            QVERIFY(flow.arguments.value(QStringLiteral("order_id")).toString().contains(QLatin1String("ORD-00049")));
        }
        QVERIFY(page.model()->isComplete());

        // A text found nowhere: the reader scans every flow's arguments, the GUI does not wait.
        page.setFilter(FlowFilter{std::nullopt, {}, QStringLiteral("no such text anywhere")});
        QTRY_VERIFY_WITH_TIMEOUT(settled(page), 20000);
        QCOMPARE(page.model()->rowCount(), 0);
        // An id.
        page.setFilter(FlowFilter{std::nullopt, {}, QStringLiteral("12345")});
        QTRY_VERIFY_WITH_TIMEOUT(settled(page), 20000);
        QVERIFY(page.model()->rowOf(12345) >= 0);

        qInfo("GUI event loop: %d ticks, longest gap %lld ms", watch.ticks(), qlonglong(watch.maxGapMs()));
        // How long the GUI thread stalls is bench_console's to measure (no wall-clock limits).
        QVERIFY(watch.ticks() > 0);
    }

    void newerFilterSupersedesOlder()
    {
        PageOnSession pageSession(m_big, registry(), 0ms);
        FlowsPage &page = pageSession.page;
        QSignalSpy first(&page, &FlowsPage::firstPageShown);
        QVERIFY(first.wait(10000));
        QList<bool> current;
        connect(&page, &FlowsPage::snapshotApplied, this,
                [&](quint64 generation) { current.append(generation == page.filterGeneration()); });
        const FlowStatus statuses[] = {FlowStatus::Pending, FlowStatus::Failed, FlowStatus::Cancelled,
                                       FlowStatus::Waiting};
        for (int i = 0; i < 20; ++i)
            page.setFilter(FlowFilter{statuses[i % 4], {}, QString::number(i)});
        page.setFilter(FlowFilter{FlowStatus::Running, {}, {}});
        QTRY_VERIFY_WITH_TIMEOUT(settled(page), 10000);
        QVERIFY(!current.isEmpty());
        QVERIFY(!current.contains(false)); // never an answer to an older filter
        QVERIFY2(current.size() <= 3, qPrintable(QString::number(current.size())));
        QCOMPARE(page.model()->rowCount(), 200);
        for (int row = 0; row < page.model()->rowCount(); ++row)
            QCOMPARE(page.model()->flowAt(row).status, FlowStatus::Running);
    }

    void loadsPageByPage()
    {
        PageOnSession pageSession(m_tenK, registry(), 0ms);
        FlowsPage &page = pageSession.page;
        page.resize(1000, 600);
        page.show();
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy first(&page, &FlowsPage::firstPageShown);
        QVERIFY(first.wait(10000));
        QCOMPARE(page.model()->rowCount(), 200);
        QVERIFY(page.model()->canFetchMore({}));
        QTRY_VERIFY(page.statusText().contains(QLatin1String("200 of 10,000")));

        for (int pages = 2; pages <= 3; ++pages) {
            page.view()->scrollToBottom();
            QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), pages * 200, 10000);
        }
        QList<qint64> expected;
        for (qint64 id = 10'000; id > 10'000 - 600; --id)
            expected.append(id);
        QCOMPARE(page.model()->flowIds(), expected);
        // Only what was scrolled to is loaded.
        QTest::qWait(200);
        QCOMPARE(page.model()->rowCount(), 600);

        // A refresh reads the loaded window again, no more.
        page.refresh();
        QSignalSpy applied(&page, &FlowsPage::snapshotApplied);
        QVERIFY(applied.wait(10000));
        QCOMPARE(page.model()->rowCount(), 600);
    }

    // Once its search mirror is loaded, the page finds a text there and lists the flows found:
    // the same rows, in the same order, as the log's own text filter (LIKE), page after page,
    // combined with the status and type filters, and new flows appear at the next refresh.
    void textSearchThroughTheMirrorShowsWhatLikeFinds()
    {
        const QString path = newPath();
        test::BulkFlows bulk;
        bulk.count = 10'000;
        ERGON_VERIFY_OK(test::generateFlows(path, bulk));
        auto opened = SqliteExecutionLog::open(path);
        QVERIFY2(opened, qPrintable(opened.errorString()));
        std::unique_ptr<SqliteExecutionLog> log = opened.take();
        const auto likeFinds = [&log](const FlowFilter &filter, int limit) {
            FlowQuery query;
            query.status = filter.status;
            query.type = filter.type;
            query.text = filter.text;
            query.limit = limit;
            auto flows = log->flows(query);
            QList<qint64> ids;
            for (const FlowRecord &flow : flows.value_or(QList<FlowRecord>()))
                ids.append(flow.id);
            return ids;
        };

        PageOnSession pageSession(path, registry(), 0ms);
        FlowsPage &page = pageSession.page;
        page.resize(1000, 600);
        page.show();
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&page, &FlowsPage::searchMirrorLoaded);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(loaded.first().at(0).toLongLong(), qint64(10'000));
        QVERIFY(loaded.first().at(1).toLongLong() > 10'000 * 20); // bytes: the texts are held

        struct Case {
            FlowFilter filter;
            qsizetype rows; // expected in the first page
        };
        const QList<Case> cases{
            {FlowFilter{std::nullopt, {}, QStringLiteral("ORD-0001235")}, 1},
            {FlowFilter{std::nullopt, {}, QStringLiteral("ord-00049")}, 20}, // case-insensitive
            {FlowFilter{std::nullopt, {}, QStringLiteral("123")}, 5},        // id 123; 1230, 1234, 1235, 1239 by text
            {FlowFilter{std::nullopt, {}, QStringLiteral("1231")}, 1},       // the id alone
            {FlowFilter{FlowStatus::Failed, {}, QStringLiteral("INV-")}, 200},
            {FlowFilter{std::nullopt, QStringLiteral("demo.Flaky"), QStringLiteral("fail_times\":3")}, 200},
            {FlowFilter{std::nullopt, {}, QStringLiteral("0%5")}, 0}, // % is no wildcard
        };
        for (const Case &c : cases) {
            page.setFilter(c.filter);
            QTRY_VERIFY_WITH_TIMEOUT(settled(page), 10000);
            QVERIFY2(page.lastSnapshot().searchMirrored, qPrintable(c.filter.text));
            const QList<qint64> expected = likeFinds(c.filter, 200);
            QCOMPARE(page.model()->flowIds(), expected);
            QCOMPARE(expected.size(), c.rows);
        }

        // Page after page: 2,000 invoices, newest first, exactly as LIKE lists them.
        page.setFilter(FlowFilter{std::nullopt, {}, QStringLiteral("inv-")});
        QTRY_VERIFY_WITH_TIMEOUT(settled(page), 10000);
        QVERIFY(page.lastSnapshot().searchMirrored);
        QCOMPARE(page.lastSnapshot().matching, qint64(2000));
        QVERIFY(page.statusText().contains(QLatin1String("200 of 2,000")));
        for (int pages = 2; pages <= 3; ++pages) {
            page.view()->scrollToBottom();
            QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), pages * 200, 10000);
        }
        QCOMPARE(page.model()->flowIds(), likeFinds(page.filter(), 600));

        // A new flow that holds the text is on top at the next refresh.
        NewFlow newer;
        newer.type = QStringLiteral("billing.Invoice");
        newer.arguments = {{QStringLiteral("invoice"), QStringLiteral("INV-NEW")}};
        ERGON_TRY(scheduled, log->scheduleFlows({newer}, QDateTime::currentDateTimeUtc()));
        QSignalSpy applied(&page, &FlowsPage::snapshotApplied);
        page.refresh();
        QVERIFY(applied.wait(10000));
        QVERIFY(page.lastSnapshot().searchMirrored);
        QCOMPARE(page.model()->flowAt(0).id, scheduled.first());
        QCOMPARE(page.model()->flowIds(), likeFinds(page.filter(), 600));
    }

    void liveRefreshKeepsSelectionAndScrollPosition()
    {
        const QString path = newPath();
        QVERIFY(QFile::copy(m_tenK, path));
        PageOnSession pageSession(path, registry(), 100ms);
        FlowsPage &page = pageSession.page;
        page.resize(1000, 600);
        page.show();
        QSignalSpy first(&page, &FlowsPage::firstPageShown);
        QVERIFY(first.wait(10000));
        page.view()->scrollToBottom();
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 400, 10000);

        QScrollBar *scroll = page.view()->verticalScrollBar();
        scroll->setValue(scroll->maximum() / 3);
        const QModelIndex top = page.view()->indexAt(QPoint(1, 1));
        QVERIFY(top.isValid());
        const qint64 topId = top.data(FlowTableModel::FlowIdRole).toLongLong();
        const int topY = page.view()->visualRect(top).top();
        const int selectedRow = top.row() + 3;
        page.view()->selectRow(selectedRow);
        const qint64 selectedId =
            page.view()->model()->index(selectedRow, 0).data(FlowTableModel::FlowIdRole).toLongLong();
        QTRY_COMPARE(page.currentFlowId(), selectedId);

        QSignalSpy resets(page.model(), &QAbstractItemModel::modelReset);
        QSignalSpy inserted(page.model(), &QAbstractItemModel::rowsInserted);
        auto log = SqliteExecutionLog::open(path);
        QVERIFY(log);
        QList<NewFlow> flows;
        for (int i = 0; i < 5; ++i)
            flows.append(tomorrowsPipeline());
        ERGON_TRY(ids, (*log)->scheduleFlows(flows, QDateTime::currentDateTimeUtc()));
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->rowOf(ids.constLast()) == 0, 10000);

        QCOMPARE(resets.size(), 0);
        QVERIFY(inserted.size() >= 1);
        const QModelIndexList selected = page.view()->selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.first().data(FlowTableModel::FlowIdRole).toLongLong(), selectedId);
        QCOMPARE(page.view()->selectionModel()->currentIndex().data(FlowTableModel::FlowIdRole).toLongLong(),
                 selectedId);
        const QModelIndex topNow = page.view()->indexAt(QPoint(1, 1));
        QCOMPARE(topNow.data(FlowTableModel::FlowIdRole).toLongLong(), topId);
        QCOMPARE(page.view()->visualRect(topNow).top(), topY);
        QCOMPARE(page.detailPane()->flowId(), selectedId);
    }

    void sortsWhenEveryMatchIsLoaded()
    {
        const QString path = newPath();
        test::BulkFlows small;
        small.count = 300;
        ERGON_VERIFY_OK(test::generateFlows(path, small));
        PageOnSession pageSession(path, registry(), 0ms);
        FlowsPage &page = pageSession.page;
        page.resize(1000, 600);
        page.show();
        QSignalSpy first(&page, &FlowsPage::firstPageShown);
        QVERIFY(first.wait(10000));
        QCOMPARE(page.model()->rowCount(), 200);

        // 300 match: the page loads them all, then sorts.
        page.view()->horizontalHeader()->setSortIndicator(FlowTableModel::TypeColumn, Qt::AscendingOrder);
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 300, 10000);
        QTRY_COMPARE(page.view()->model()->index(0, FlowTableModel::TypeColumn).data().toString(),
                     QStringLiteral("billing.Invoice"));
        QString previous;
        for (int row = 0; row < page.view()->model()->rowCount(); ++row) {
            const QString type = page.view()->model()->index(row, FlowTableModel::TypeColumn).data().toString();
            QVERIFY(previous <= type);
            previous = type;
        }
        // Back to newest first.
        page.view()->horizontalHeader()->setSortIndicator(FlowTableModel::IdColumn, Qt::DescendingOrder);
        QCOMPARE(page.view()->model()->index(0, 0).data(FlowTableModel::FlowIdRole).toLongLong(), qint64(300));

        // Too many to sort: newest first, and a note says why.
        PageOnSession bigSession(m_big, registry(), 0ms);
        FlowsPage &big = bigSession.page;
        big.show();
        QSignalSpy bigFirst(&big, &FlowsPage::firstPageShown);
        QVERIFY(bigFirst.wait(10000));
        GapWatch watch;
        big.view()->horizontalHeader()->setSortIndicator(FlowTableModel::StatusColumn, Qt::AscendingOrder);
        QTRY_VERIFY_WITH_TIMEOUT(big.statusText().contains(QLatin1String("narrow the filter")), 20000);
        QCOMPARE(big.view()->horizontalHeader()->sortIndicatorSection(), int(FlowTableModel::IdColumn));
        QCOMPARE(big.view()->model()->index(0, 0).data(FlowTableModel::FlowIdRole).toLongLong(), qint64(50'000));
        QVERIFY(big.model()->rowCount() <= FlowListController::sortableRows);
        qInfo("loading %d rows to try sorting: longest GUI gap %lld ms", big.model()->rowCount(),
              qlonglong(watch.maxGapMs()));
        QVERIFY(watch.ticks() > 0);
    }

    // The filter bar's status and type boxes, driven by the keyboard, filter the rows.
    void statusAndTypeBoxesFilterTheRows()
    {
        const QString path = newPath();
        QList<qint64> failedIds;
        {
            ERGON_TRY(log, SqliteExecutionLog::open(path));
            FakeClock clock;
            FlowExecutor executor(*log, registry(), clock);
            for (int i = 0; i < 2; ++i) {
                ERGON_AWAIT_OUTCOME(failed,
                                    executor.runNew(QStringLiteral("demo.Flaky"), {{QStringLiteral("fail_times"), 4}}));
                failedIds.append(failed.flowId);
            }
            ERGON_AWAIT_OUTCOME(done, executor.runNew(QStringLiteral("demo.Pipeline"), {{QStringLiteral("steps"), 1}}));
            QCOMPARE(done.status, FlowStatus::Completed);
            ERGON_VERIFY_OK(log->scheduleFlows({tomorrowsPipeline()}, QDateTime::currentDateTimeUtc()));
        }
        PageOnSession pageSession(path, registry(), 100ms);
        FlowsPage &page = pageSession.page;
        page.setRegistry(&registry());
        page.resize(1200, 700);
        QSignalSpy first(&page, &FlowsPage::firstPageShown);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE_WITH_TIMEOUT(first.size(), 1, 10000);
        QCOMPARE(page.model()->rowCount(), 4);
        const auto shown = [&page] {
            QList<FlowRecord> rows;
            for (int row = 0; row < page.model()->rowCount(); ++row)
                rows.append(page.model()->flowAt(row));
            return rows;
        };

        // Status: Down from "All statuses" to Failed.
        QComboBox *status = page.statusBox();
        status->setFocus();
        const int failedIndex = status->findData(int(FlowStatus::Failed));
        QVERIFY(failedIndex > 0);
        for (int i = 0; i < failedIndex; ++i)
            QTest::keyClick(status, Qt::Key_Down);
        QCOMPARE(page.filter().status, std::optional<FlowStatus>(FlowStatus::Failed));
        QTRY_VERIFY_WITH_TIMEOUT(settled(page) && page.model()->rowCount() == 2, 10000);
        for (const FlowRecord &flow : shown())
            QVERIFY(failedIds.contains(flow.id));

        // Back to every status (Home), then the type typed into the type box.
        QTest::keyClick(status, Qt::Key_Home);
        QVERIFY(!page.filter().status);
        QComboBox *type = page.typeBox();
        type->setFocus();
        QTest::keyClicks(type, QStringLiteral("demo.Pipeline"));
        QCOMPARE(page.filter().type, QStringLiteral("demo.Pipeline"));
        QTRY_VERIFY_WITH_TIMEOUT(settled(page) && page.model()->rowCount() == 2, 10000);
        for (const FlowRecord &flow : shown())
            QCOMPARE(flow.type, QStringLiteral("demo.Pipeline"));

        // Both: pending pipelines, the one due tomorrow.
        status->setFocus();
        QTest::keyClick(status, Qt::Key_Down); // Pending, the first status
        QCOMPARE(page.filter().status, std::optional<FlowStatus>(FlowStatus::Pending));
        QTRY_VERIFY_WITH_TIMEOUT(settled(page) && page.model()->rowCount() == 1, 10000);
        QCOMPARE(shown().first().status, FlowStatus::Pending);
        QCOMPARE(shown().first().type, QStringLiteral("demo.Pipeline"));
    }
};

QTEST_MAIN(TestFlowsPage)
#include "tst_flowspage.moc"
