// What the command line does with hostile input (issue 11, defects 3, 4 and 7): numbers out of
// range, NaN and infinities (they wrapped: `--delay 1e300` stored a run_at in the past), bytes
// that are not UTF-8 (two keys became one), NUL and lone surrogates in JSON, negative ids,
// empty step names, and the shape of its errors: one line on stderr, no stray Qt lines.
// A batch with a key (`--key K --count N`) can be sent again and prints the same ids.

#include "clirunner.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QFileInfo>
#include <QTest>

using namespace ergon::test;

class TestCliInput : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;

    CliRunner cli() const { return CliRunner(*m_dir); }
    /// The test database's pending flows; none when the refused command left no database (the
    /// reading verbs refuse a database that does not exist).
    int pendingFlows() const
    {
        if (!QFileInfo::exists(cli().database()))
            return 0;
        const CliOutcome stats = cli().run(strings({"stats", "--json"}));
        return stats.json().object().value(QStringLiteral("pending")).toInt(-1);
    }

    // One error line: the program's name, the message; nothing on stdout.
    static bool isOneLineError(const CliOutcome &outcome)
    {
        return outcome.out.isEmpty() && outcome.errorLines().size() == 1 &&
            outcome.stderrText().startsWith(QStringLiteral("ergon-console: "));
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup() { m_dir.reset(); }

    // --- defect 3: ranges -----------------------------------------------------------------

    void numbersOutOfRangeAreRefused_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("range");
        const auto row = [](const char *name, std::initializer_list<const char *> arguments, const char *option,
                            const char *range) {
            QTest::newRow(name) << strings(arguments) << QString::fromUtf8(option) << QString::fromUtf8(range);
        };
        const char *delayRange = "between 0 and 315360000 s";
        row("delay 1e300", {"schedule", "demo.Pipeline", "--delay", "1e300"}, "--delay", delayRange);
        row("delay 9.3e15", {"schedule", "demo.Pipeline", "--delay", "9.3e15"}, "--delay", delayRange);
        row("delay past ten years", {"schedule", "demo.Pipeline", "--delay", "315360001"}, "--delay", delayRange);
        row("delay nan", {"schedule", "demo.Pipeline", "--delay", "nan"}, "--delay", delayRange);
        row("delay inf", {"schedule", "demo.Pipeline", "--delay", "inf"}, "--delay", delayRange);
        row("delay -inf", {"schedule", "demo.Pipeline", "--delay=-inf"}, "--delay", delayRange);
        row("delay negative", {"schedule", "demo.Pipeline", "--delay=-0.5"}, "--delay", delayRange);
        row("count past a million", {"schedule", "demo.Pipeline", "--count", "1000001"}, "--count",
            "between 1 and 1000000");
        row("count 1e6 (not whole)", {"schedule", "demo.Pipeline", "--count", "1e6"}, "--count",
            "between 1 and 1000000");
        row("count past int64", {"schedule", "demo.Pipeline", "--count", "99999999999999999999"}, "--count",
            "between 1 and 1000000");
        row("priority past int", {"schedule", "demo.Pipeline", "--priority", "2147483648"}, "--priority",
            "between -1000000 and 1000000");
        row("priority too low", {"schedule", "demo.Pipeline", "--priority=-1000001"}, "--priority",
            "between -1000000 and 1000000");
        row("list limit 0", {"list", "--limit", "0"}, "--limit", "between 1 and 1000000");
        row("timers limit huge", {"timers", "--limit", "1e300"}, "--limit", "between 1 and 1000000");
        const char *leaseRange = "between 0.1 and 86400 s";
        row("lease 1e300", {"worker", "--lease", "1e300"}, "--lease", leaseRange);
        row("lease nan", {"worker", "--lease", "nan"}, "--lease", leaseRange);
        row("lease 0.01", {"worker", "--lease", "0.01"}, "--lease", leaseRange);
        row("grace 1e300", {"worker", "--grace", "1e300"}, "--grace", "between 0 and 86400 s");
        row("grace inf", {"worker", "--grace", "inf"}, "--grace", "between 0 and 86400 s");
        row("poll-ms past an hour", {"worker", "--poll-ms", "3600001"}, "--poll-ms", "between 1 and 3600000");
        row("concurrency 0", {"worker", "--concurrency", "0"}, "--concurrency", "between 1 and 100000");
        row("concurrency past int", {"worker", "--concurrency", "4294967297"}, "--concurrency", "between 1 and 100000");
        row("workers 1001", {"worker", "--workers", "1001"}, "--workers", "between 1 and 1000");
        row("prefetch negative", {"worker", "--prefetch=-1"}, "--prefetch", "between 0 and 100000");
    }

    void numbersOutOfRangeAreRefused()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, option);
        QFETCH(QString, range);
        const CliOutcome outcome = cli().run(arguments);
        QVERIFY2(outcome.exitCode == 2, qPrintable(outcome.describe()));
        QVERIFY2(isOneLineError(outcome), qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().contains(option + QLatin1Char(':')), qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().contains(range), qPrintable(outcome.describe()));
        // Nothing was scheduled.
        if (arguments.first() == QLatin1String("schedule")) {
            QCOMPARE(pendingFlows(), 0);
        }
    }

    void aLongDelayIsStoredInTheFuture()
    {
        const QDateTime before = QDateTime::currentDateTimeUtc();
        const CliOutcome scheduled = cli().run(strings({"schedule", "demo.Pipeline", "--delay", "315360000"}));
        QVERIFY2(scheduled.exitCode == 0, qPrintable(scheduled.describe()));
        const CliOutcome shown =
            cli().run({QStringLiteral("show"), scheduled.lines().value(0), QStringLiteral("--json")});
        const QDateTime runAt =
            QDateTime::fromString(shown.json().object().value(QStringLiteral("run_at")).toString(), Qt::ISODateWithMs);
        QVERIFY2(runAt.isValid(), qPrintable(shown.describe()));
        QVERIFY2(runAt >= before.addSecs(315359990), qPrintable(runAt.toString(Qt::ISODateWithMs)));
    }

    // --- defect 4: invalid UTF-8, NUL -----------------------------------------------------

    void invalidUtf8IsRefused_data()
    {
        QTest::addColumn<QList<QByteArray>>("arguments");
        QTest::addColumn<QString>("named");
        QTest::newRow("key k\\xff") << QList<QByteArray>{"schedule", "demo.Pipeline", "--key", "k\xff"}
                                    << QStringLiteral("the value of --key is not valid UTF-8: 'k\\xff'");
        QTest::newRow("key k\\xfe") << QList<QByteArray>{"schedule", "demo.Pipeline", "--key", "k\xfe"}
                                    << QStringLiteral("the value of --key is not valid UTF-8: 'k\\xfe'");
        QTest::newRow("args") << QList<QByteArray>{"schedule", "demo.Pipeline", "--args", "{\"witness\": \"w\xc3\"}"}
                              << QStringLiteral("the value of --args is not valid UTF-8");
        QTest::newRow("key=") << QList<QByteArray>{"schedule", "demo.Pipeline", "--key=k\xff"}
                              << QStringLiteral("argument 3 is not valid UTF-8");
        QTest::newRow("type") << QList<QByteArray>{"list", "--type", "demo.\xe9"}
                              << QStringLiteral("the value of --type is not valid UTF-8");
    }

    void invalidUtf8IsRefused()
    {
        QFETCH(QList<QByteArray>, arguments);
        QFETCH(QString, named);
        CliRunner runner = cli();
        QList<QByteArray> command = arguments;
        command << "--db" << QFile::encodeName(runner.database()) << "--plugins" << ERGON_BUNDLED_PLUGIN_DIR;
        const CliOutcome outcome = runner.runBytes(command);
        QVERIFY2(outcome.exitCode == 2, qPrintable(outcome.describe()));
        QVERIFY2(isOneLineError(outcome), qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().contains(named), qPrintable(outcome.describe()));
        QVERIFY(!QFile::exists(runner.database())); // refused before anything was opened
    }

    void keysThatDifferInBadBytesDoNotCollide()
    {
        // Before: both were stored as "k" + U+FFFD, and the second printed the first's id.
        CliRunner runner = cli();
        const QList<QByteArray> tail = {"--db", QFile::encodeName(runner.database()), "--plugins",
                                        ERGON_BUNDLED_PLUGIN_DIR};
        const CliOutcome first =
            runner.runBytes(QList<QByteArray>{"schedule", "demo.Pipeline", "--key", "k\xff"} + tail);
        const CliOutcome second =
            runner.runBytes(QList<QByteArray>{"schedule", "demo.Pipeline", "--key", "k\xfe"} + tail);
        QVERIFY2(first.exitCode == 2 && second.exitCode == 2, qPrintable(first.describe() + second.describe()));
        // A valid key still works, and its bytes are kept.
        const CliOutcome valid =
            runner.runBytes(QList<QByteArray>{"schedule", "demo.Pipeline", "--key", "k\xc3\xa9"} + tail);
        QVERIFY2(valid.exitCode == 0, qPrintable(valid.describe()));
        const CliOutcome shown = runner.run({QStringLiteral("show"), valid.lines().value(0), QStringLiteral("--json")});
        QCOMPARE(shown.json().object().value(QStringLiteral("idempotency_key")).toString(), QStringLiteral("k\u00e9"));
    }

    void nulAndLoneSurrogatesInArgumentsAreRefused_data()
    {
        QTest::addColumn<QString>("args");
        QTest::addColumn<QString>("named");
        QTest::newRow("NUL in the witness path")
            << QStringLiteral(R"({"witness": "/tmp/a\u0000b"})") << QStringLiteral("--args: 'witness' contains a NUL");
        QTest::newRow("lone surrogate") << QStringLiteral(R"({"witness": "a\ud800"})")
                                        << QStringLiteral("--args: 'witness' is not valid Unicode");
        QTest::newRow("NUL in a member name")
            << QStringLiteral(R"({"steps": 1, "x\u0000": 2})") << QStringLiteral("a member name contains a NUL");
    }

    void nulAndLoneSurrogatesInArgumentsAreRefused()
    {
        QFETCH(QString, args);
        QFETCH(QString, named);
        const CliOutcome outcome =
            cli().run({QStringLiteral("schedule"), QStringLiteral("demo.Pipeline"), QStringLiteral("--args"), args});
        QVERIFY2(outcome.exitCode == 1, qPrintable(outcome.describe())); // malformed --args: 1, as the README says
        QVERIFY2(isOneLineError(outcome), qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().contains(named), qPrintable(outcome.describe()));
        QCOMPARE(pendingFlows(), 0);
    }

    // --- defect 7: the command line's own errors -------------------------------------------

    void usageErrorsAreOneLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("unknown top-level option") << strings({"--frobnicate"});
        QTest::newRow("unknown verb") << strings({"frobnicate"});
        QTest::newRow("unknown option") << strings({"list", "--frobnicate"});
        QTest::newRow("missing value") << strings({"schedule", "demo.Pipeline", "--count"});
        QTest::newRow("show without id") << strings({"show"});
    }

    void usageErrorsAreOneLine()
    {
        QFETCH(QStringList, arguments);
        const CliOutcome outcome = cli().runRaw(arguments);
        QVERIFY2(outcome.exitCode == 2, qPrintable(outcome.describe()));
        QVERIFY2(isOneLineError(outcome), qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().contains(QStringLiteral("--help")), qPrintable(outcome.describe()));
    }

    void negativeIdsAreNotOptions_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("show -1") << strings({"show", "-1"});
        QTest::newRow("retry -12") << strings({"retry", "-12"});
        QTest::newRow("cancel -1") << strings({"cancel", "-1"});
        QTest::newRow("show -1 --json") << strings({"show", "-1", "--json"});
    }

    void negativeIdsAreNotOptions()
    {
        QFETCH(QStringList, arguments);
        const CliOutcome outcome = cli().run(arguments);
        QVERIFY2(outcome.exitCode == 2, qPrintable(outcome.describe()));
        QVERIFY2(isOneLineError(outcome), qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().contains(QStringLiteral("'%1' is not a flow id").arg(arguments.at(1))),
                 qPrintable(outcome.describe()));
        QVERIFY2(!outcome.stderrText().contains(QStringLiteral("Unknown option")), qPrintable(outcome.describe()));
    }

    void anEmptyStepNameIsRefused()
    {
        const CliOutcome outcome = cli().run(strings({"retry", "1", "--step", ""}));
        QVERIFY2(outcome.exitCode == 2, qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().contains(QStringLiteral("--step needs a step name")),
                 qPrintable(outcome.describe()));
    }

    void qtsOwnLinesStayOffStderr()
    {
        // An empty file named like a plugin: Qt's loader warns about it on its own
        // ("qt.core.plugin.loader: ...: failed to map to memory"), the catalog records it;
        // schedule prints only its id, and nothing on stderr.
        QDir().mkpath(m_dir->filePath(QStringLiteral("junk")));
        QFile empty(m_dir->filePath(QStringLiteral("junk/libempty.so")));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        const CliOutcome outcome = cli().run({QStringLiteral("schedule"), QStringLiteral("demo.Pipeline"),
                                              QStringLiteral("--plugins"), m_dir->filePath(QStringLiteral("junk"))});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.describe()));
        QVERIFY2(outcome.err.isEmpty(), qPrintable(outcome.describe()));
        QCOMPARE(outcome.lines().size(), 1);
    }

    void aBatchKeyMakesTheBatchRepeatable()
    {
        const QStringList command = strings({"schedule", "demo.Pipeline", "--key", "batch", "--count", "3"});
        const CliOutcome first = cli().run(command);
        QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
        QCOMPARE(first.lines().size(), 3);
        const CliOutcome again = cli().run(command); // e.g. after a crash before the ids were read
        QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
        QCOMPARE(again.lines(), first.lines());
        for (qsizetype i = 0; i < 3; ++i) {
            const CliOutcome shown = cli().run({QStringLiteral("show"), first.lines().at(i), QStringLiteral("--json")});
            QCOMPARE(shown.json().object().value(QStringLiteral("idempotency_key")).toString(),
                     QStringLiteral("batch-%1").arg(i + 1));
        }
        const CliOutcome stats = cli().run(strings({"stats", "--json"}));
        QCOMPARE(stats.json().object().value(QStringLiteral("pending")).toInt(), 3);
        // One flow with a key keeps the key as given.
        const CliOutcome single = cli().run(strings({"schedule", "demo.Pipeline", "--key", "one"}));
        const CliOutcome shown = cli().run({QStringLiteral("show"), single.lines().value(0), QStringLiteral("--json")});
        QCOMPARE(shown.json().object().value(QStringLiteral("idempotency_key")).toString(), QStringLiteral("one"));
        QCOMPARE(cli().run(strings({"schedule", "demo.Pipeline", "--key", ""})).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliInput)
#include "tst_cliinput.moc"
