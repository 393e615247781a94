// The Plugins page: loaded plugins with their versions and flow types, failed ones with their
// error — here the test suite's broken plugins next to the bundled ones.

#include "consoletest.h"
#include "pages/pluginspage.h"

#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {

QTreeWidgetItem *topLevel(QTreeWidget *tree, const QString &name)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        if (tree->topLevelItem(i)->text(0) == name)
            return tree->topLevelItem(i);
    }
    return nullptr;
}

} // namespace

class TestPluginsPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadedAndFailedPlugins()
    {
        const QStringList paths{QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR), QStringLiteral(ERGON_BROKEN_PLUGIN_DIR)};
        PluginCatalog catalog;
        catalog.load(paths);
        QVERIFY(!catalog.failedPlugins().isEmpty());

        PluginsPage page;
        page.setCatalog(catalog, paths);
        page.resize(1000, 700);
        page.show();
        QTreeWidget *tree = page.tree();

        QTreeWidgetItem *demo = topLevel(tree, u"demo"_s);
        QVERIFY(demo);
        QCOMPARE(demo->text(1), u"1.0.0"_s);
        QStringList types;
        for (int i = 0; i < demo->childCount(); ++i)
            types.append(demo->child(i)->text(0));
        QCOMPARE(types, (QStringList{u"demo.Pipeline"_s, u"demo.Flaky"_s, u"demo.Sleeper"_s, u"demo.Approval"_s}));
        QCOMPARE(demo->child(0)->text(1), u"v1"_s);
        QCOMPARE(demo->child(0)->child(0)->text(0), u"steps: int = 3"_s);
        QVERIFY(topLevel(tree, u"orders"_s));

        // Every failure is listed after the loaded plugins, with the catalog's error.
        const int loaded = int(catalog.plugins().size() - catalog.failedPlugins().size());
        QCOMPARE(tree->topLevelItemCount(), int(catalog.plugins().size()));
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            const bool isFailure = tree->topLevelItem(i)->text(2).startsWith(u"Not loaded: "_s);
            QCOMPARE(isFailure, i >= loaded);
        }
        for (const PluginInfo &failed : catalog.failedPlugins()) {
            bool found = false;
            for (int i = loaded; i < tree->topLevelItemCount(); ++i)
                found = found || tree->topLevelItem(i)->text(2) == u"Not loaded: "_s + failed.errorString();
            QVERIFY2(found, qPrintable(failed.filePath + u": "_s + failed.errorString()));
        }
    }
};

QTEST_MAIN(TestPluginsPage)
#include "tst_pluginspage.moc"
