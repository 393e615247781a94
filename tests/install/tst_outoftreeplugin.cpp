// The promise of plugins/README.md: a flow plugin builds outside this tree against an installed
// Ergon, installs next to the bundled plugins, and the installed console runs its flows.

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &arguments, int timeoutMs = 240000)
{
    QProcess process;
    process.start(program, arguments);
    Run result;
    if (!process.waitForStarted(10000) || !process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "did not finish: " + process.errorString().toUtf8();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

} // namespace

class TestOutOfTreePlugin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void buildsInstallsAndRuns()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString prefix = dir.filePath(QStringLiteral("prefix"));
        const QString cmake = QStringLiteral(ERGON_CMAKE_COMMAND);

        Run installed = run(
            cmake, {QStringLiteral("--install"), QStringLiteral(ERGON_BUILD_DIR), QStringLiteral("--prefix"), prefix});
        QVERIFY2(installed.exitCode == 0, installed.err.constData());

        const QString build = dir.filePath(QStringLiteral("example-build"));
        Run configured = run(
            cmake,
            {QStringLiteral("-S"), QStringLiteral(ERGON_EXAMPLE_DIR), QStringLiteral("-B"), build, QStringLiteral("-G"),
             QStringLiteral(ERGON_CMAKE_GENERATOR), QStringLiteral("-DCMAKE_MAKE_PROGRAM=" ERGON_CMAKE_MAKE_PROGRAM),
             QStringLiteral("-DCMAKE_PREFIX_PATH=") + prefix, QStringLiteral("-DCMAKE_BUILD_TYPE=Release")});
        QVERIFY2(configured.exitCode == 0, QByteArray(configured.out + configured.err).constData());
        Run built = run(cmake, {QStringLiteral("--build"), build});
        QVERIFY2(built.exitCode == 0, QByteArray(built.out + built.err).constData());
        Run pluginInstalled = run(cmake, {QStringLiteral("--install"), build});
        QVERIFY2(pluginInstalled.exitCode == 0, pluginInstalled.err.constData());

        // The installed console finds the new plugin beside the bundled ones, by itself.
        const QString console = prefix + QStringLiteral("/bin/ergon-console");
        const QString db = dir.filePath(QStringLiteral("flows.db"));
        Run scheduled = run(console,
                            {QStringLiteral("schedule"), QStringLiteral("greeter.Greet"), QStringLiteral("--db"), db,
                             QStringLiteral("--args"), QStringLiteral(R"({"name": " Ada "})")});
        QVERIFY2(scheduled.exitCode == 0, scheduled.err.constData());
        const QString id = QString::fromUtf8(scheduled.out.trimmed());
        QVERIFY(!id.isEmpty());
        Run bundled = run(console,
                          {QStringLiteral("schedule"), QStringLiteral("orders.OrderProcessor"), QStringLiteral("--db"),
                           db, QStringLiteral("--args"), QStringLiteral(R"({"order_id": "A-1", "amount": 3})")});
        QVERIFY2(bundled.exitCode == 0, bundled.err.constData());

        QProcess worker;
        worker.start(console, {QStringLiteral("worker"), QStringLiteral("--db"), db});
        QVERIFY(worker.waitForStarted(10000));
        QJsonObject flow;
        QTRY_VERIFY_WITH_TIMEOUT(
            (flow = QJsonDocument::fromJson(
                        run(console, {QStringLiteral("show"), id, QStringLiteral("--db"), db, QStringLiteral("--json")})
                            .out)
                        .object())
                    .value(QLatin1String("status"))
                    .toString() == QLatin1String("completed"),
            20000);
        worker.terminate();
        QVERIFY(worker.waitForFinished(15000));
        QCOMPARE(flow.value(QLatin1String("result")).toString(), QStringLiteral("Hello, Ada."));
        QCOMPARE(flow.value(QLatin1String("steps")).toArray().size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestOutOfTreePlugin)
#include "tst_outoftreeplugin.moc"
