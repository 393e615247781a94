// Every bundled flow type runs to its expected result through the direct executor, on the
// in-memory log and on SQLite, demo.Flaky fails and retries exactly as documented, and
// demo.Approval decides on its signal 'approve' (or its timeout) as documented.

#include <ergon/clock.h>
#include <ergon/executionlog.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowscheduler.h>
#include <ergon/inmemoryexecutionlog.h>
#include <ergon/plugincatalog.h>
#include <ergon/sqliteexecutionlog.h>

#include "ergontest.h"

#include <QCoroTask>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace ergon;

namespace {

template<typename T>
T await(QCoro::Task<T> task)
{
    auto value = test::awaitTask(std::move(task));
    if (!value)
        qFatal("a task under test hung or threw");
    return std::move(*value);
}

QStringList readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestBundledFlows : public QObject
{
    Q_OBJECT

    PluginCatalog m_catalog;
    QTemporaryDir m_dir;

    std::unique_ptr<ExecutionLog> openLog(const QString &backend)
    {
        if (backend == QLatin1String("memory"))
            return std::make_unique<InMemoryExecutionLog>();
        static int counter = 0;
        auto log = SqliteExecutionLog::open(m_dir.filePath(QStringLiteral("flows-%1.db").arg(++counter)));
        if (!log)
            qFatal("%s", qPrintable(log.errorString()));
        return log.take();
    }

    void addBackends() { QTest::addColumn<QString>("backend"); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
        QVERIFY(m_catalog.failedPlugins().isEmpty());
    }

    void runsToItsResult_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("arguments");
        QTest::addColumn<QJsonValue>("expected");
        QTest::addColumn<QStringList>("steps");
        for (const QString &backend : {QStringLiteral("memory"), QStringLiteral("sqlite")}) {
            const auto row = [&](const char *name) {
                return &QTest::newRow(qPrintable(backend + QLatin1Char(' ') + QLatin1String(name)));
            };
            *row("order") << backend << QStringLiteral("orders.OrderProcessor")
                          << QJsonObject{{QStringLiteral("order_id"), QStringLiteral("ORD-001")},
                                         {QStringLiteral("amount"), 100.0}}
                          << QJsonValue(QStringLiteral("payment-ORD-001"))
                          << QStringList{QStringLiteral("validate"), QStringLiteral("process_payment")};
            *row("timed order") << backend << QStringLiteral("orders.TimedOrderProcessor")
                                << QJsonObject{{QStringLiteral("order_id"), QStringLiteral("ORD-7")}}
                                << QJsonValue(QStringLiteral("completed"))
                                << QStringList{QStringLiteral("start_fraud_check"), QStringLiteral("fraud-ORD-7"),
                                               QStringLiteral("complete")};
            *row("pipeline") << backend << QStringLiteral("demo.Pipeline") << QJsonObject{{QStringLiteral("steps"), 4}}
                             << QJsonValue(QJsonArray{1, 2, 3, 4})
                             << QStringList{QStringLiteral("step-1"), QStringLiteral("step-2"),
                                            QStringLiteral("step-3"), QStringLiteral("step-4")};
            *row("flaky") << backend << QStringLiteral("demo.Flaky") << QJsonObject{} << QJsonValue(3)
                          << QStringList{QStringLiteral("flaky")};
            *row("sleeper") << backend << QStringLiteral("demo.Sleeper") << QJsonObject{{QStringLiteral("seconds"), 30}}
                            << QJsonValue(QStringLiteral("awake"))
                            << QStringList{QStringLiteral("nap"), QStringLiteral("wake")};
        }
    }

    void runsToItsResult()
    {
        QFETCH(QString, backend);
        QFETCH(QString, type);
        QFETCH(QJsonObject, arguments);
        QFETCH(QJsonValue, expected);
        QFETCH(QStringList, steps);

        auto log = openLog(backend);
        FakeClock clock; // timers and back-off take no real time
        FlowExecutor executor(*log, m_catalog.registry(), clock);
        const auto outcome = await(executor.runNew(type, arguments));
        QVERIFY2(outcome, qPrintable(outcome.errorString()));
        QCOMPARE(outcome->status, FlowStatus::Completed);
        QCOMPARE(outcome->result, expected);

        const auto stored = log->steps(outcome->flowId, false);
        QVERIFY(stored);
        QStringList names;
        for (const StepRecord &step : *stored) {
            names.append(step.name);
            QCOMPARE(step.status, StepStatus::Completed);
        }
        QCOMPARE(names, steps);
        QCOMPARE((*log->flow(outcome->flowId))->status, FlowStatus::Completed);
    }

