// `ergon-console signal ID NAME [--payload JSON]` end to end: its exit codes and messages (0 and
// nothing printed once stored; 1 for an unknown id or a finished flow, saying which; 2 for a
// malformed command line or payload); the JSON of a flow waiting for a signal (`waiting_for`,
// step kind `signal`); and demo.Approval across a worker process killed (SIGKILL) while the
// flow waits: the signal sent while no worker runs is delivered once by the next worker, on
// SQLite and on PostgreSQL.

#include "clirunner.h"
#include "ergontest.h"
#include "logfixture.h"

#include <ergon/openexecutionlog.h>

#include <QJsonArray>
#include <QTest>

#include <csignal>
#include <memory>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {
constexpr int workTimeoutMs = 60000;
} // namespace

class TestCliSignals : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void signal_exitCodesAndMessages();
    void waitingFlow_showsWhatItWaitsFor();
    void signalWhileNoWorkerRuns_isDeliveredOnceByTheNext_data();
    void signalWhileNoWorkerRuns_isDeliveredOnceByTheNext();

private:
    std::unique_ptr<CliRunner> m_cli;
};

void TestCliSignals::init()
{
    m_cli = std::make_unique<CliRunner>();
    QVERIFY(m_cli->isValid());
}

void TestCliSignals::cleanup()
{
    if (QTest::currentTestFailed())
        m_cli->printWorkerErrors();
    m_cli.reset();
}

void TestCliSignals::signal_exitCodesAndMessages()
{
    const QList<qint64> ids =
        m_cli->schedule({u"demo.Approval"_s, u"--args"_s, u"{\"order_id\": \"ORD-1\"}"_s, u"--count"_s, u"2"_s});
    QCOMPARE(ids.size(), 2);
    const QString open = QString::number(ids[0]);
    const QString cancelled = QString::number(ids[1]);
    QCOMPARE(m_cli->run({u"cancel"_s, cancelled}).exitCode, 0);

    // Stored: exit 0, nothing printed.
    const CliOutcome sent =
        m_cli->run({u"signal"_s, open, u"approve"_s, u"--payload"_s, u"{\"approved\": true, \"by\": \"ann\"}"_s});
    QCOMPARE(sent.exitCode, 0);
    QVERIFY2(sent.out.isEmpty() && sent.err.isEmpty(), qPrintable(sent.describe()));
    QCOMPARE(m_cli->run({u"signal"_s, open, u"approve"_s}).exitCode, 0); // no payload: null

    // The flow's own failures: exit 1, the message says which.
    const CliOutcome unknown = m_cli->run({u"signal"_s, u"999"_s, u"approve"_s});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.stderrText().contains(u"no flow with id 999"_s), qPrintable(unknown.describe()));
    const CliOutcome finished = m_cli->run({u"signal"_s, cancelled, u"approve"_s});
    QCOMPARE(finished.exitCode, 1);
    QVERIFY2(finished.stderrText().contains(u"flow %1 is already cancelled"_s.arg(cancelled)),
             qPrintable(finished.describe()));

    // A malformed command line or payload: exit 2, and nothing stored.
    const QList<QStringList> malformed{
        {u"signal"_s, open},
        {u"signal"_s, open, u"approve"_s, u"--payload"_s, u"{\"approved\": tru"_s},
        {u"signal"_s, open, u"approve"_s, u"--payload"_s, u""_s},
        {u"signal"_s, u"x"_s, u"approve"_s},
        {u"signal"_s, open, u" "_s},
        {u"signal"_s, open, u"approve"_s, u"extra"_s},
    };
    for (const QStringList &arguments : malformed) {
        const CliOutcome refused = m_cli->run(arguments);
        QVERIFY2(refused.exitCode == 2, qPrintable(arguments.join(u' ') + u": "_s + refused.describe()));
    }
    ERGON_TRY(log, openExecutionLog(m_cli->database()));
    ERGON_TRY(stored, log->flowSignals(ids[0]));
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored[0].payloadJson, QByteArray(R"({"approved":true,"by":"ann"})"));
    QCOMPARE(stored[1].payloadJson, QByteArray("null"));
}

