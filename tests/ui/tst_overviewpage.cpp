// The Overview page on hand-made snapshots: counts by status, the charts' series growing as
// snapshots arrive (rates from count changes), the work distribution per worker, the latest
// failures (a model checked by QAbstractItemModelTester) and retry from there.

#include "consoletest.h"
#include "models/consoleformat.h"
#include "models/failurelistmodel.h"
#include "pages/overviewpage.h"
#include "session/consolehistory.h"
#include "widgets/rollinglinechart.h"
#include "widgets/workerloadchart.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QLocale>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QTableView>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {

const QDateTime start = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

FlowRecord failure(qint64 id, const QString &error, int secondsAgo = 5)
{
    FlowRecord flow;
    flow.id = id;
    flow.type = u"demo.Flaky"_s;
    flow.status = FlowStatus::Failed;
    flow.error = error;
    flow.updated = start.addSecs(-secondsAgo);
    flow.finished = flow.updated;
    return flow;
}

// Every label of a count axis says exactly the value of its gridline: evenly spaced whole
// numbers from 0 ("0 2 5 8 10" is what a 2.5 step printed without decimals looked like).
void verifyEvenLabels(const QStringList &labels, bool wholeNumbers)
{
    QVERIFY2(labels.size() >= 3, qPrintable(labels.join(u" | "_s)));
    QList<double> values;
    for (const QString &label : labels) {
        bool ok = false;
        values.append(QLocale::c().toDouble(label, &ok));
        QVERIFY2(ok, qPrintable(u"not a number: "_s + label));
        if (wholeNumbers)
            QVERIFY2(!label.contains(u'.'), qPrintable(labels.join(u" | "_s)));
    }
    std::sort(values.begin(), values.end());
    QCOMPARE(values.first(), 0.0);
    const double step = values.at(1) - values.at(0);
    for (qsizetype i = 1; i < values.size(); ++i)
        QVERIFY2(qFuzzyCompare(values.at(i) - values.at(i - 1), step), qPrintable(labels.join(u" | "_s)));
}

} // namespace

class TestOverviewPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsShowInTheTiles()
    {
        OverviewPage page;
        page.showSnapshot(countsSnapshot(start, {12, 3, 4, 123456, 7, 0}));
        QCOMPARE(page.countText(FlowStatus::Pending), QLocale().toString(12));
        QCOMPARE(page.countText(FlowStatus::Completed), QLocale().toString(123456));
        QCOMPARE(page.countText(FlowStatus::Failed), u"7"_s);
        QCOMPARE(page.countText(FlowStatus::Cancelled), u"0"_s);
    }

    void historyRatesFromCountChanges_data()
    {
        QTest::addColumn<qint64>("completedBefore");
        QTest::addColumn<qint64>("completedAfter");
        QTest::addColumn<int>("ms");
        QTest::addColumn<double>("rate");
        QTest::newRow("10 in 2 s") << qint64(10) << qint64(30) << 2000 << 10.0;
        QTest::newRow("3 in 500 ms") << qint64(0) << qint64(3) << 500 << 6.0;
        QTest::newRow("none") << qint64(5) << qint64(5) << 1000 << 0.0;
        QTest::newRow("count went down (retried)") << qint64(5) << qint64(2) << 1000 << 0.0;
    }

    void historyRatesFromCountChanges()
    {
        QFETCH(qint64, completedBefore);
        QFETCH(qint64, completedAfter);
        QFETCH(int, ms);
        QFETCH(double, rate);
        ConsoleHistory history;
        history.add(countsSnapshot(start, {0, 0, 0, completedBefore, 0, 0}));
        QVERIFY(history.points(ConsoleHistory::Series::CompletedPerSecond).isEmpty()); // no rate from one reading
        history.add(countsSnapshot(start.addMSecs(ms), {0, 0, 0, completedAfter, 0, 0}));
        const QList<QPointF> points = history.points(ConsoleHistory::Series::CompletedPerSecond);
        QCOMPARE(points.size(), 1);
        QCOMPARE(points.first().x(), 0.0);
        QCOMPARE(points.first().y(), rate);
    }

    void historyKeepsItsWindow()
    {
        ConsoleHistory history(std::chrono::seconds(60));
        for (int i = 0; i <= 120; ++i)
            history.add(countsSnapshot(start.addSecs(i), {i, 0, 0, 0, 0, 0}));
        const QList<QPointF> pending = history.points(ConsoleHistory::Series::Pending);
        QCOMPARE(pending.size(), 61);
        QCOMPARE(pending.first(), QPointF(-60, 60));
        QCOMPARE(pending.last(), QPointF(0, 120));
    }

    void chartsReceivePoints()
    {
        OverviewPage page;
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QCOMPARE(page.queueChart()->seriesCount(), 2);
        QCOMPARE(page.queueChart()->seriesName(0), u"Pending"_s);
        QCOMPARE(page.rateChart()->seriesName(1), u"Failed"_s);
        for (int i = 0; i < 6; ++i) {
            page.showSnapshot(countsSnapshot(start.addSecs(i), {100 - 10 * i, 4, 2, 10 * i, i, 0}));
            // Redraws are batched at most twice a second: the points arrive, not necessarily at once.
            QTRY_COMPARE_WITH_TIMEOUT(page.queueChart()->pointCount(0), i + 1, 2000);
            QCOMPARE(page.queueChart()->pointCount(1), i + 1);
            QCOMPARE(page.rateChart()->pointCount(0), i);
            QCOMPARE(page.rateChart()->pointCount(1), i);
        }
        QCOMPARE(page.history().samples().last().completedPerSecond, 10.0);

        // A burst of snapshots is drawn in one batch: all of them, a little later.
        for (int i = 6; i < 20; ++i)
            page.showSnapshot(countsSnapshot(start.addSecs(i), {40, 4, 2, 10 * i, i, 0}));
        QTRY_COMPARE_WITH_TIMEOUT(page.queueChart()->pointCount(0), 20, 2000);

        page.clear();
        QCOMPARE(page.queueChart()->pointCount(0), 0);
    }

    void workDistribution()
    {
        OverviewPage page;
        ConsoleSnapshot snapshot = countsSnapshot(start, {0, 0, 0, 30, 2, 0});
        snapshot.workers = {workerRecord(u"alpha"_s, start, 20, 1), workerRecord(u"beta"_s, start.addSecs(-60), 10, 1),
                            workerRecord(u"gamma"_s, start, 0, 0)};
        snapshot.workers[2].status = WorkerStatus::Stopped; // stopped and idle: not a bar
        page.showSnapshot(snapshot);
        QCOMPARE(page.workerChart()->workers(), (QStringList{u"alpha"_s, u"beta (lost)"_s}));
        QCOMPARE(page.workerChart()->completed(u"alpha"_s), 20.0);
        QCOMPARE(page.workerChart()->failed(u"beta (lost)"_s), 1.0);

        // The same workers: the bars are updated in place.
        snapshot.workers[0].completed = 25;
        page.showSnapshot(snapshot);
        QCOMPARE(page.workerChart()->completed(u"alpha"_s), 25.0);
    }

    // Defect 4: nine flows at most, an axis to 10: its gridlines are at whole counts, each
    // labelled with its own value; the rate chart (flows per second) says its decimals.
    void countAxesHaveWholeTicks()
    {
        OverviewPage page;
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        ConsoleSnapshot snapshot = countsSnapshot(start, {9, 0, 0, 0, 0, 0});
        snapshot.workers = {workerRecord(u"alpha"_s, start, 6, 3), workerRecord(u"beta"_s, start, 2, 0)};
        page.showSnapshot(snapshot);
        // Eleven completed in a second: a rate that tops out between whole steps (12.5).
        page.showSnapshot(countsSnapshot(start.addSecs(1), {9, 0, 0, 11, 0, 0}));
        QTRY_COMPARE_WITH_TIMEOUT(page.queueChart()->pointCount(0), 2, 2000);
        QTRY_VERIFY_WITH_TIMEOUT(page.workerChart()->axisLabels(Qt::Horizontal).size() >= 3, 2000);
        verifyEvenLabels(page.workerChart()->axisLabels(Qt::Horizontal), true);
        QTRY_VERIFY_WITH_TIMEOUT(page.queueChart()->axisLabels(Qt::Vertical).size() >= 3, 2000);
        verifyEvenLabels(page.queueChart()->axisLabels(Qt::Vertical), true);
        QTRY_VERIFY_WITH_TIMEOUT(page.rateChart()->axisLabels(Qt::Vertical).size() >= 3, 2000);
        verifyEvenLabels(page.rateChart()->axisLabels(Qt::Vertical), false);
    }

    void axisScales_data()
    {
        QTest::addColumn<double>("maximum");
        QTest::addColumn<bool>("whole");
        QTest::addColumn<double>("top");
        QTest::addColumn<int>("ticks");
        QTest::addColumn<int>("decimals");
        QTest::newRow("nothing yet") << 0.0 << true << 4.0 << 5 << 0;
        QTest::newRow("two counts") << 2.0 << true << 4.0 << 5 << 0;
        QTest::newRow("nine flows") << 9.0 << true << 10.0 << 6 << 0;
        QTest::newRow("eleven flows") << 11.0 << true << 15.0 << 4 << 0;
        QTest::newRow("eleven per second") << 11.0 << false << 12.5 << 6 << 1;
        QTest::newRow("a thousand") << 1000.0 << true << 1500.0 << 4 << 0;
        QTest::newRow("a little over one per second") << 1.1 << false << 1.25 << 6 << 2;
        QTest::newRow("under one per second") << 0.5 << false << 1.0 << 6 << 1;
    }

    void axisScales()
    {
        QFETCH(double, maximum);
        QFETCH(bool, whole);
        const style::AxisScale scale = style::axisScale(maximum, whole ? 4 : 1, whole);
        QTEST(scale.top, "top");
        QTEST(scale.tickCount, "ticks");
        QTEST(scale.decimals, "decimals");
        const double step = scale.top / (scale.tickCount - 1);
        if (whole)
            QCOMPARE(step, std::round(step));
        QVERIFY(scale.top >= maximum);
    }

    // Worker runs sharing a name (a console's workers started again, a restarted service) are
    // bars of their own, told apart by when they started.
    void workerRunsSharingANameAreToldApart()
    {
        OverviewPage page;
        ConsoleSnapshot snapshot = countsSnapshot(start, {0, 0, 0, 150, 3, 0});
        WorkerRecord first = workerRecord(u"vm-24686-1"_s, start.addSecs(-600), 147, 3);
        first.id = 1;
        first.started = start.addSecs(-3600);
        first.status = WorkerStatus::Stopped;
        WorkerRecord second = first;
        second.id = 2;
        second.started = start.addSecs(-1800);
        second.completed = 3;
        second.failed = 0;
        WorkerRecord third = workerRecord(u"vm-24686-1"_s, start, 0, 0);
        third.id = 3;
        third.started = start.addSecs(-60);
        snapshot.workers = {first, second, third};
        page.showSnapshot(snapshot);
        const QStringList bars = page.workerChart()->workers();
        QCOMPARE(bars.size(), 3);
        QCOMPARE(QSet<QString>(bars.cbegin(), bars.cend()).size(), 3);
        const auto at = [](const WorkerRecord &worker) { return worker.started.toLocalTime().toString(u"HH:mm:ss"_s); };
        const QString firstBar = u"vm-24686-1 (stopped, %1)"_s.arg(at(first));
        const QString secondBar = u"vm-24686-1 (stopped, %1)"_s.arg(at(second));
        QVERIFY2(bars.contains(firstBar), qPrintable(bars.join(u" | "_s)));
        QCOMPARE(page.workerChart()->completed(firstBar), 147.0);
        QCOMPARE(page.workerChart()->failed(firstBar), 3.0);
        QCOMPARE(page.workerChart()->completed(secondBar), 3.0);
        QCOMPARE(page.workerChart()->completed(u"vm-24686-1 (%1)"_s.arg(at(third))), 0.0);
    }

    void latestFailuresAndRetry()
    {
        OverviewPage page;
        QAbstractItemModelTester tester(page.failureModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        ConsoleSnapshot snapshot = countsSnapshot(start, {0, 0, 0, 0, 3, 0});
        snapshot.latestFailures = {failure(9, u"boom\nstack"_s), failure(7, u"bad"_s), failure(4, u"worse"_s)};
        page.showSnapshot(snapshot);
        FailureListModel *model = page.failureModel();
        QCOMPARE(model->rowCount(), 3);
        QCOMPARE(model->index(0, FailureListModel::ErrorColumn).data().toString(), u"boom"_s); // first line
        QCOMPARE(model->index(0, FailureListModel::ErrorColumn).data(Qt::ToolTipRole).toString(), u"boom\nstack"_s);
        QCOMPARE(model->index(0, FailureListModel::WhenColumn).data().toString(), u"5.0 s ago"_s);

        // Select two; a new failure arrives and one is retried away: the selection follows its rows.
        QItemSelectionModel *selection = page.failureView()->selectionModel();
        selection->select(model->index(1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        selection->select(model->index(2, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        snapshot.latestFailures = {failure(12, u"new"_s), failure(9, u"boom"_s), failure(4, u"worse"_s)};
        page.showSnapshot(snapshot);
        QCOMPARE(model->rowCount(), 3);
        QCOMPARE(selection->selectedRows().size(), 1);
        QCOMPARE(selection->selectedRows().first().data(FailureListModel::FlowIdRole).toLongLong(), 4);

        auto *retry = page.findChild<QPushButton *>();
        QVERIFY(retry);
        QVERIFY(retry->isEnabled());
        QSignalSpy requested(&page, &OverviewPage::retryRequested);
        retry->click();
        QCOMPARE(requested.size(), 1);
        QCOMPARE(requested.first().first().value<QList<qint64>>(), QList<qint64>{4});

        snapshot.latestFailures.clear();
        page.showSnapshot(snapshot);
        QCOMPARE(model->rowCount(), 0);
        QVERIFY(!retry->isEnabled());
    }
};

QTEST_MAIN(TestOverviewPage)
#include "tst_overviewpage.moc"
