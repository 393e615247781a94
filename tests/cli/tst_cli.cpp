// ergon-console's headless verbs, run as a user or a script runs them: the real binary in a
// child process, on a temporary database. Checks what each verb prints on stdout (text and
// JSON, field names and values), its errors on stderr and its exit codes (0 success, 1 failure,
// 2 malformed command line), and two worker round trips that stop the worker with a signal.

#include "clirunner.h"

#include <ergon/sqliteexecutionlog.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using ergon::test::CliRunner;
using Outcome = ergon::test::CliOutcome;
using ergon::test::strings;

namespace {

constexpr int processTimeoutMs = 30000;
constexpr int workTimeoutMs = 30000;

QString describe(const Outcome &outcome)
{
    return outcome.describe();
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

    std::unique_ptr<CliRunner> m_runner;

    Outcome runRaw(const QStringList &arguments) const { return m_runner->runRaw(arguments); }
    Outcome run(const QStringList &arguments) const { return m_runner->run(arguments); }
    // A worker process; the test stops it, the runner kills it if the test failed before.
    QProcess *startWorker(const QStringList &options) { return m_runner->startWorker(options); }
    QList<qint64> schedule(const QStringList &arguments) const { return m_runner->schedule(arguments); }
    QJsonObject stats() const { return m_runner->stats(); }
    QJsonObject showJson(qint64 id) const { return m_runner->showJson(id); }
    QString statusOf(qint64 id) const { return showJson(id).value(QStringLiteral("status")).toString(); }

    // The reading verbs refuse a database that does not exist: these tests read an empty one.
    bool createEmptyDatabase() const { return ergon::SqliteExecutionLog::open(m_runner->database()).ok(); }

private Q_SLOTS:
    void init()
    {
        m_runner = std::make_unique<CliRunner>();
        QVERIFY(m_runner->isValid());
    }

    void cleanup()
    {
        if (QTest::currentTestFailed())
            m_runner->printWorkerErrors();
        m_runner.reset();
    }

    void helpListsTheVerbs()
    {
        const Outcome outcome = runRaw({QStringLiteral("--help")});
        QCOMPARE(outcome.exitCode, 0);
        for (const char *verb :
             {"worker", "schedule", "list", "show", "stats", "timers", "workers", "retry", "cancel", "signal"})
            QVERIFY2(outcome.stdoutText().contains(QStringLiteral("  %1 ").arg(QLatin1String(verb))), verb);
    }

    void verbHelp_data()
    {
        QTest::addColumn<QString>("verb");
        QTest::addColumn<QStringList>("options");
        QTest::newRow("worker") << QStringLiteral("worker")
                                << strings({"--workers", "--concurrency", "--name", "--lease", "--poll-ms",
                                            "--prefetch", "--no-steal", "--db", "--plugins"});
        QTest::newRow("schedule") << QStringLiteral("schedule")
                                  << strings({"--args", "--count", "--delay", "--priority", "--key"});
        QTest::newRow("list") << QStringLiteral("list") << strings({"--status", "--type", "--limit", "--json"});
        QTest::newRow("show") << QStringLiteral("show") << strings({"--json", "ID"});
        QTest::newRow("stats") << QStringLiteral("stats") << strings({"--json"});
        QTest::newRow("timers") << QStringLiteral("timers") << strings({"--json"});
        QTest::newRow("workers") << QStringLiteral("workers") << strings({"--json", "--forget-stopped"});
        QTest::newRow("retry") << QStringLiteral("retry") << strings({"--step", "ID"});
        QTest::newRow("cancel") << QStringLiteral("cancel") << strings({"ID", "--db"});
        QTest::newRow("signal") << QStringLiteral("signal") << strings({"ID", "NAME", "--payload"});
    }

    void verbHelp()
    {
        QFETCH(QString, verb);
        QFETCH(QStringList, options);
        const Outcome outcome = runRaw({verb, QStringLiteral("--help")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(describe(outcome)));
        QVERIFY(outcome.err.isEmpty());
        QVERIFY(outcome.stdoutText().startsWith(QStringLiteral("Usage: ergon-console %1").arg(verb)));
        for (const QString &option : std::as_const(options))
            QVERIFY2(outcome.stdoutText().contains(option), qPrintable(option));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("unknown verb") << strings({"frobnicate"});
        QTest::newRow("unknown top-level option") << strings({"--frobnicate"});
        QTest::newRow("unknown option") << strings({"list", "--frobnicate"});
        QTest::newRow("count not a number") << strings({"schedule", "demo.Pipeline", "--count", "abc"});
        QTest::newRow("count zero") << strings({"schedule", "demo.Pipeline", "--count", "0"});
        QTest::newRow("missing value") << strings({"schedule", "demo.Pipeline", "--count"});
        QTest::newRow("delay not a number") << strings({"schedule", "demo.Pipeline", "--delay", "soon"});
        QTest::newRow("negative delay") << strings({"schedule", "demo.Pipeline", "--delay", "-1"});
        QTest::newRow("priority not a number") << strings({"schedule", "demo.Pipeline", "--priority", "high"});
        QTest::newRow("schedule without type") << strings({"schedule"});
        QTest::newRow("two types") << strings({"schedule", "demo.Pipeline", "demo.Flaky"});
        QTest::newRow("unknown status") << strings({"list", "--status", "sleeping"});
        QTest::newRow("limit not a number") << strings({"list", "--limit", "many"});
        QTest::newRow("show without id") << strings({"show"});
        QTest::newRow("show malformed id") << strings({"show", "abc"});
        QTest::newRow("retry malformed id") << strings({"retry", "-3"});
        QTest::newRow("cancel malformed id") << strings({"cancel", "1x"});
        QTest::newRow("stats with argument") << strings({"stats", "extra"});
        QTest::newRow("workers zero") << strings({"worker", "--workers", "0"});
        QTest::newRow("lease not a number") << strings({"worker", "--lease", "long"});
        QTest::newRow("poll not a number") << strings({"worker", "--poll-ms", "1.5"});
        QTest::newRow("empty name") << strings({"worker", "--name", ""});
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        const Outcome outcome = run(arguments);
        QVERIFY2(outcome.exitCode == 2, qPrintable(describe(outcome)));
        QVERIFY2(outcome.out.isEmpty(), qPrintable(describe(outcome)));
        QVERIFY(outcome.stderrText().startsWith(QStringLiteral("ergon-console: ")));
        QVERIFY(!outcome.stderrText().contains(QLatin1Char('\n') + QStringLiteral("ergon-console: "))); // one error
    }

    void scheduleErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown type") << strings({"demo.Nope"}) << QStringLiteral("unknown flow type 'demo.Nope'");
        QTest::newRow("malformed JSON") << strings({"demo.Pipeline", "--args", "{\"steps\": }"})
                                        << QStringLiteral("offset");
        QTest::newRow("not an object") << strings({"demo.Pipeline", "--args", "[1, 2]"}) << QStringLiteral("object");
        QTest::newRow("schema") << strings({"demo.Pipeline", "--args", "{\"steps\": \"many\"}"})
                                << QStringLiteral("steps");
        QTest::newRow("required argument") << strings({"orders.OrderProcessor"}) << QStringLiteral("order_id");
    }

    void scheduleErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Outcome outcome = run(QStringList{QStringLiteral("schedule")} + arguments);
        QVERIFY2(outcome.exitCode == 1, qPrintable(describe(outcome)));
        QVERIFY(outcome.out.isEmpty());
        QVERIFY2(outcome.stderrText().startsWith(QStringLiteral("ergon-console: ")), qPrintable(describe(outcome)));
        QVERIFY2(outcome.stderrText().contains(message), qPrintable(describe(outcome)));
        QCOMPARE(outcome.stderrText().count(QLatin1Char('\n')), 1);
        // Nothing was stored.
        QCOMPARE(stats().value(QStringLiteral("pending")).toInt(), 0);
    }