    void invalidOrderFails()
    {
        InMemoryExecutionLog log;
        FakeClock clock;
        FlowExecutor executor(log, m_catalog.registry(), clock);
        const auto outcome = await(
            executor.runNew(QStringLiteral("orders.OrderProcessor"),
                            {{QStringLiteral("order_id"), QStringLiteral("ORD-9")}, {QStringLiteral("amount"), -5}}));
        QVERIFY(outcome);
        QCOMPARE(outcome->status, FlowStatus::Failed);
        QVERIFY2(outcome->error.contains(QLatin1String("order ORD-9 is invalid")), qPrintable(outcome->error));
    }

    void timedOrderWaitsItsDelay()
    {
        InMemoryExecutionLog log;
        FakeClock clock;
        const QDateTime start = clock.now();
        FlowExecutor executor(log, m_catalog.registry(), clock);
        const auto outcome = await(
            executor.runNew(QStringLiteral("orders.TimedOrderProcessor"),
                            {{QStringLiteral("order_id"), QStringLiteral("A")}, {QStringLiteral("delay_s"), 90}}));
        QVERIFY(outcome);
        QCOMPARE(outcome->status, FlowStatus::Completed);
        QCOMPARE(start.msecsTo(clock.now()), 90'000);
        const StepRecord timer = log.steps(outcome->flowId, false)->at(1);
        QCOMPARE(timer.kind, StepKind::Timer);
        QCOMPARE(timer.name, QStringLiteral("fraud-A"));
        QCOMPARE(timer.nextAttemptAt, start.addSecs(90));
    }

    void pipelineWitnessShowsEachStepOnce_data()
    {
        addBackends();
        QTest::newRow("memory") << QStringLiteral("memory");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
    }

    void pipelineWitnessShowsEachStepOnce()
    {
        QFETCH(QString, backend);
        auto log = openLog(backend);
        const QString witness = m_dir.filePath(QStringLiteral("witness-%1.txt").arg(backend));
        SystemClock clock;
        qint64 flowId = 0;
        {
            // Interrupted while step-2 sleeps, as in a crash.
            FlowExecutor executor(*log, m_catalog.registry(), clock);
            NewFlow pipeline;
            pipeline.type = QStringLiteral("demo.Pipeline");
            pipeline.arguments = {
                {QStringLiteral("steps"), 3}, {QStringLiteral("step_ms"), 200}, {QStringLiteral("witness"), witness}};
            auto ids = log->scheduleFlows({pipeline}, clock.now());
            QVERIFY(ids);
            flowId = ids->first();
            auto running = executor.run(flowId);
            QTRY_COMPARE_WITH_TIMEOUT(readLines(witness).size(), 2, 5000);
        }
        // Another executor after the lease expired finishes it; completed step-1 does not run again.
        QTest::qWait(50);
        FakeClock later(clock.now().addSecs(120));
        FlowExecutor resumer(*log, m_catalog.registry(), later, QStringLiteral("resumer"));
        const auto outcome = await(resumer.run(flowId));
        QVERIFY2(outcome, qPrintable(outcome.errorString()));
        QCOMPARE(outcome->status, FlowStatus::Completed);
        QCOMPARE(outcome->result, QJsonValue(QJsonArray{1, 2, 3}));
        const QString id = QString::number(flowId);
        QCOMPARE(readLines(witness),
                 (QStringList{id + QStringLiteral(" step-1"), id + QStringLiteral(" step-2"),
                              id + QStringLiteral(" step-2"), id + QStringLiteral(" step-3")}));
    }

    void flakyFailsThenRetriesAsDocumented()
    {
        InMemoryExecutionLog log;
        FakeClock clock;
        FlowExecutor executor(log, m_catalog.registry(), clock);
        const auto failed = await(executor.runNew(QStringLiteral("demo.Flaky"), {{QStringLiteral("fail_times"), 4}}));
        QVERIFY(failed);
        QCOMPARE(failed->status, FlowStatus::Failed);
        QVERIFY2(failed->error.contains(QLatin1String("step 'flaky' failed")), qPrintable(failed->error));
        StepRecord step = log.steps(failed->flowId, true)->first();
        QCOMPARE(step.status, StepStatus::Failed);
        QCOMPARE(step.attemptLog.size(), 3);
        // 100 ms, then 200 ms of back-off.
        QCOMPARE(clock.sleeps(),
                 (QList<std::chrono::milliseconds>{std::chrono::milliseconds(100), std::chrono::milliseconds(200)}));

        QVERIFY(log.retryFlow(failed->flowId, QStringLiteral("flaky"), clock.now()));
        const auto retried = await(executor.run(failed->flowId));
        QVERIFY(retried);
        QCOMPARE(retried->status, FlowStatus::Completed);
        QCOMPARE(retried->result, QJsonValue(5));
        step = log.steps(failed->flowId, true)->first();
        QCOMPARE(step.attemptLog.size(), 5);
        QVERIFY(step.attemptLog.at(3).error.contains(QLatin1String("attempt 4 fails on purpose")));
        QVERIFY(step.attemptLog.at(4).error.isEmpty());
    }

    void approvalDecidesOnItsSignal_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<QJsonValue>("payload"); // undefined: no signal, the wait times out
        QTest::addColumn<QString>("expected");
        for (const QString &backend : {QStringLiteral("memory"), QStringLiteral("sqlite")}) {
            const auto row = [&](const char *name) {
                return &QTest::newRow(qPrintable(backend + QLatin1Char(' ') + QLatin1String(name)));
            };
            *row("approved") << backend
                             << QJsonValue(QJsonObject{{QStringLiteral("approved"), true},
                                                       {QStringLiteral("by"), QStringLiteral("ann")}})
                             << QStringLiteral("approved by ann");
            *row("rejected") << backend
                             << QJsonValue(QJsonObject{{QStringLiteral("approved"), false},
                                                       {QStringLiteral("by"), QStringLiteral("bo")}})
                             << QStringLiteral("rejected by bo");
            *row("timed out") << backend << QJsonValue(QJsonValue::Undefined) << QStringLiteral("timed out");
        }
    }

