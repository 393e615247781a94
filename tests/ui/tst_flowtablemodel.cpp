// FlowTableModel: merges by id in place (no reset), keeps the selection, pages with
// canFetchMore/fetchMore, and stays a valid model (QAbstractItemModelTester) through many random
// windows and pages, alone and under the sorting proxy the page uses.

#include "models/flowtablemodel.h"

#include "ergontest.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <algorithm>

using namespace ergon;

namespace {

FlowRecord makeFlow(qint64 id, FlowStatus status = FlowStatus::Pending, int version = 0)
{
    FlowRecord flow;
    flow.id = id;
    flow.type = id % 2 ? QStringLiteral("demo.Pipeline") : QStringLiteral("orders.OrderProcessor");
    flow.arguments = {{QStringLiteral("n"), id}};
    flow.status = status;
    flow.created = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000 + id * 1000, Qt::UTC);
    flow.updated = flow.created.addMSecs(version);
    flow.stepCount = version;
    return flow;
}

// Newest first, as the reader delivers them.
QList<FlowRecord> window(qint64 newest, int count)
{
    QList<FlowRecord> flows;
    for (qint64 id = newest; id > newest - count && id > 0; --id)
        flows.append(makeFlow(id));
    return flows;
}

QList<qint64> idsOf(const QList<FlowRecord> &flows)
{
    QList<qint64> ids;
    for (const FlowRecord &flow : flows)
        ids.append(flow.id);
    return ids;
}

} // namespace

class TestFlowTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mergesInPlaceAndKeepsSelection()
    {
        FlowTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setFlows(window(10, 10));
        QCOMPARE(model.rowCount(), 10);
        QItemSelectionModel selection(&model);
        const int row = model.rowOf(5);
        selection.select(model.index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        selection.setCurrentIndex(model.index(row, 0), QItemSelectionModel::NoUpdate);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

        // Two new flows on top, flow 5 changed, the two oldest gone (the window moved).
        QList<FlowRecord> next = window(12, 10);
        for (FlowRecord &flow : next) {
            if (flow.id == 5)
                flow = makeFlow(5, FlowStatus::Failed, 7);
        }
        model.setFlows(next);

        QCOMPARE(resets.size(), 0);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(changed.size(), 1);
        const QModelIndex topLeft = changed.first().at(0).value<QModelIndex>();
        QCOMPARE(topLeft.row(), model.rowOf(5));
        QCOMPARE(model.flowIds(), idsOf(next));
        QCOMPARE(selection.selectedRows().size(), 1);
        QCOMPARE(selection.selectedRows().first().data(FlowTableModel::FlowIdRole).toLongLong(), qint64(5));
        QCOMPARE(selection.currentIndex().data(FlowTableModel::FlowIdRole).toLongLong(), qint64(5));
        QCOMPARE(model.index(model.rowOf(5), FlowTableModel::StatusColumn).data().toString(), QStringLiteral("failed"));

        // The same window again: nothing to say.
        model.setFlows(next);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(inserted.size(), 1);
    }

    void showsColumns()
    {
        FlowTableModel model;
        FlowRecord flow = makeFlow(42, FlowStatus::Failed, 3);
        flow.error = QStringLiteral("step 'charge' failed\nstack");
        model.setFlows({flow});
        QCOMPARE(model.index(0, FlowTableModel::IdColumn).data().toLongLong(), qint64(42));
        QCOMPARE(model.index(0, FlowTableModel::TypeColumn).data().toString(), QStringLiteral("orders.OrderProcessor"));
        QCOMPARE(model.index(0, FlowTableModel::StepsColumn).data().toInt(), 3);
        QCOMPARE(model.index(0, FlowTableModel::ArgumentsColumn).data().toString(), QStringLiteral("\"n\":42"));
        QCOMPARE(model.index(0, FlowTableModel::ErrorColumn).data().toString(), QStringLiteral("step 'charge' failed"));
        QCOMPARE(model.index(0, FlowTableModel::ErrorColumn).data(Qt::ToolTipRole).toString(), flow.error);
        QVERIFY(!model.index(0, FlowTableModel::StatusColumn).data(Qt::DecorationRole).isNull());
        QCOMPARE(model.index(0, FlowTableModel::CreatedColumn).data(FlowTableModel::SortRole).toLongLong(),
                 flow.created.toMSecsSinceEpoch());
    }

    void pagesWithFetchMore()
    {
        FlowTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy asked(&model, &FlowTableModel::moreRequested);
        model.setFlows(window(1000, 200), false);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QCOMPARE(asked.size(), 1);
        QVERIFY(!model.canFetchMore({})); // one request at a time
        model.fetchMore({});
        QCOMPARE(asked.size(), 1);

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.appendFlows(window(800, 200), false);
        QCOMPARE(model.rowCount(), 400);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 200);
        QVERIFY(model.canFetchMore({}));

        // Rows shifted since (two new flows on top): the next page overlaps the rows by two.
        model.appendFlows(window(602, 200), true);
        QCOMPARE(model.rowCount(), 598);
        QCOMPARE(model.flowIds(), idsOf(window(1000, 598)));
        QVERIFY(!model.canFetchMore({}));
        QVERIFY(model.isComplete());

        // A page that reaches above the rows (flows removed above it) is merged in id order.
        model.setFlows(window(1000, 10), false);
        QList<FlowRecord> odd = window(995, 20);
        odd.prepend(makeFlow(1005));
        model.appendFlows(odd, false);
        QList<qint64> ids = model.flowIds();
        QVERIFY(std::is_sorted(ids.cbegin(), ids.cend(), std::greater<>()));
        QCOMPARE(ids.size(), 26);
    }

    void randomUpdatesKeepTheModelValid_data()
    {
        QTest::addColumn<bool>("sorted");
        QTest::newRow("model") << false;
        QTest::newRow("sorting proxy") << true;
    }

    void randomUpdatesKeepTheModelValid()
    {
        QFETCH(bool, sorted);
        FlowTableModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(FlowTableModel::SortRole);
        proxy.setDynamicSortFilter(true);
        if (sorted)
            proxy.sort(FlowTableModel::StatusColumn, Qt::AscendingOrder);
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QItemSelectionModel selection(&proxy);

        QRandomGenerator random(1234);
        QHash<qint64, int> versions;
        qint64 newest = 300;
        for (int round = 0; round < 400; ++round) {
            newest += random.bounded(0, 6);
            // The window: the newest flows, with a few gone (filtered out) and a few changed.
            QList<FlowRecord> flows;
            const int size = random.bounded(0, 120);
            for (qint64 id = newest; id > newest - size; --id) {
                if (random.bounded(10) == 0)
                    continue;
                if (random.bounded(8) == 0)
                    versions[id] += 1;
                const auto status = FlowStatus(random.bounded(6));
                flows.append(makeFlow(id, versions.value(id) % 2 ? status : FlowStatus::Pending, versions.value(id)));
            }
            if (random.bounded(10) == 0 && !model.flowIds().isEmpty()) {
                // A page after the rows, sometimes overlapping them.
                const qint64 last = model.flowIds().constLast();
                QList<FlowRecord> page;
                for (qint64 id = last + random.bounded(0, 3); id > last - 30 && id > 0; --id)
                    page.append(makeFlow(id, FlowStatus::Completed, versions.value(id)));
                QList<qint64> expected = model.flowIds();
                for (const FlowRecord &flow : std::as_const(page)) {
                    if (!expected.contains(flow.id))
                        expected.append(flow.id);
                }
                std::sort(expected.begin(), expected.end(), std::greater<>());
                model.appendFlows(page, random.bounded(2) == 0);
                QCOMPARE(model.flowIds(), expected);
            } else {
                model.setFlows(flows, random.bounded(2) == 0);
                QCOMPARE(model.flowIds(), idsOf(flows));
            }
            QCOMPARE(proxy.rowCount(), model.rowCount());
            if (model.rowCount() > 0 && random.bounded(4) == 0) {
                const int row = random.bounded(proxy.rowCount());
                selection.select(proxy.index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            }
        }
    }
};

QTEST_MAIN(TestFlowTableModel)
#include "tst_flowtablemodel.moc"
