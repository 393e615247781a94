// The Flows page against real SQLite files: filters that keep the GUI thread responsive on 50k
// flows, newer filters superseding older ones, paging on 10k flows, live refresh that keeps the
// selection and the scroll position, sorting, demo.Flaky retried from the detail pane and in
// bulk, and a flow scheduled through the Schedule dialog that a worker completes.

#include "models/flowlistcontroller.h"
#include "models/flowstepsmodel.h"
#include "models/flowtablemodel.h"
#include "pages/flowdetailpane.h"
#include "pages/flowspage.h"
#include "session/consolesession.h"
#include "shell/scheduledialog.h"

#include "bulkflows.h"
#include "ergontest.h"
#include "widgets/argumentform.h"

#include <ergon/clock.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace ergon;
using namespace std::chrono_literals;

namespace {

// A one-step demo.Pipeline flow due tomorrow: it stays pending while the test watches.
NewFlow tomorrowsPipeline()
{
    NewFlow flow;
    flow.type = QStringLiteral("demo.Pipeline");
    flow.arguments = {{QStringLiteral("steps"), 1}};
    flow.runAt = QDateTime::currentDateTimeUtc().addDays(1);
    return flow;
}

LogOpener opener(const QString &path)
{
    return [path]() -> Result<std::unique_ptr<ExecutionLog>> {
        auto log = SqliteExecutionLog::open(path);
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(log.take());
    };
}

// Measures how long the GUI thread's event loop goes without serving a 10 ms timer.
class GapWatch
{
public:
    GapWatch()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(10);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.elapsed();
            m_max = std::max(m_max, now - m_last);
            m_last = now;
            ++m_ticks;
        });
        m_clock.start();
        m_timer.start();
    }
    qint64 maxGapMs() const { return std::max(m_max, m_clock.elapsed() - m_last); }
    int ticks() const { return m_ticks; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_max = 0;
    int m_ticks = 0;
};

ConsoleSession::Options sessionOptions(std::chrono::milliseconds interval)
{
    ConsoleSession::Options options;
    options.reader.interval = std::max(interval, std::chrono::milliseconds(50));
    return options;
}

// A Flows page on a session of its own, as the window arranges them. An interval of 0: the
// readers read once, then only when refreshed.
struct PageOnSession {
    PageOnSession(const QString &path, const FlowRegistry &registry, std::chrono::milliseconds interval)
        : session(path, opener(path), registry, sessionOptions(interval))
    {
        page.setSession(&session);
        session.start();
        if (interval <= std::chrono::milliseconds(0))
            session.setPaused(true);
    }
    ConsoleSession session;
    FlowsPage page;
};

bool settled(const FlowsPage &page)
{
    return page.lastSnapshot().generation == page.filterGeneration() && page.lastSnapshot().readAt.isValid();
}

// The proxy row of a flow in the page's table, or -1.
int viewRow(const FlowsPage &page, qint64 flowId)
{
    const int row = page.model()->rowOf(flowId);
    if (row < 0)
        return -1;
    auto *proxy = static_cast<QSortFilterProxyModel *>(page.view()->model());
    return proxy->mapFromSource(page.model()->index(row, 0)).row();
}

FlowStatus statusOf(const FlowsPage &page, qint64 flowId)
{
    const int row = page.model()->rowOf(flowId);
    return row < 0 ? FlowStatus::Pending : page.model()->flowAt(row).status;
}

} // namespace

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
        auto *steps = qobject_cast<QLineEdit *>(dialog.argumentForm()->editor(QStringLiteral("steps")));
        QVERIFY(steps);
        steps->setText(QStringLiteral("2"));
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

QTEST_MAIN(TestFlowsPage)
#include "tst_flowspage.moc"