    void scheduleAndList()
    {
        const QList<qint64> ids =
            schedule({QStringLiteral("demo.Pipeline"), QStringLiteral("--count"), QStringLiteral("3"),
                      QStringLiteral("--args"), QStringLiteral("{\"steps\": 2}")});
        QCOMPARE(ids.size(), 3);
        QVERIFY(ids[0] > 0 && ids[0] < ids[1] && ids[1] < ids[2]);
        const QList<qint64> orders = schedule({QStringLiteral("orders.OrderProcessor"), QStringLiteral("--args"),
                                               QStringLiteral("{\"order_id\": \"ORD-1\", \"amount\": 12.5}")});
        QCOMPARE(orders.size(), 1);

        const Outcome listed = run({QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(listed.json().isArray());
        const QJsonArray flows = listed.json().array();
        QCOMPARE(flows.size(), 4);
        // Newest first.
        QCOMPARE(flows[0][QStringLiteral("id")].toInteger(), orders[0]);
        QCOMPARE(flows[3][QStringLiteral("id")].toInteger(), ids[0]);
        const QJsonObject pipeline = flows[1].toObject();
        QCOMPARE(pipeline[QStringLiteral("id")].toInteger(), ids[2]);
        QCOMPARE(pipeline[QStringLiteral("type")].toString(), QStringLiteral("demo.Pipeline"));
        QCOMPARE(pipeline[QStringLiteral("status")].toString(), QStringLiteral("pending"));
        QVERIFY(pipeline[QStringLiteral("args")].isObject());
        QCOMPARE(pipeline[QStringLiteral("args")][QStringLiteral("steps")].toInt(), 2);
        QCOMPARE(pipeline[QStringLiteral("args")][QStringLiteral("step_ms")].toInt(), 0); // the schema's default
        QVERIFY(pipeline[QStringLiteral("result")].isNull());
        QVERIFY(pipeline[QStringLiteral("error")].isNull());
        QVERIFY(!pipeline.contains(QStringLiteral("steps"))); // list leaves the steps out
        const QDateTime created =
            QDateTime::fromString(pipeline[QStringLiteral("created")].toString(), Qt::ISODateWithMs);
        QVERIFY(created.isValid());
        QCOMPARE(created.timeSpec(), Qt::UTC);
        QVERIFY(qAbs(created.secsTo(QDateTime::currentDateTimeUtc())) < 60);
        QVERIFY(
            pipeline[QStringLiteral("created")].toString().contains(QRegularExpression(QStringLiteral("\\.\\d{3}Z$"))));
        const QJsonObject order = flows[0].toObject();
        QCOMPARE(order[QStringLiteral("args")][QStringLiteral("order_id")].toString(), QStringLiteral("ORD-1"));

        // Text: one line per flow, newest first, aligned columns.
        const Outcome text = run({QStringLiteral("list")});
        QCOMPARE(text.exitCode, 0);
        const QStringList lines = text.lines();
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[0].trimmed().startsWith(QString::number(orders[0]) + QLatin1Char(' ')));
        QVERIFY(lines[1].contains(QStringLiteral("demo.Pipeline")));
        QVERIFY(lines[1].contains(QStringLiteral("pending")));
        QCOMPARE(lines[1].indexOf(QStringLiteral("pending")), lines[0].indexOf(QStringLiteral("pending")));

        // Filters.
        QCOMPARE(run({QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--type"),
                      QStringLiteral("demo.Pipeline")})
                     .json()
                     .array()
                     .size(),
                 3);
        QCOMPARE(run({QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("2")})
                     .json()
                     .array()
                     .size(),
                 2);
        QCOMPARE(run({QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--status"),
                      QStringLiteral("completed")})
                     .json()
                     .array()
                     .size(),
                 0);
        const Outcome none = run({QStringLiteral("list"), QStringLiteral("--status"), QStringLiteral("failed")});
        QCOMPARE(none.exitCode, 0);
        QVERIFY(none.out.isEmpty());
    }

    void scheduleOptions()
    {
        const QList<qint64> first =
            schedule({QStringLiteral("demo.Pipeline"), QStringLiteral("--key"), QStringLiteral("once")});
        QCOMPARE(first.size(), 1);
        QCOMPARE(schedule({QStringLiteral("demo.Pipeline"), QStringLiteral("--key"), QStringLiteral("once")}), first);

        const QList<qint64> later =
            schedule({QStringLiteral("demo.Pipeline"), QStringLiteral("--delay"), QStringLiteral("90"),
                      QStringLiteral("--priority"), QStringLiteral("-7")});
        QCOMPARE(later.size(), 1);
        const QJsonObject flow = showJson(later[0]);
        QCOMPARE(flow[QStringLiteral("priority")].toInt(), -7);
        const auto time = [&flow](const char *field) {
            return QDateTime::fromString(flow[QLatin1String(field)].toString(), Qt::ISODateWithMs);
        };
        QVERIFY(qAbs(time("created").msecsTo(time("run_at")) - 90'000) < 1000);
        QCOMPARE(showJson(first[0])[QStringLiteral("idempotency_key")].toString(), QStringLiteral("once"));
    }

    void showAPendingFlow()
    {
        const QList<qint64> ids = schedule({QStringLiteral("demo.Flaky")});
        QCOMPARE(ids.size(), 1);
        const QJsonObject flow = showJson(ids[0]);
        QCOMPARE(flow[QStringLiteral("id")].toInteger(), ids[0]);
        QCOMPARE(flow[QStringLiteral("type")].toString(), QStringLiteral("demo.Flaky"));
        QCOMPARE(flow[QStringLiteral("status")].toString(), QStringLiteral("pending"));
        QCOMPARE(flow[QStringLiteral("args")].toObject(), (QJsonObject{{QStringLiteral("fail_times"), 2}}));
        QVERIFY(flow[QStringLiteral("result")].isNull());
        QVERIFY(flow[QStringLiteral("error")].isNull());
        QVERIFY(flow[QStringLiteral("steps")].isArray());
        QVERIFY(flow[QStringLiteral("steps")].toArray().isEmpty());

        const Outcome text = run({QStringLiteral("show"), QString::number(ids[0])});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.stdoutText().contains(QStringLiteral("demo.Flaky")));
        QVERIFY(text.stdoutText().contains(QStringLiteral("pending")));
    }

    void unknownFlow_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("show") << strings({"show", "999"});
        QTest::newRow("show json") << strings({"show", "999", "--json"});
        QTest::newRow("retry") << strings({"retry", "999"});
        QTest::newRow("cancel") << strings({"cancel", "999"});
    }

    void unknownFlow()
    {
        QFETCH(QStringList, arguments);
        QVERIFY(createEmptyDatabase());
        const Outcome outcome = run(arguments);
        QVERIFY2(outcome.exitCode == 1, qPrintable(describe(outcome)));
        QVERIFY(outcome.out.isEmpty());
        QCOMPARE(outcome.stderrText(), QStringLiteral("ergon-console: no flow with id 999\n"));
    }

    void cancelAndRetryStates()
    {
        const QList<qint64> ids =
            schedule({QStringLiteral("demo.Pipeline"), QStringLiteral("--count"), QStringLiteral("2")});
        QCOMPARE(ids.size(), 2);
        // Only a failed flow can be retried.
        Outcome outcome = run({QStringLiteral("retry"), QString::number(ids[0])});
        QVERIFY2(outcome.exitCode == 1, qPrintable(describe(outcome)));
        QVERIFY(outcome.stderrText().contains(QStringLiteral("not failed")));

        outcome = run({QStringLiteral("cancel"), QString::number(ids[0])});
        QVERIFY2(outcome.exitCode == 0, qPrintable(describe(outcome)));
        QVERIFY(outcome.out.isEmpty());
        QVERIFY(outcome.err.isEmpty());
        QCOMPARE(statusOf(ids[0]), QStringLiteral("cancelled"));
        QCOMPARE(statusOf(ids[1]), QStringLiteral("pending"));

        outcome = run({QStringLiteral("cancel"), QString::number(ids[0])});
        QVERIFY2(outcome.exitCode == 1, qPrintable(describe(outcome)));
        QVERIFY(outcome.stderrText().contains(QStringLiteral("already cancelled")));

        const QJsonObject counts = stats();
        QCOMPARE(counts.value(QStringLiteral("cancelled")).toInt(), 1);
        QCOMPARE(counts.value(QStringLiteral("pending")).toInt(), 1);
    }

    void statsOfAnEmptyDatabase()
    {
        QVERIFY(createEmptyDatabase());
        const Outcome outcome = run({QStringLiteral("stats"), QStringLiteral("--json")});
        QCOMPARE(outcome.exitCode, 0);
        const QJsonObject expected{{QStringLiteral("pending"), 0}, {QStringLiteral("running"), 0},
                                   {QStringLiteral("waiting"), 0}, {QStringLiteral("completed"), 0},
                                   {QStringLiteral("failed"), 0},  {QStringLiteral("cancelled"), 0}};
        QCOMPARE(outcome.json().object(), expected);

        const Outcome text = run({QStringLiteral("stats")});
        QCOMPARE(text.exitCode, 0);
        QCOMPARE(text.lines().size(), 6);
        QVERIFY(text.lines().constFirst().contains(QRegularExpression(QStringLiteral("^pending +0$"))));

        QCOMPARE(run({QStringLiteral("workers"), QStringLiteral("--json")}).json().array().size(), 0);
        QCOMPARE(run({QStringLiteral("timers"), QStringLiteral("--json")}).json().array().size(), 0);
        QVERIFY(run({QStringLiteral("timers")}).out.isEmpty());
    }

    void unusableDatabase()
    {
        QFile file(m_runner->database());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a database, only text that is long enough to be looked at\n");
        file.close();
        for (const QString &verb : {QStringLiteral("list"), QStringLiteral("stats"), QStringLiteral("workers")}) {
            const Outcome outcome = run({verb});
            QVERIFY2(outcome.exitCode == 1, qPrintable(describe(outcome)));
            QVERIFY(outcome.out.isEmpty());
            QVERIFY2(outcome.stderrText().contains(QStringLiteral("cannot open the database")),
                     qPrintable(describe(outcome)));
        }
    }

    void workerRoundTrip()
    {
        const QList<qint64> ids =
            schedule({QStringLiteral("demo.Pipeline"), QStringLiteral("--count"), QStringLiteral("20")});
        QCOMPARE(ids.size(), 20);
        const QList<qint64> sleeper =
            schedule({QStringLiteral("demo.Sleeper"), QStringLiteral("--args"), QStringLiteral("{\"seconds\": 600}")});
        QCOMPARE(sleeper.size(), 1);

        QProcess *worker = startWorker({QStringLiteral("--workers"), QStringLiteral("2"), QStringLiteral("--name"),
                                        QStringLiteral("w"), QStringLiteral("--lease"), QStringLiteral("2")});
        QVERIFY(worker->waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(stats().value(QStringLiteral("completed")).toInt(), 20, workTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(sleeper[0]), QStringLiteral("waiting"), workTimeoutMs);

        // The sleeper's durable timer.
        const QJsonArray timers = run({QStringLiteral("timers"), QStringLiteral("--json")}).json().array();
        QCOMPARE(timers.size(), 1);
        const QJsonObject timer = timers[0].toObject();
        QCOMPARE(timer[QStringLiteral("flow_id")].toInteger(), sleeper[0]);
        QCOMPARE(timer[QStringLiteral("type")].toString(), QStringLiteral("demo.Sleeper"));
        QCOMPARE(timer[QStringLiteral("name")].toString(), QStringLiteral("nap"));
        QVERIFY(QDateTime::fromString(timer[QStringLiteral("fire_at")].toString(), Qt::ISODateWithMs).isValid());
        const double remaining = timer[QStringLiteral("remaining_s")].toDouble();
        QVERIFY2(remaining > 500 && remaining <= 600, qPrintable(QString::number(remaining)));
        const Outcome timersText = run({QStringLiteral("timers")});
        QCOMPARE(timersText.lines().size(), 1);
        QVERIFY(timersText.stdoutText().contains(QStringLiteral("nap")));

        // Alive while they run: their heartbeats keep them within their 2 s lease.
        const auto workerStatuses = [this] {
            QStringList statuses;
            for (const QJsonValue &value : run({QStringLiteral("workers"), QStringLiteral("--json")}).json().array())
                statuses.append(value[QStringLiteral("name")].toString() + QLatin1Char(' ') +
                                value[QStringLiteral("status")].toString());
            statuses.sort();
            return statuses;
        };
        QCOMPARE(workerStatuses(), (QStringList{QStringLiteral("w-1 alive"), QStringLiteral("w-2 alive")}));
        QTest::qWait(2500); // longer than the lease
        QCOMPARE(workerStatuses(), (QStringList{QStringLiteral("w-1 alive"), QStringLiteral("w-2 alive")}));

        const qint64 pid = worker->processId();
        worker->terminate(); // SIGTERM
        QVERIFY(worker->waitForFinished(processTimeoutMs));
        QCOMPARE(worker->exitStatus(), QProcess::NormalExit);
        QCOMPARE(worker->exitCode(), 0);
        QVERIFY(worker->readAllStandardOutput().isEmpty());

        const QJsonArray workers = run({QStringLiteral("workers"), QStringLiteral("--json")}).json().array();
        QCOMPARE(workers.size(), 2);
        QStringList names;
        qint64 completed = 0;
        for (const QJsonValue &value : workers) {
            const QJsonObject object = value.toObject();
            names.append(object[QStringLiteral("name")].toString());
            QCOMPARE(object[QStringLiteral("status")].toString(), QStringLiteral("stopped"));
            QCOMPARE(object[QStringLiteral("pid")].toInteger(), pid);
            QVERIFY(!object[QStringLiteral("host")].toString().isEmpty());
            QVERIFY(QDateTime::fromString(object[QStringLiteral("heartbeat")].toString(), Qt::ISODateWithMs).isValid());
            QCOMPARE(object[QStringLiteral("concurrency")].toInt(), 8);
            QCOMPARE(object[QStringLiteral("in_flight")].toInt(), 0);
            QCOMPARE(object[QStringLiteral("failed")].toInt(), 0);
            QVERIFY(object[QStringLiteral("steals")].isDouble());
            completed += object[QStringLiteral("completed")].toInteger();
        }
        names.sort();
        QCOMPARE(names, (QStringList{QStringLiteral("w-1"), QStringLiteral("w-2")}));
        QCOMPARE(completed, 20);
        const Outcome workersText = run({QStringLiteral("workers")});
        QCOMPARE(workersText.lines().size(), 2);
        QVERIFY(workersText.lines().constFirst().contains(QStringLiteral("stopped")));
        QCOMPARE(run({QStringLiteral("workers"), QStringLiteral("--forget-stopped"), QStringLiteral("--json")})
                     .json()
                     .array()
                     .size(),
                 0);

        const QJsonObject flow = showJson(ids[7]);
        QCOMPARE(flow[QStringLiteral("status")].toString(), QStringLiteral("completed"));
        QCOMPARE(flow[QStringLiteral("result")].toArray(), (QJsonArray{1, 2, 3}));
        QVERIFY(flow[QStringLiteral("error")].isNull());
        const QJsonArray steps = flow[QStringLiteral("steps")].toArray();
        QCOMPARE(steps.size(), 3);
        for (qsizetype i = 0; i < steps.size(); ++i) {
            const QJsonObject step = steps[i].toObject();
            QCOMPARE(step[QStringLiteral("name")].toString(), QStringLiteral("step-%1").arg(i + 1));
            QCOMPARE(step[QStringLiteral("status")].toString(), QStringLiteral("completed"));
            QVERIFY2(names.contains(step[QStringLiteral("worker")].toString()),
                     qPrintable(step[QStringLiteral("worker")].toString()));
            const QJsonArray attempts = step[QStringLiteral("attempts")].toArray();
            QCOMPARE(attempts.size(), 1);
            const QJsonObject attempt = attempts[0].toObject();
            QVERIFY(attempt[QStringLiteral("error")].isNull());
            QVERIFY(QDateTime::fromString(attempt[QStringLiteral("started")].toString(), Qt::ISODateWithMs).isValid());
            QVERIFY(QDateTime::fromString(attempt[QStringLiteral("finished")].toString(), Qt::ISODateWithMs).isValid());
        }

        // The sleeper is still waiting on its timer; its flow is listed as such.
        QCOMPARE(run({QStringLiteral("list"), QStringLiteral("--status"), QStringLiteral("waiting")}).lines().size(),
                 1);
    }

    void killedWorkerIsTakenOver()
    {
        const QList<qint64> ids =
            schedule({QStringLiteral("demo.Pipeline"), QStringLiteral("--count"), QStringLiteral("4"),
                      QStringLiteral("--args"), QStringLiteral("{\"steps\": 4, \"step_ms\": 500}")});
        QCOMPARE(ids.size(), 4);
        const QStringList shortLease{QStringLiteral("--lease"), QStringLiteral("1"), QStringLiteral("--poll-ms"),
                                     QStringLiteral("50")};

        QProcess *doomed = startWorker(QStringList{QStringLiteral("--name"), QStringLiteral("a")} + shortLease);
        QVERIFY(doomed->waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(stats().value(QStringLiteral("running")).toInt() > 0, workTimeoutMs);
        doomed->kill(); // SIGKILL: no goodbye, its leases expire on their own
        QVERIFY(doomed->waitForFinished(processTimeoutMs));
        QList<qint64> finishedBeforeKill;
        for (const QJsonValue &flow : run({QStringLiteral("list"), QStringLiteral("--status"),
                                           QStringLiteral("completed"), QStringLiteral("--json")})
                                          .json()
                                          .array())
            finishedBeforeKill.append(flow[QStringLiteral("id")].toInteger());
        QVERIFY(finishedBeforeKill.size() < 4);

        QProcess *heir = startWorker(QStringList{QStringLiteral("--name"), QStringLiteral("b")} + shortLease);
        QVERIFY(heir->waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(stats().value(QStringLiteral("completed")).toInt(), 4, workTimeoutMs);

        QStringList statuses;
        for (const QJsonValue &value : run({QStringLiteral("workers"), QStringLiteral("--json")}).json().array())
            statuses.append(value[QStringLiteral("name")].toString() + QLatin1Char(' ') +
                            value[QStringLiteral("status")].toString());
        statuses.sort();
        QCOMPARE(statuses, (QStringList{QStringLiteral("a-1 lost"), QStringLiteral("b-1 alive")}));

        heir->terminate();
        QVERIFY(heir->waitForFinished(processTimeoutMs));
        QCOMPARE(heir->exitCode(), 0);
        // Every flow the doomed worker left ended on the heir: its last step ran there.
        for (const qint64 id : ids) {
            if (finishedBeforeKill.contains(id))
                continue;
            const QJsonArray steps = showJson(id)[QStringLiteral("steps")].toArray();
            QCOMPARE(steps.size(), 4);
            QCOMPARE(steps.last()[QStringLiteral("worker")].toString(), QStringLiteral("b-1"));
        }
    }

    void flakyRetry()
    {
        const QList<qint64> ids =
            schedule({QStringLiteral("demo.Flaky"), QStringLiteral("--args"), QStringLiteral("{\"fail_times\": 4}")});
        QCOMPARE(ids.size(), 1);
        const qint64 id = ids[0];
        const QStringList options{QStringLiteral("--name"), QStringLiteral("f"),         QStringLiteral("--lease"),
                                  QStringLiteral("2"),      QStringLiteral("--poll-ms"), QStringLiteral("50")};

        QProcess *worker = startWorker(options);
        QVERIFY(worker->waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), QStringLiteral("failed"), workTimeoutMs);
        ::kill(pid_t(worker->processId()), SIGINT);
        QVERIFY(worker->waitForFinished(processTimeoutMs));
        QCOMPARE(worker->exitStatus(), QProcess::NormalExit);
        QCOMPARE(worker->exitCode(), 0);

        QJsonObject flow = showJson(id);
        QVERIFY(flow[QStringLiteral("error")].toString().contains(QStringLiteral("attempt 3 fails")));
        QCOMPARE(flow[QStringLiteral("steps")][0][QStringLiteral("attempts")].toArray().size(), 3);
        QCOMPARE(flow[QStringLiteral("steps")][0][QStringLiteral("worker")].toString(), QStringLiteral("f-1"));
        QCOMPARE(run({QStringLiteral("list"), QStringLiteral("--status"), QStringLiteral("failed")}).lines().size(), 1);

        Outcome outcome =
            run({QStringLiteral("retry"), QString::number(id), QStringLiteral("--step"), QStringLiteral("nope")});
        QVERIFY2(outcome.exitCode == 1, qPrintable(describe(outcome)));
        QVERIFY(outcome.stderrText().contains(QStringLiteral("nope")));
        outcome =
            run({QStringLiteral("retry"), QString::number(id), QStringLiteral("--step"), QStringLiteral("flaky")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(describe(outcome)));
        QVERIFY(outcome.out.isEmpty());
        QCOMPARE(statusOf(id), QStringLiteral("pending"));

        worker = startWorker(options);
        QVERIFY(worker->waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), QStringLiteral("completed"), workTimeoutMs);
        worker->terminate();
        QVERIFY(worker->waitForFinished(processTimeoutMs));
        QCOMPARE(worker->exitCode(), 0);

        flow = showJson(id);
        QCOMPARE(flow[QStringLiteral("result")].toInt(), 5);
        QVERIFY(flow[QStringLiteral("error")].isNull());
        const QJsonObject step = flow[QStringLiteral("steps")][0].toObject();
        QCOMPARE(step[QStringLiteral("name")].toString(), QStringLiteral("flaky"));
        QCOMPARE(step[QStringLiteral("status")].toString(), QStringLiteral("completed"));
        const QJsonArray attempts = step[QStringLiteral("attempts")].toArray();
        QCOMPARE(attempts.size(), 5);
        for (qsizetype i = 0; i < 4; ++i)
            QVERIFY(attempts[i][QStringLiteral("error")].toString().contains(
                QStringLiteral("attempt %1 fails").arg(i + 1)));
        QVERIFY(attempts[4][QStringLiteral("error")].isNull());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