void TestCliSignals::waitingFlow_showsWhatItWaitsFor()
{
    const QList<qint64> ids =
        m_cli->schedule({u"demo.Approval"_s, u"--args"_s, u"{\"order_id\": \"ORD-2\", \"timeout_s\": 600}"_s});
    QCOMPARE(ids.size(), 1);
    QJsonObject shown = m_cli->showJson(ids[0]);
    QVERIFY(shown.contains(u"waiting_for"_s));
    QVERIFY(shown[u"waiting_for"_s].isNull()); // pending: waits for nothing yet

    QProcess *worker = m_cli->startWorker({u"--name"_s, u"a"_s, u"--poll-ms"_s, u"50"_s});
    QTRY_COMPARE_WITH_TIMEOUT(m_cli->showJson(ids[0])[u"status"_s].toString(), u"waiting"_s, workTimeoutMs);
    shown = m_cli->showJson(ids[0]);
    const QJsonObject waitingFor = shown[u"waiting_for"_s].toObject();
    QCOMPARE(waitingFor[u"kind"_s].toString(), u"signal"_s);
    QCOMPARE(waitingFor[u"name"_s].toString(), u"approve"_s);
    const QJsonArray steps = shown[u"steps"_s].toArray();
    QCOMPARE(steps.size(), 2);
    QCOMPARE(steps[1][u"kind"_s].toString(), u"signal"_s);
    QCOMPARE(steps[1][u"name"_s].toString(), u"approve"_s);
    QCOMPARE(steps[1][u"status"_s].toString(), u"running"_s);
    // The timeout: 600 s after the wait began.
    const QDateTime began = QDateTime::fromString(steps[1][u"started"_s].toString(), Qt::ISODateWithMs);
    QCOMPARE(QDateTime::fromString(waitingFor[u"until"_s].toString(), Qt::ISODateWithMs), began.addSecs(600));
    // A timer's wait reads the same way, until its fire time; `list` shows both.
    const QList<qint64> sleeper = m_cli->schedule({u"demo.Sleeper"_s, u"--args"_s, u"{\"seconds\": 600}"_s});
    QCOMPARE(sleeper.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_cli->showJson(sleeper[0])[u"status"_s].toString(), u"waiting"_s, workTimeoutMs);
    const QJsonObject napping = m_cli->showJson(sleeper[0]);
    const QJsonObject nap = napping[u"waiting_for"_s].toObject();
    QCOMPARE(nap[u"kind"_s].toString(), u"timer"_s);
    QCOMPARE(nap[u"name"_s].toString(), u"nap"_s);
    QCOMPARE(nap[u"until"_s], napping[u"steps"_s][0][u"next_attempt_at"_s]);
    const QJsonArray listed = m_cli->run({u"list"_s, u"--json"_s}).json().array();
    QCOMPARE(listed.size(), 2);
    QCOMPARE(listed[0][u"waiting_for"_s].toObject(), nap); // newest first
    QCOMPARE(listed[1][u"waiting_for"_s].toObject(), waitingFor);

    // Signalled: the worker finishes it, and it waits for nothing any more.
    QCOMPARE(m_cli
                 ->run({u"signal"_s, QString::number(ids[0]), u"approve"_s, u"--payload"_s,
                        u"{\"approved\": false, \"by\": \"bo\"}"_s})
                 .exitCode,
             0);
    QTRY_COMPARE_WITH_TIMEOUT(m_cli->showJson(ids[0])[u"status"_s].toString(), u"completed"_s, workTimeoutMs);
    shown = m_cli->showJson(ids[0]);
    QCOMPARE(shown[u"result"_s].toString(), u"rejected by bo"_s);
    QVERIFY(shown[u"waiting_for"_s].isNull());
    QVERIFY(sendSignal(*worker, SIGTERM));
    QVERIFY(worker->waitForFinished(workTimeoutMs));
}

void TestCliSignals::signalWhileNoWorkerRuns_isDeliveredOnceByTheNext_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("postgres") << u"postgres"_s;
}

