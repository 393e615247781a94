// Promises that only separate processes can check, end to end: a durable timer pending when its
// worker process is killed (SIGKILL) fires once, in the next worker process; processes that
// schedule the same idempotency key at the same time make one flow; and a worker process killed
// in the middle of a group commit (not between two) loses nothing and runs again only the steps
// it had in flight.

#include "clirunner.h"
#include "ergontest.h"
#include "logfixture.h"

#include <ergon/openexecutionlog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {

constexpr int workTimeoutMs = 60000;

QDateTime timeOf(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

/// The lines of a demo.Pipeline witness file ("<flow id> <step name>"), counted.
QHash<QString, int> witnessCounts(const QString &path)
{
    QHash<QString, int> counts;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return counts;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (!line.isEmpty())
            ++counts[QString::fromUtf8(line)];
    }
    return counts;
}

QJsonObject workerNamed(const QJsonArray &workers, const QString &name)
{
    for (const QJsonValue &worker : workers) {
        if (worker[u"name"_s].toString() == name)
            return worker.toObject();
    }
    return {};
}

} // namespace

class TestCliProcesses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void timerOfAKilledWorkerProcess_firesOnceInTheNext();
    void sameKeyFromManyProcesses_makesOneFlow_data();
    void sameKeyFromManyProcesses_makesOneFlow();
    void killedInTheMiddleOfACommit_losesNothing();

private:
    std::unique_ptr<CliRunner> m_cli;
};

void TestCliProcesses::init()
{
    m_cli = std::make_unique<CliRunner>();
    QVERIFY(m_cli->isValid());
}

void TestCliProcesses::cleanup()
{
    if (QTest::currentTestFailed())
        m_cli->printWorkerErrors();
    m_cli.reset();
}

void TestCliProcesses::timerOfAKilledWorkerProcess_firesOnceInTheNext()
{
    const QList<qint64> ids = m_cli->schedule({u"demo.Sleeper"_s, u"--args"_s, u"{\"seconds\": 3}"_s});
    QCOMPARE(ids.size(), 1);
    const QStringList options{u"--poll-ms"_s, u"50"_s, u"--lease"_s, u"1"_s};
    QProcess *first = m_cli->startWorker(QStringList{u"--name"_s, u"a"_s} + options);
    QTRY_COMPARE_WITH_TIMEOUT(m_cli->run({u"timers"_s, u"--json"_s}).json().array().size(), 1, workTimeoutMs);

    // The worker process dies as a crash would, its timer still pending.
    QVERIFY(sendSignal(*first, SIGKILL));
    QVERIFY(first->waitForFinished(workTimeoutMs));
    QCOMPARE(first->exitStatus(), QProcess::CrashExit);
    const QJsonArray pending = m_cli->run({u"timers"_s, u"--json"_s}).json().array();
    QCOMPARE(pending.size(), 1); // it did not fire before the kill
    QCOMPARE(m_cli->showJson(ids[0])[u"status"_s].toString(), u"waiting"_s);
    const QDateTime due = timeOf(pending[0][u"fire_at"_s]);

    QProcess *second = m_cli->startWorker(QStringList{u"--name"_s, u"b"_s} + options);
    QTRY_COMPARE_WITH_TIMEOUT(m_cli->showJson(ids[0])[u"status"_s].toString(), u"completed"_s, workTimeoutMs);
    QVERIFY(sendSignal(*second, SIGTERM));
    QVERIFY(second->waitForFinished(workTimeoutMs));
    QCOMPARE(second->exitCode(), 0);

    // Fired once, on time, by the new process: one timer step, fired at or after its due time
    // and after the new worker started; the step after it ran once, there.
    const QJsonArray workers = m_cli->run({u"workers"_s, u"--json"_s}).json().array();
    const QJsonObject heir = workerNamed(workers, u"b-1"_s);
    QCOMPARE(heir[u"completed"_s].toInt(), 1);
    const QJsonArray steps = m_cli->showJson(ids[0])[u"steps"_s].toArray();
    QCOMPARE(steps.size(), 2);
    const QJsonObject nap = steps[0].toObject();
    QCOMPARE(nap[u"kind"_s].toString(), u"timer"_s);
    QCOMPARE(nap[u"name"_s].toString(), u"nap"_s);
    QCOMPARE(nap[u"status"_s].toString(), u"completed"_s);
    QCOMPARE(timeOf(nap[u"next_attempt_at"_s]), due);
    const QDateTime fired = timeOf(nap[u"finished"_s]);
    QVERIFY2(fired >= due, qPrintable(nap[u"finished"_s].toString()));
    QVERIFY2(fired >= timeOf(heir[u"started"_s]), qPrintable(nap[u"finished"_s].toString()));
    const QJsonObject wake = steps[1].toObject();
    QCOMPARE(wake[u"name"_s].toString(), u"wake"_s);
    QCOMPARE(wake[u"attempts"_s].toArray().size(), 1);
    QCOMPARE(wake[u"attempts"_s][0][u"worker"_s].toString(), u"b-1"_s);
    QVERIFY(m_cli->run({u"timers"_s, u"--json"_s}).json().array().isEmpty());
}