    void approvalDecidesOnItsSignal()
    {
        QFETCH(QString, backend);
        QFETCH(QJsonValue, payload);
        QFETCH(QString, expected);

        auto log = openLog(backend);
        FakeClock clock;
        FlowExecutor executor(*log, m_catalog.registry(), clock);
        const auto parked = await(executor.runNew(
            QStringLiteral("demo.Approval"),
            QJsonObject{{QStringLiteral("order_id"), QStringLiteral("ORD-9")}, {QStringLiteral("timeout_s"), 30}}));
        QVERIFY2(parked, qPrintable(parked.errorString()));
        QCOMPARE(parked->status, FlowStatus::Waiting);
        QCOMPARE(parked->wakeAt, clock.now().addSecs(30));
        if (payload.isUndefined()) {
            clock.advance(std::chrono::seconds(30));
        } else {
            FlowScheduler scheduler(*log, m_catalog.registry(), clock);
            const auto sent = scheduler.signal(parked->flowId, QStringLiteral("approve"), payload);
            QVERIFY2(sent, qPrintable(sent.errorString()));
        }
        const auto outcome = await(executor.run(parked->flowId));
        QVERIFY2(outcome, qPrintable(outcome.errorString()));
        QCOMPARE(outcome->status, FlowStatus::Completed);
        QCOMPARE(outcome->result, QJsonValue(expected));

        const auto stored = log->steps(outcome->flowId, false);
        QVERIFY(stored);
        QCOMPARE(stored->size(), 3);
        QCOMPARE(stored->at(0).name, QStringLiteral("request"));
        QCOMPARE(stored->at(0).resultJson, QByteArray("\"ORD-9\""));
        QCOMPARE(stored->at(1).name, QStringLiteral("approve"));
        QCOMPARE(stored->at(1).kind, StepKind::Signal);
        QCOMPARE(stored->at(2).name, QStringLiteral("decide"));
    }

    void approvalNeedsAnOrderId()
    {
        auto log = openLog(QStringLiteral("memory"));
        FakeClock clock;
        FlowExecutor executor(*log, m_catalog.registry(), clock);
        const auto refused = await(executor.runNew(QStringLiteral("demo.Approval"), QJsonObject{}));
        QVERIFY(!refused);
        QVERIFY2(refused.errorString().contains(QStringLiteral("order_id")), qPrintable(refused.errorString()));
    }
};

QTEST_GUILESS_MAIN(TestBundledFlows)
#include "tst_bundledflows.moc"
