// The options of `ergon-console worker` that change what a worker does, driven through the real
// binary: --grace (how long running flows get to reach a step boundary on SIGTERM), the second
// signal (stop at once), --prefetch (flows leased ahead of the free slots) and --no-steal; and
// migrate's usage errors, which need no server and so run in every test run.

#include "clirunner.h"

#include <QFile>
#include <QJsonArray>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace ergon::test;

namespace {

constexpr int workTimeoutMs = 30000;

QString pipeline(int steps, int stepMs, const QString &witness)
{
    return u"{\"steps\": %1, \"step_ms\": %2, \"witness\": \"%3\"}"_s.arg(steps).arg(stepMs).arg(witness);
}

/// The witness lines of a demo.Pipeline ("<flow id> <step name>").
QStringList witnessLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
}

} // namespace

class TestCliOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void grace_data();
    void grace();
    void secondSignal_stopsAtOnce();
    void prefetch_leasesAhead();
    void noSteal_data();
    void noSteal();
    void migrateUsageErrors_data();
    void migrateUsageErrors();

private:
    /// Flows leased to `owner`, by `list --json` (lease_owner).
    int leasedTo(const QString &owner) const;

    std::unique_ptr<CliRunner> m_cli;
};

void TestCliOptions::init()
{
    m_cli = std::make_unique<CliRunner>();
    QVERIFY(m_cli->isValid());
}

void TestCliOptions::cleanup()
{
    if (QTest::currentTestFailed())
        m_cli->printWorkerErrors();
    m_cli.reset();
}

int TestCliOptions::leasedTo(const QString &owner) const
{
    int leased = 0;
    for (const QJsonValue &flow : m_cli->run({u"list"_s, u"--json"_s}).json().array())
        leased += flow[u"lease_owner"_s].toString() == owner ? 1 : 0;
    return leased;
}

void TestCliOptions::grace_data()
{
    QTest::addColumn<QString>("grace");
    QTest::addColumn<int>("stepMs");
    QTest::addColumn<bool>("stepCommits"); // the step in progress reaches its end and is stored
    // A step of seconds inside a minute's grace: it ends, is stored, and the flow stops there.
    QTest::newRow("--grace 60, a 3 s step") << u"60"_s << 3000 << true;
    // A step of a minute against no grace: abandoned at once, nothing stored, the flow handed back.
    QTest::newRow("--grace 0, a 60 s step") << u"0"_s << 60000 << false;
}

void TestCliOptions::grace()
{
    QFETCH(QString, grace);
    QFETCH(int, stepMs);
    QFETCH(bool, stepCommits);
    const QString witness = m_cli->filePath(u"witness.txt"_s);
    const QList<qint64> ids = m_cli->schedule({u"demo.Pipeline"_s, u"--args"_s, pipeline(3, stepMs, witness)});
    QCOMPARE(ids.size(), 1);
    QProcess *worker = m_cli->startWorker({u"--name"_s, u"g"_s, u"--grace"_s, grace, u"--poll-ms"_s, u"50"_s});
    QTRY_COMPARE_WITH_TIMEOUT(witnessLines(witness).size(), 1, workTimeoutMs); // step-1 has begun

    QVERIFY(sendSignal(*worker, SIGTERM));
    QVERIFY(worker->waitForFinished(workTimeoutMs));
    QCOMPARE(worker->exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker->exitCode(), 0);

    // Stopped at a step boundary (no further step began), the flow back in the queue, unleased.
    QCOMPARE(witnessLines(witness), QStringList{u"%1 step-1"_s.arg(ids[0])});
    const QJsonObject flow = m_cli->showJson(ids[0]);
    QCOMPARE(flow[u"status"_s].toString(), u"pending"_s);
    QVERIFY(flow[u"lease_owner"_s].isNull());
    const QJsonArray steps = flow[u"steps"_s].toArray();
    if (stepCommits) {
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps[0][u"name"_s].toString(), u"step-1"_s);
        QCOMPARE(steps[0][u"status"_s].toString(), u"completed"_s);
    } else {
        for (const QJsonValue &step : steps)
            QVERIFY2(step[u"status"_s].toString() != u"completed"_s,
                     qPrintable(m_cli->run({u"show"_s, QString::number(ids[0])}).stdoutText()));
    }
}

void TestCliOptions::secondSignal_stopsAtOnce()
{
    const QString witness = m_cli->filePath(u"witness.txt"_s);
    const QList<qint64> ids = m_cli->schedule({u"demo.Pipeline"_s, u"--args"_s, pipeline(2, 60000, witness)});
    QCOMPARE(ids.size(), 1);
    // A minute's grace for a minute-long step: only the second signal can end the worker soon.
    QProcess *worker = m_cli->startWorker(
        {u"--name"_s, u"s"_s, u"--grace"_s, u"60"_s, u"--poll-ms"_s, u"50"_s, u"--lease"_s, u"60"_s});
    QTRY_COMPARE_WITH_TIMEOUT(witnessLines(witness).size(), 1, workTimeoutMs);
    // Two different signals, so that the kernel cannot merge them into one: the worker reads
    // them in order, the first starts the graceful stop, the second ends it.
    QVERIFY(sendSignal(*worker, SIGTERM));
    QVERIFY(sendSignal(*worker, SIGINT));
    QVERIFY(worker->waitForFinished(workTimeoutMs));
    QCOMPARE(worker->exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker->exitCode(), 1);
    QVERIFY2(m_cli->workerErrors(1).contains(u"second signal"_s), qPrintable(m_cli->workerErrors(1)));

    // As a crash would: nothing more written, the flow still running under the worker's lease
    // (other workers take it when the lease expires), its step not stored.
    const QJsonObject flow = m_cli->showJson(ids[0]);
    QCOMPARE(flow[u"status"_s].toString(), u"running"_s);
    QCOMPARE(flow[u"lease_owner"_s].toString(), u"s-1"_s);
    for (const QJsonValue &step : flow[u"steps"_s].toArray())
        QVERIFY(step[u"status"_s].toString() != u"completed"_s);
}

