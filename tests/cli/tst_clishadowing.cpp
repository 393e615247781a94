// Two plugins that declare the same flow type (issue 11, defect 5). The rule: the first plugin
// in scan order (--plugins folders first, then the default ones) provides the type; the later
// plugin keeps its other types, and the type it lost is listed as shadowed. A flow records the
// plugin that scheduled it, and a worker never claims a flow whose type it resolves to another
// plugin: the flow stays pending (not failed) until a worker with that plugin comes.
//
// Here the test plugin "shadowing" (a --plugins folder, so scanned first) declares
// orders.OrderProcessor with other arguments than the bundled "orders" plugin, and a type of
// its own. Before: the whole orders plugin was refused, orders.TimedOrderProcessor became
// unknown, and an orders.OrderProcessor flow scheduled earlier was claimed by the shadowing
// plugin and failed for good ("unknown argument 'amount'").

#include "clirunner.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

using namespace ergon::test;

namespace {
const QString shadowingDir = QStringLiteral(ERGON_TEST_PLUGIN_DIR "/shadowing");
}

class TestCliShadowing : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;

    CliRunner cli() const { return CliRunner(*m_dir); }

    // With the shadowing plugin's folder before the bundled one.
    CliOutcome shadowed(const QStringList &arguments) const
    {
        return cli().run(arguments + QStringList{QStringLiteral("--plugins"), shadowingDir});
    }

    QString idOf(const CliOutcome &outcome) const { return outcome.lines().value(0); }

    QJsonObject flow(const QString &id) const
    {
        return cli().run({QStringLiteral("show"), id, QStringLiteral("--json")}).json().object();
    }

    // Runs a worker until the flows named reach a final status, or the timeout; stops it
    // with SIGTERM and returns its stderr.
    QString work(const QStringList &extra, const QStringList &until)
    {
        QProcess worker;
        CliRunner runner = cli();
        worker.setProcessEnvironment(runner.environment());
        worker.start(
            QStringLiteral(ERGON_CONSOLE_PATH),
            runner.withDatabase(
                QStringList{QStringLiteral("worker"), QStringLiteral("--poll-ms"), QStringLiteral("50")} + extra));
        if (!worker.waitForStarted())
            return QStringLiteral("the worker did not start");
        const auto finished = [&] {
            for (const QString &id : until) {
                const QString status = flow(id).value(QStringLiteral("status")).toString();
                if (status != QLatin1String("completed") && status != QLatin1String("failed"))
                    return false;
            }
            return true;
        };
        for (int i = 0; i < 300 && !finished(); ++i)
            QTest::qWait(100);
        if (worker.state() == QProcess::Running && worker.processId() > 0)
            ::kill(pid_t(worker.processId()), SIGTERM);
        if (!worker.waitForFinished(30000))
            worker.kill();
        return QString::fromUtf8(worker.readAllStandardError());
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup() { m_dir.reset(); }

    void eachTypeGoesToTheFirstPluginAndFlowsWaitForTheirOwn()
    {
        // Scheduled before the conflicting plugin appears: recorded as the orders plugin's.
        const CliOutcome before =
            cli().run({QStringLiteral("schedule"), QStringLiteral("orders.OrderProcessor"), QStringLiteral("--args"),
                       QStringLiteral(R"({"order_id": "ORD-1", "amount": 10})")});
        QVERIFY2(before.exitCode == 0, qPrintable(before.describe()));
        const QString earlier = idOf(before);

        // The conflict appears: orders.OrderProcessor now goes to "shadowing" (found first),
        // with its arguments; schedule says so on stderr, and prints only the id on stdout.
        const CliOutcome after = shadowed({QStringLiteral("schedule"), QStringLiteral("orders.OrderProcessor"),
                                           QStringLiteral("--args"), QStringLiteral(R"({"ticket": "T-1"})")});
        QVERIFY2(after.exitCode == 0, qPrintable(after.describe()));
        QCOMPARE(after.lines().size(), 1);
        QVERIFY2(after.stderrText().contains(QStringLiteral("flow type 'orders.OrderProcessor' of plugin 'orders'")) &&
                     after.stderrText().contains(QStringLiteral("shadowed")),
                 qPrintable(after.describe()));
        const QString later = idOf(after);
        QCOMPARE(flow(earlier).value(QStringLiteral("plugin")).toString(), QStringLiteral("orders"));
        QCOMPARE(flow(later).value(QStringLiteral("plugin")).toString(), QStringLiteral("shadowing"));

        // The other types of both plugins stay available.
        const CliOutcome timed =
            shadowed({QStringLiteral("schedule"), QStringLiteral("orders.TimedOrderProcessor"),
                      QStringLiteral("--args"), QStringLiteral(R"({"order_id": "ORD-2", "delay_s": 0})")});
        QVERIFY2(timed.exitCode == 0, qPrintable(timed.describe()));
        const CliOutcome echo = shadowed({QStringLiteral("schedule"), QStringLiteral("shadowing.Echo")});
        QVERIFY2(echo.exitCode == 0, qPrintable(echo.describe()));

        // list shows the conflict, and why the earlier flow will not move here.
        const CliOutcome listed = shadowed({QStringLiteral("list")});
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
        QVERIFY2(listed.stderrText().contains(QStringLiteral("shadowed")), qPrintable(listed.describe()));
        const QString earlierLine =
            listed.lines().filter(QRegularExpression(QStringLiteral("^\\s*%1 ").arg(earlier))).value(0);
        QVERIFY2(earlierLine.contains(QStringLiteral("plugin 'orders'")), qPrintable(listed.describe()));

        // A worker with the conflict runs what it resolves to the same plugin, and leaves the
        // earlier flow pending: not claimed, not failed.
        const QString workerErrors =
            work({QStringLiteral("--plugins"), shadowingDir}, {later, idOf(timed), idOf(echo)});
        QCOMPARE(flow(later).value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        QCOMPARE(flow(later).value(QStringLiteral("result")).toString(), QStringLiteral("shadowing handled T-1"));
        QCOMPARE(flow(idOf(timed)).value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        QCOMPARE(flow(idOf(echo)).value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        const QJsonObject waiting = flow(earlier);
        QVERIFY2(waiting.value(QStringLiteral("status")).toString() == QLatin1String("pending"),
                 qPrintable(workerErrors));
        QVERIFY(waiting.value(QStringLiteral("steps")).toArray().isEmpty());
        QVERIFY(waiting.value(QStringLiteral("lease_owner")).isNull());

        // A worker with the bundled plugins only runs it.
        work({}, {earlier});
        QCOMPARE(flow(earlier).value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        QCOMPARE(flow(earlier).value(QStringLiteral("result")).toString(), QStringLiteral("payment-ORD-1"));
    }
};

QTEST_GUILESS_MAIN(TestCliShadowing)
#include "tst_clishadowing.moc"