void TestCliSignals::signalWhileNoWorkerRuns_isDeliveredOnceByTheNext()
{
    QFETCH(QString, backend);
    std::unique_ptr<PostgresTestSchema> schema;
    QString db = m_cli->database();
    if (backend == u"postgres"_s) {
        ERGON_REQUIRE_POSTGRES();
        schema = std::make_unique<PostgresTestSchema>();
        db = schema->url();
    }
    const QStringList onDb{u"--db"_s, db, u"--plugins"_s, QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)};
    const auto cli = [&](const QStringList &arguments) { return m_cli->runRaw(arguments + onDb); };
    const auto status = [&](qint64 id) {
        return cli({u"show"_s, QString::number(id), u"--json"_s}).json().object()[u"status"_s].toString();
    };
    const CliOutcome scheduled =
        cli({u"schedule"_s, u"demo.Approval"_s, u"--args"_s, u"{\"order_id\": \"ORD-3\", \"timeout_s\": 600}"_s});
    QCOMPARE(scheduled.exitCode, 0);
    const qint64 id = scheduled.stdoutText().trimmed().toLongLong();
    QVERIFY(id > 0);

    const QStringList options = QStringList{u"--poll-ms"_s, u"50"_s, u"--lease"_s, u"1"_s} + onDb;
    QProcess *first = m_cli->startWorker(QStringList{u"--name"_s, u"a"_s} + options);
    QTRY_COMPARE_WITH_TIMEOUT(status(id), u"waiting"_s, workTimeoutMs);
    // The worker process dies as a crash would while the flow waits.
    QVERIFY(sendSignal(*first, SIGKILL));
    QVERIFY(first->waitForFinished(workTimeoutMs));
    QCOMPARE(first->exitStatus(), QProcess::CrashExit);

    // Sent while no worker runs: stored, the flow made due, nothing delivered yet.
    const CliOutcome sent = cli(
        {u"signal"_s, QString::number(id), u"approve"_s, u"--payload"_s, u"{\"approved\": true, \"by\": \"ann\"}"_s});
    QVERIFY2(sent.exitCode == 0, qPrintable(sent.describe()));
    QCOMPARE(status(id), u"waiting"_s);

    QProcess *second = m_cli->startWorker(QStringList{u"--name"_s, u"b"_s} + options);
    QTRY_COMPARE_WITH_TIMEOUT(status(id), u"completed"_s, workTimeoutMs);
    QVERIFY(sendSignal(*second, SIGTERM));
    QVERIFY(second->waitForFinished(workTimeoutMs));
    QCOMPARE(second->exitCode(), 0);

    const QJsonObject shown = cli({u"show"_s, QString::number(id), u"--json"_s}).json().object();
    QCOMPARE(shown[u"result"_s].toString(), u"approved by ann"_s);
    const QJsonArray steps = shown[u"steps"_s].toArray();
    QCOMPARE(steps.size(), 3);
    QCOMPARE(steps[0][u"name"_s].toString(), u"request"_s);
    QCOMPARE(steps[0][u"attempts"_s].toArray().size(), 1); // ran once, by the first worker
    QCOMPARE(steps[0][u"worker"_s].toString(), u"a-1"_s);
    QCOMPARE(steps[1][u"kind"_s].toString(), u"signal"_s);
    QCOMPARE(steps[1][u"status"_s].toString(), u"completed"_s);
    QCOMPARE(steps[1][u"result"_s].toObject(),
             QJsonObject({{u"payload"_s, QJsonObject{{u"approved"_s, true}, {u"by"_s, u"ann"_s}}}}));
    QCOMPARE(steps[2][u"name"_s].toString(), u"decide"_s);
    QCOMPARE(steps[2][u"attempts"_s].toArray().size(), 1);
    QCOMPARE(steps[2][u"worker"_s].toString(), u"b-1"_s);
    // Delivered once: the one signal is consumed, by the wait step.
    ERGON_TRY(log, openExecutionLog(db));
    ERGON_TRY(stored, log->flowSignals(id));
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored[0].consumedSeq, 1);
}

QTEST_GUILESS_MAIN(TestCliSignals)
#include "tst_clisignals.moc"