void TestCliProcesses::sameKeyFromManyProcesses_makesOneFlow_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("postgres") << u"postgres"_s;
}

void TestCliProcesses::sameKeyFromManyProcesses_makesOneFlow()
{
    QFETCH(QString, backend);
    std::unique_ptr<PostgresTestSchema> schema;
    QString db = m_cli->database();
    if (backend == u"postgres"_s) {
        ERGON_REQUIRE_POSTGRES();
        schema = std::make_unique<PostgresTestSchema>();
        db = schema->url();
    }
    // The database exists (and is migrated) before the race: the race is the key's, not the
    // schema's. (Reading verbs refuse a database that does not exist: create it here.)
    QVERIFY(openExecutionLog(db));
    QCOMPARE(m_cli->runRaw({u"stats"_s, u"--db"_s, db}).exitCode, 0);

    // Several rounds, each a new key scheduled by several processes started together.
    constexpr int rounds = 5;
    constexpr int processes = 4;
    for (int round = 1; round <= rounds; ++round) {
        const QString key = u"order-%1"_s.arg(round);
        std::vector<std::unique_ptr<QProcess>> schedulers;
        for (int i = 0; i < processes; ++i) {
            auto process = std::make_unique<QProcess>();
            process->setProcessEnvironment(m_cli->environment());
            process->start(QStringLiteral(ERGON_CONSOLE_PATH),
                           {u"schedule"_s, u"demo.Pipeline"_s, u"--key"_s, key, u"--args"_s,
                            u"{\"steps\": %1}"_s.arg(i + 1), u"--db"_s, db, u"--plugins"_s,
                            QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
            schedulers.push_back(std::move(process));
        }
        QSet<QString> printed;
        for (auto &process : schedulers) {
            QVERIFY(process->waitForFinished(workTimeoutMs));
            QVERIFY2(process->exitStatus() == QProcess::NormalExit && process->exitCode() == 0,
                     process->readAllStandardError().constData());
            printed.insert(QString::fromUtf8(process->readAllStandardOutput()).trimmed());
        }
        QCOMPARE(printed.size(), 1); // every process was given the same id
        const QJsonArray flows = m_cli
                                     ->runRaw({u"list"_s, u"--json"_s, u"--db"_s, db, u"--plugins"_s,
                                               QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)})
                                     .json()
                                     .array();
        QCOMPARE(flows.size(), round); // one flow per key
        qsizetype withKey = 0;
        for (const QJsonValue &flow : flows) {
            if (flow[u"idempotency_key"_s].toString() != key)
                continue;
            ++withKey;
            QCOMPARE(QString::number(flow[u"id"_s].toInteger()), *printed.cbegin());
        }
        QCOMPARE(withKey, 1);
    }
}

void TestCliProcesses::killedInTheMiddleOfACommit_losesNothing()
{
    constexpr int flows = 200;
    constexpr int concurrency = 16;
    const QString witness = m_cli->filePath(u"witness.txt"_s);
    const QList<qint64> ids = m_cli->schedule({u"demo.Pipeline"_s, u"--count"_s, QString::number(flows), u"--args"_s,
                                               u"{\"steps\": 3, \"step_ms\": 5, \"witness\": \"%1\"}"_s.arg(witness)});
    QCOMPARE(ids.size(), flows);

    // A worker process that kills itself (SIGKILL) from inside a group commit, half way through
    // the flows' step rows, once the transaction has written two rows of its own.
    QProcess doomed;
    doomed.setProcessEnvironment(m_cli->environment());
    doomed.start(QStringLiteral(ERGON_MIDCOMMIT_CHILD),
                 {m_cli->database(), QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR), QString::number(flows * 3 / 2),
                  QString::number(concurrency)});
    QVERIFY(doomed.waitForFinished(workTimeoutMs));
    const QString said = QString::fromUtf8(doomed.readAllStandardError());
    QVERIFY2(doomed.exitStatus() == QProcess::CrashExit, qPrintable(said));
    const QRegularExpressionMatch midCommit =
        QRegularExpression(u"mid-commit: (\\d+) rows of this transaction written"_s).match(said);
    QVERIFY2(midCommit.hasMatch(), qPrintable(said));
    QVERIFY(midCommit.captured(1).toInt() >= 2);

    // What the log holds now is what the dead process committed: whole transactions only.
    QSet<QString> storedAtKill;
    {
        ERGON_TRY(log, SqliteExecutionLog::open(m_cli->database()));
        for (const qint64 id : ids) {
            ERGON_TRY(steps, log->steps(id, false));
            for (const StepRecord &step : std::as_const(steps)) {
                if (step.status == StepStatus::Completed)
                    storedAtKill.insert(u"%1 %2"_s.arg(id).arg(step.name));
            }
        }
    }
    QVERIFY2(!storedAtKill.isEmpty() && storedAtKill.size() < flows * 3,
             qPrintable(QString::number(storedAtKill.size())));

    // A new worker process takes the dead one's flows (its leases last a second) and ends them.
    QProcess *heir = m_cli->startWorker({u"--name"_s, u"heir"_s, u"--poll-ms"_s, u"50"_s});
    QTRY_COMPARE_WITH_TIMEOUT(m_cli->stats()[u"completed"_s].toInt(), flows, workTimeoutMs);
    QVERIFY(sendSignal(*heir, SIGTERM));
    QVERIFY(heir->waitForFinished(workTimeoutMs));
    QCOMPARE(heir->exitCode(), 0);

    // Nothing lost: every flow completed with its three steps. Nothing repeated beyond the steps
    // in flight: a step stored before the kill ran once; another ran at most twice (its first
    // result died with the transaction), at most one such step per flow the process was running.
    const QHash<QString, int> ran = witnessCounts(witness);
    int ranAgain = 0;
    ERGON_TRY(log, SqliteExecutionLog::open(m_cli->database()));
    for (const qint64 id : ids) {
        ERGON_TRY(steps, log->steps(id, false));
        QCOMPARE(steps.size(), 3);
        int again = 0;
        for (const StepRecord &step : std::as_const(steps)) {
            QCOMPARE(step.status, StepStatus::Completed);
            const QString key = u"%1 %2"_s.arg(id).arg(step.name);
            const int times = ran.value(key);
            if (storedAtKill.contains(key))
                QVERIFY2(times == 1,
                         qPrintable(u"%1 was stored before the kill and ran %2 times"_s.arg(key).arg(times)));
            else
                QVERIFY2(times == 1 || times == 2, qPrintable(u"%1 ran %2 times"_s.arg(key).arg(times)));
            again += times - 1;
        }
        QVERIFY2(again <= 1, qPrintable(u"flow %1 ran %2 steps again"_s.arg(id).arg(again)));
        ranAgain += again;
    }
    qInfo("killed with %s; %lld steps stored then; %d ran again", qPrintable(said.trimmed()),
          qlonglong(storedAtKill.size()), ranAgain);
    QVERIFY2(ranAgain <= concurrency, qPrintable(u"%1 steps ran again"_s.arg(ranAgain)));
}

QTEST_GUILESS_MAIN(TestCliProcesses)
#include "tst_cliprocesses.moc"
