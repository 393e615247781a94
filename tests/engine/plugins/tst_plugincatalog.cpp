// The plugin catalog: bundled plugins load and describe their flow types; broken plugin files
// are each reported with their own message while the rest still load; arguments are checked
// against the schema; a flow type version that makes replay diverge is reported as such.

#include <ergon/clock.h>
#include <ergon/flowexecutor.h>
#include <ergon/inmemoryexecutionlog.h>
#include <ergon/plugincatalog.h>

#include "ergontest.h"

#include <QCoroTask>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace ergon;

namespace {

const QString bundledDir = QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR);
const QString testPluginDir = QStringLiteral(ERGON_TEST_PLUGIN_DIR);

template<typename T>
T await(QCoro::Task<T> task)
{
    auto value = test::awaitTask(std::move(task));
    if (!value)
        qFatal("a task under test hung or threw");
    return std::move(*value);
}

QString pluginFile(const QString &dir, const QString &baseName)
{
    return dir + QStringLiteral("/lib") + baseName + QStringLiteral(".so");
}

const PluginInfo *findByFile(const PluginCatalog &catalog, const QString &fileName)
{
    for (const PluginInfo &plugin : catalog.plugins()) {
        if (plugin.filePath.endsWith(QLatin1Char('/') + fileName))
            return &plugin;
    }
    return nullptr;
}

const PluginInfo *findByName(const PluginCatalog &catalog, const QString &name)
{
    for (const PluginInfo &plugin : catalog.plugins()) {
        if (plugin.name == name)
            return &plugin;
    }
    return nullptr;
}

} // namespace

class TestPluginCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadsBundledPlugins()
    {
        PluginCatalog catalog;
        catalog.load({bundledDir});
        QVERIFY2(catalog.failedPlugins().isEmpty(), qPrintable(catalog.failedPlugins().value(0).error));

        const PluginInfo *orders = findByName(catalog, QStringLiteral("orders"));
        const PluginInfo *demo = findByName(catalog, QStringLiteral("demo"));
        QVERIFY(orders && demo);
        QCOMPARE(orders->state, PluginInfo::State::Loaded);
        QCOMPARE(orders->version, QStringLiteral("1.0.0"));
        QVERIFY(!orders->description.isEmpty());

        QStringList types;
        for (const FlowTypeInfo &type : catalog.registry().types())
            types.append(type.name);
        QCOMPARE(types,
                 (QStringList{QStringLiteral("demo.Approval"), QStringLiteral("demo.Flaky"),
                              QStringLiteral("demo.Pipeline"), QStringLiteral("demo.Sleeper"),
                              QStringLiteral("orders.OrderProcessor"), QStringLiteral("orders.TimedOrderProcessor")}));

        const FlowTypeInfo *order = catalog.registry().info(QStringLiteral("orders.OrderProcessor"));
        QCOMPARE(order->plugin, QStringLiteral("orders"));
        QCOMPARE(order->version, 1);
        const ArgumentSpec *orderId = order->schema.field(QStringLiteral("order_id"));
        QVERIFY(orderId);
        QCOMPARE(orderId->type, ArgumentSpec::Type::String);
        QVERIFY(orderId->required);
        QCOMPARE(order->schema.field(QStringLiteral("amount"))->type, ArgumentSpec::Type::Number);

        const FlowTypeInfo *timed = catalog.registry().info(QStringLiteral("orders.TimedOrderProcessor"));
        QCOMPARE(timed->schema.field(QStringLiteral("delay_s"))->defaultValue, QJsonValue(2));
        const FlowTypeInfo *pipeline = catalog.registry().info(QStringLiteral("demo.Pipeline"));
        QCOMPARE(pipeline->schema.fields().size(), 3);
        QCOMPARE(pipeline->schema.field(QStringLiteral("steps"))->type, ArgumentSpec::Type::Integer);
        QCOMPARE(pipeline->schema.field(QStringLiteral("steps"))->defaultValue, QJsonValue(3));
        QCOMPARE(pipeline->schema.field(QStringLiteral("witness"))->defaultValue, QJsonValue(QString()));
        QCOMPARE(catalog.registry()
                     .info(QStringLiteral("demo.Flaky"))
                     ->schema.field(QStringLiteral("fail_times"))
                     ->defaultValue,
                 QJsonValue(2));
        QCOMPARE(catalog.registry()
                     .info(QStringLiteral("demo.Sleeper"))
                     ->schema.field(QStringLiteral("seconds"))
                     ->defaultValue,
                 QJsonValue(1));
    }

    void sameFolderTwiceLoadsOnce()
    {
        PluginCatalog catalog;
        catalog.load({bundledDir, bundledDir + QStringLiteral("/")});
        QCOMPARE(catalog.plugins().size(), 2);
        QVERIFY(catalog.failedPlugins().isEmpty());
    }

    void brokenPluginsAreReported_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("expectedError");
        QTest::newRow("random bytes") << QStringLiteral("librandom.so") << QStringLiteral("is not a valid ELF object");
        QTest::newRow("truncated library")
            << QStringLiteral("libtruncated.so") << QStringLiteral("Failed to extract plugin meta data");
        QTest::newRow("no plugin metadata")
            << QStringLiteral("libtest_nometadata.so") << QStringLiteral("metadata not found");
        QTest::newRow("other interface version")
            << QStringLiteral("libtest_wrongversion.so")
            << QStringLiteral("built for flow plugin interface version 2; this Ergon Console loads version 1");
        QTest::newRow("other interface")
            << QStringLiteral("libtest_otherinterface.so")
            << QStringLiteral("not an Ergon flow plugin (its interface is \"com.example.SomethingElse/1\"");
        QTest::newRow("duplicate flow type")
            << QStringLiteral("libtest_duplicatetype.so")
            << QStringLiteral("flow type 'orders.OrderProcessor' is already provided by plugin 'orders'");
        QTest::newRow("bad metadata") << QStringLiteral("libtest_badmetadata.so")
                                      << QStringLiteral(
                                             "bad plugin metadata: flow type 'badmetadata.Flow': argument 'amount' has "
                                             "unknown type \"money\"");
    }

    void brokenPluginsAreReported()
    {
        QFETCH(QString, fileName);
        QFETCH(QString, expectedError);

        // A folder with every broken file next to copies of the good plugins.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString brokenDir = testPluginDir + QStringLiteral("/broken");
        for (const QString &name : {QStringLiteral("test_nometadata"), QStringLiteral("test_wrongversion"),
                                    QStringLiteral("test_otherinterface"), QStringLiteral("test_duplicatetype"),
                                    QStringLiteral("test_badmetadata")}) {
            QVERIFY(QFile::copy(pluginFile(brokenDir, name), pluginFile(dir.path(), name)));
        }
        QFile random(dir.filePath(QStringLiteral("librandom.so")));
        QVERIFY(random.open(QIODevice::WriteOnly));
        QByteArray noise(8192, Qt::Uninitialized);
        for (char &byte : noise)
            byte = char(QRandomGenerator::global()->bounded(256));
        random.write(noise);
        random.close();
        QFile library(pluginFile(bundledDir, QStringLiteral("ergon_demo")));
        QVERIFY(library.open(QIODevice::ReadOnly));
        QFile truncated(dir.filePath(QStringLiteral("libtruncated.so")));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write(library.read(4096));
        truncated.close();
        // Not a library by name: not even considered.
        QFile notes(dir.filePath(QStringLiteral("README.txt")));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("not a plugin\n");
        notes.close();

        PluginCatalog catalog;
        catalog.load({bundledDir, dir.path()});

        const PluginInfo *plugin = findByFile(catalog, fileName);
        QVERIFY2(plugin, qPrintable(fileName));
        QCOMPARE(plugin->state, PluginInfo::State::Failed);
        QVERIFY2(plugin->errorString().contains(expectedError), qPrintable(plugin->errorString()));
        QVERIFY(!findByFile(catalog, QStringLiteral("README.txt")));

        // Every broken file is reported, each with a message of its own; the good ones load.
        QCOMPARE(catalog.failedPlugins().size(), 7);
        QStringList messages;
        for (const PluginInfo &failed : catalog.failedPlugins())
            messages.append(failed.error);
        messages.removeDuplicates();
        QCOMPARE(messages.size(), 7);
        QCOMPARE(findByName(catalog, QStringLiteral("orders"))->state, PluginInfo::State::Loaded);
        QCOMPARE(findByName(catalog, QStringLiteral("demo"))->state, PluginInfo::State::Loaded);
        QCOMPARE(catalog.registry().types().size(), 6);
    }

    void pluginThatCannotCreateADeclaredTypeIsRefused()
    {
        PluginCatalog catalog;
        const QString file = pluginFile(testPluginDir + QStringLiteral("/broken"), QStringLiteral("test_missingtype"));
        catalog.load({bundledDir, file});
        const PluginInfo *plugin = findByName(catalog, QStringLiteral("missingtype"));
        QVERIFY(plugin);
        QCOMPARE(plugin->state, PluginInfo::State::Failed);
        QVERIFY2(plugin->errorString().contains(QStringLiteral(
                     "the metadata declares flow type 'missing.Absent', which the plugin cannot create")),
                 qPrintable(plugin->errorString()));
        QVERIFY(!catalog.registry().contains(QStringLiteral("missing.Present")));
        QVERIFY(!catalog.registry().contains(QStringLiteral("missing.Absent")));
        // The bundled plugins, built on the same base, pass the check.
        QCOMPARE(findByName(catalog, QStringLiteral("orders"))->state, PluginInfo::State::Loaded);
        QCOMPARE(findByName(catalog, QStringLiteral("demo"))->state, PluginInfo::State::Loaded);
        QCOMPARE(catalog.failedPlugins().size(), 1);
    }

    void argumentsAreValidatedBeforeScheduling_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("arguments");
        QTest::addColumn<QString>("expectedError");
        QTest::newRow("wrong type")
            << QStringLiteral("orders.OrderProcessor")
            << QJsonObject{{QStringLiteral("order_id"), QStringLiteral("A")},
                           {QStringLiteral("amount"), QStringLiteral("ten")}}
            << QStringLiteral("orders.OrderProcessor: argument 'amount' must be of type number, got a string");
        QTest::newRow("missing required")
            << QStringLiteral("orders.OrderProcessor") << QJsonObject{{QStringLiteral("amount"), 10}}
            << QStringLiteral("orders.OrderProcessor: missing required argument 'order_id'");
        QTest::newRow("unknown field") << QStringLiteral("demo.Pipeline") << QJsonObject{{QStringLiteral("stepz"), 3}}
                                       << QStringLiteral("demo.Pipeline: unknown argument 'stepz'");
        QTest::newRow("not an integer") << QStringLiteral("demo.Pipeline")
                                        << QJsonObject{{QStringLiteral("steps"), 2.5}}
                                        << QStringLiteral(
                                               "demo.Pipeline: argument 'steps' must be of type int, got a number");
        QTest::newRow("unknown type") << QStringLiteral("demo.Nope") << QJsonObject{}
                                      << QStringLiteral("unknown flow type 'demo.Nope'");
    }

    void argumentsAreValidatedBeforeScheduling()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, arguments);
        QFETCH(QString, expectedError);
        PluginCatalog catalog;
        catalog.load({bundledDir});

        const auto validated = catalog.registry().validate(type, arguments);
        QVERIFY(!validated);
        QCOMPARE(validated.error().message(), expectedError);

        // Nothing is stored when the arguments are refused.
        InMemoryExecutionLog log;
        FakeClock clock;
        FlowExecutor executor(log, catalog.registry(), clock);
        const auto outcome = await(executor.runNew(type, arguments));
        QVERIFY(!outcome);
        QCOMPARE(outcome.error().message(), expectedError);
        QVERIFY(log.countByStatus()->isEmpty());
    }

    void defaultsAreFilledIn()
    {
        PluginCatalog catalog;
        catalog.load({bundledDir});
        const auto validated =
            catalog.registry().validate(QStringLiteral("demo.Pipeline"), {{QStringLiteral("steps"), 5}});
        QVERIFY(validated);
        QCOMPARE(*validated,
                 (QJsonObject{{QStringLiteral("steps"), 5},
                              {QStringLiteral("step_ms"), 0},
                              {QStringLiteral("witness"), QString()}}));
    }

    void versionChangeThatDivergesIsReported()
    {
        InMemoryExecutionLog log;
        FakeClock clock;
        qint64 flowId = 0;
        {
            PluginCatalog v1;
            v1.load({testPluginDir + QStringLiteral("/versioned/v1")});
            QVERIFY(v1.failedPlugins().isEmpty());
            FlowExecutor executor(log, v1.registry(), clock);
            executor.setWaitForTimers(false); // the flow parks on its timer, as under workers
            const auto outcome = await(executor.runNew(QStringLiteral("versioned.Order"), {}));
            QVERIFY(outcome);
            QCOMPARE(outcome->status, FlowStatus::Waiting);
            flowId = outcome->flowId;
        }
        QCOMPARE((*log.flow(flowId))->typeVersion, 1);
        clock.advance(std::chrono::seconds(2));

        // Version 2 renamed the first step: the replay must not silently take another path.
        {
            PluginCatalog v2;
            v2.load({testPluginDir + QStringLiteral("/versioned/v2")});
            FlowExecutor executor(log, v2.registry(), clock);
            const auto outcome = await(executor.run(flowId));
            QVERIFY(outcome);
            QCOMPARE(outcome->status, FlowStatus::Failed);
            QVERIFY2(outcome->error.contains(QLatin1String("non-deterministic")), qPrintable(outcome->error));
            QVERIFY2(outcome->error.contains(QLatin1String("step 'reserve'")), qPrintable(outcome->error));
            QVERIFY2(outcome->error.contains(QLatin1String("step 'reserve_stock'")), qPrintable(outcome->error));
            QVERIFY2(outcome->error.contains(QLatin1String("recorded by version 1, replayed by version 2")),
                     qPrintable(outcome->error));
            QCOMPARE((*log.flow(flowId))->status, FlowStatus::Failed);
        }

        // Once a compatible version is loaded again, the flow can be retried and completes.
        {
            PluginCatalog v1;
            v1.load({testPluginDir + QStringLiteral("/versioned/v1")});
            QVERIFY(log.retryFlow(flowId, QString(), clock.now()));
            FlowExecutor executor(log, v1.registry(), clock);
            const auto outcome = await(executor.run(flowId));
            QVERIFY(outcome);
            QCOMPARE(outcome->status, FlowStatus::Completed);
            QCOMPARE(outcome->result, QJsonValue(QStringLiteral("shipped by version 1")));
        }
    }
};

QTEST_GUILESS_MAIN(TestPluginCatalog)
#include "tst_plugincatalog.moc"