void TestCliOptions::prefetch_leasesAhead()
{
    const QString witness = m_cli->filePath(u"witness.txt"_s);
    const QList<qint64> ids =
        m_cli->schedule({u"demo.Pipeline"_s, u"--count"_s, u"6"_s, u"--args"_s, pipeline(1, 60000, witness)});
    QCOMPARE(ids.size(), 6);
    m_cli->startWorker(
        {u"--name"_s, u"p"_s, u"--concurrency"_s, u"1"_s, u"--prefetch"_s, u"3"_s, u"--poll-ms"_s, u"50"_s});
    // One slot runs a flow; three more are leased ahead, not started; the other two wait.
    QTRY_COMPARE_WITH_TIMEOUT(leasedTo(u"p-1"_s), 4, workTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(witnessLines(witness).size(), 1, workTimeoutMs);
    int started = 0;
    int prefetched = 0;
    int free = 0;
    for (const QJsonValue &flow : m_cli->run({u"list"_s, u"--json"_s}).json().array()) {
        if (flow[u"lease_owner"_s].isNull())
            ++free;
        else if (flow[u"run_started"_s].isNull())
            ++prefetched;
        else
            ++started;
    }
    QCOMPARE(started, 1);
    QCOMPARE(prefetched, 3);
    QCOMPARE(free, 2);
}

void TestCliOptions::noSteal_data()
{
    QTest::addColumn<bool>("noSteal");
    QTest::newRow("--no-steal") << true;
    QTest::newRow("stealing (the default)") << false;
}

void TestCliOptions::noSteal()
{
    QFETCH(bool, noSteal);
    const QString witness = m_cli->filePath(u"witness.txt"_s);
    // A busy worker: one slot on a minute-long step, four more leased ahead.
    const QList<qint64> ids =
        m_cli->schedule({u"demo.Pipeline"_s, u"--count"_s, u"5"_s, u"--args"_s, pipeline(1, 60000, witness)});
    QCOMPARE(ids.size(), 5);
    m_cli->startWorker({u"--name"_s, u"busy"_s, u"--concurrency"_s, u"1"_s, u"--prefetch"_s, u"4"_s, u"--poll-ms"_s,
                        u"50"_s, u"--lease"_s, u"60"_s});
    QTRY_COMPARE_WITH_TIMEOUT(leasedTo(u"busy-1"_s), 5, workTimeoutMs);

    // An idle worker beside it.
    QStringList idleOptions{u"--name"_s, u"idle"_s, u"--poll-ms"_s, u"50"_s};
    if (noSteal)
        idleOptions.append(u"--no-steal"_s);
    m_cli->startWorker(idleOptions);
    if (!noSteal) {
        QTRY_VERIFY_WITH_TIMEOUT(leasedTo(u"idle-1"_s) > 0, workTimeoutMs);
        return;
    }
    // A barrier rather than a wait: a flow only the idle worker can take (the busy one is full).
    // The round of claims that starts it goes on to steal, when stealing is allowed, before
    // the flow can complete.
    const QList<qint64> sentinel = m_cli->schedule({u"demo.Pipeline"_s, u"--args"_s, u"{\"steps\": 1}"_s});
    QCOMPARE(sentinel.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_cli->showJson(sentinel[0])[u"status"_s].toString(), u"completed"_s, workTimeoutMs);
    QCOMPARE(m_cli->showJson(sentinel[0])[u"steps"_s][0][u"worker"_s].toString(), u"idle-1"_s);
    QCOMPARE(leasedTo(u"busy-1"_s), 5);
    QCOMPARE(leasedTo(u"idle-1"_s), 0);
    for (const QJsonValue &worker : m_cli->run({u"workers"_s, u"--json"_s}).json().array())
        QCOMPARE(worker[u"steals"_s].toInt(), 0);
}

void TestCliOptions::migrateUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QString url = u"postgresql://nobody@127.0.0.1:1/none"_s; // never reached
    QTest::newRow("no --from") << QStringList{u"migrate"_s, u"--to"_s, url} << u"--from"_s;
    QTest::newRow("no --to") << QStringList{u"migrate"_s, u"--from"_s, u"source.db"_s} << u"--to"_s;
    QTest::newRow("--to a file") << QStringList{u"migrate"_s, u"--from"_s, u"source.db"_s, u"--to"_s, u"other.db"_s}
                                 << u"not a postgresql:// URL"_s;
    QTest::newRow("--from a URL") << QStringList{u"migrate"_s, u"--from"_s, url, u"--to"_s, url}
                                  << u"copies a SQLite file"_s;
}

void TestCliOptions::migrateUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const CliOutcome outcome = m_cli->runRaw(arguments);
    QVERIFY2(outcome.exitCode == 2, qPrintable(outcome.describe()));
    QVERIFY(outcome.out.isEmpty());
    QVERIFY2(outcome.stderrText().contains(message), qPrintable(outcome.describe()));
    QVERIFY(!QFile::exists(u"source.db"_s)); // nothing was created
}

QTEST_GUILESS_MAIN(TestCliOptions)
#include "tst_clioptions.moc"
