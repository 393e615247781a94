// Two plugins that declare one flow type (issue 11, defect 5): the type goes to the first plugin
// in scan order, type by type; the other plugin keeps its other types and lists the lost one as
// shadowed, with the winner. Before, the later plugin was refused whole, and the types it alone
// provided became unknown.

#include <ergon/plugincatalog.h>

#include <QFileInfo>
#include <QTest>

using namespace ergon;
using namespace Qt::StringLiterals;

namespace {

const QString bundledDir = QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR);
const QString shadowingDir = QStringLiteral(ERGON_TEST_PLUGIN_DIR "/shadowing");

const PluginInfo *findByName(const PluginCatalog &catalog, const QString &name)
{
    for (const PluginInfo &plugin : catalog.plugins()) {
        if (plugin.name == name)
            return &plugin;
    }
    return nullptr;
}

QString providerOf(const PluginCatalog &catalog, const QString &type)
{
    const FlowTypeInfo *info = catalog.registry().info(type);
    return info ? info->plugin : QString();
}

} // namespace

class TestPluginShadowing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theFirstPluginInScanOrderWinsEachType_data()
    {
        QTest::addColumn<QStringList>("order");
        QTest::addColumn<QString>("winner");
        QTest::addColumn<QString>("loser");
        QTest::newRow("the added folder first")
            << QStringList{shadowingDir, bundledDir} << u"shadowing"_s << u"orders"_s;
        QTest::newRow("the bundled folder first")
            << QStringList{bundledDir, shadowingDir} << u"orders"_s << u"shadowing"_s;
    }

    void theFirstPluginInScanOrderWinsEachType()
    {
        QFETCH(QStringList, order);
        QFETCH(QString, winner);
        QFETCH(QString, loser);
        PluginCatalog catalog;
        catalog.load(order);

        // Both plugins load; each provides the types nobody else declares.
        QVERIFY2(catalog.failedPlugins().isEmpty(), qPrintable(catalog.failedPlugins().value(0).error));
        QCOMPARE(providerOf(catalog, u"orders.OrderProcessor"_s), winner);
        QCOMPARE(providerOf(catalog, u"orders.TimedOrderProcessor"_s), u"orders"_s);
        QCOMPARE(providerOf(catalog, u"shadowing.Echo"_s), u"shadowing"_s);
        QCOMPARE(providerOf(catalog, u"demo.Pipeline"_s), u"demo"_s);
        QVERIFY(catalog.registry().create(
            u"orders.TimedOrderProcessor"_s,
            *catalog.registry().validate(u"orders.TimedOrderProcessor"_s, {{u"order_id"_s, u"o"_s}})));

        // The loser lists the type it lost, with the plugin and the file that provide it.
        const PluginInfo *lost = findByName(catalog, loser);
        const PluginInfo *won = findByName(catalog, winner);
        QVERIFY(lost && won);
        QCOMPARE(lost->state, PluginInfo::State::Loaded);
        QCOMPARE(lost->shadowed.size(), 1);
        QCOMPARE(lost->shadowed.first().type, u"orders.OrderProcessor"_s);
        QCOMPARE(lost->shadowed.first().byPlugin, winner);
        QCOMPARE(lost->shadowed.first().byFile, won->filePath);
        QVERIFY(lost->isShadowed(u"orders.OrderProcessor"_s));
        QVERIFY(won->shadowed.isEmpty());
        QVERIFY2(lost->shadowed.first().reason().contains(u"plugin '%1'"_s.arg(winner)),
                 qPrintable(lost->shadowed.first().reason()));
        const auto all = catalog.shadowedTypes();
        QCOMPARE(all.size(), 1);
        QCOMPARE(all.first().first.name, loser);

        // The winner's schema is the one arguments are checked against.
        const auto shadowingArguments =
            catalog.registry().validate(u"orders.OrderProcessor"_s, {{u"ticket"_s, u"t"_s}});
        QCOMPARE(bool(shadowingArguments), winner == u"shadowing"_s);
    }

    void aPluginLeftWithNoTypeIsNotLoaded()
    {
        // test_duplicatetype declares orders.OrderProcessor only.
        PluginCatalog catalog;
        catalog.load({bundledDir, QStringLiteral(ERGON_TEST_PLUGIN_DIR "/broken/libtest_duplicatetype.so")});
        const PluginInfo *duplicate = findByName(catalog, u"duplicatetype"_s);
        QVERIFY(duplicate);
        QVERIFY(duplicate->hasError());
        QVERIFY2(
            duplicate->error.contains(u"flow type 'orders.OrderProcessor' is already provided by plugin 'orders'"_s),
            qPrintable(duplicate->error));
        QCOMPARE(providerOf(catalog, u"orders.OrderProcessor"_s), u"orders"_s);
    }
};

QTEST_GUILESS_MAIN(TestPluginShadowing)
#include "tst_pluginshadowing.moc"
