// No verb prints a password (issue 11, defect 2): QUrl's own error text quotes the raw URL
// ("source was ...") or its user info ("userinfo = ..."), and a URL the program does not take
// for a server's was shown as a file path. Every verb is run with URLs holding a password —
// malformed ones, a scheme with a typo, a server that is not there — and the password must
// reach neither stdout nor stderr, while the error still says what is wrong in one line.

#include "clirunner.h"

#include <QTest>

using namespace ergon::test;

namespace {
const QString password = QStringLiteral("s3cretpw");
}

class TestCliPasswords : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void noVerbPrintsThePassword_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QStringList>("arguments");
        const QStringList urls = {
            QStringLiteral("postgresql://u:s3cretpw@host:99999/db"),                    // port out of range
            QStringLiteral("postgresql://u:s3cretpw@[host/db"),                         // unclosed '['
            QStringLiteral("postgresql://u:s3cretpw@[::1:5432/db"),                     // broken IPv6
            QStringLiteral("postgresql://u:s3cretpw@ho st/db"),                         // a space in the host
            QStringLiteral("postgresql://u:s3cretpw@host:5x/db"),                       // port not a number
            QStringLiteral("postgresql://u@host:99999/db?password=s3cretpw"),           // password as a parameter
            QStringLiteral("postgresq://u:s3cretpw@host/db"),                           // a typo in the scheme
            QStringLiteral("postgresql://u:s3cretpw@127.0.0.1:1/db?connect_timeout=2"), // nobody listens
        };
        const QList<QStringList> verbs = {
            strings({"list"}),        strings({"stats"}),
            strings({"show", "1"}),   strings({"timers"}),
            strings({"workers"}),     strings({"retry", "1"}),
            strings({"cancel", "1"}), strings({"schedule", "demo.Pipeline"}),
            strings({"worker"}),
        };
        for (const QString &url : urls) {
            for (const QStringList &verb : verbs)
                QTest::addRow("%s %s", qPrintable(verb.join(QLatin1Char(' '))), qPrintable(url)) << url << verb;
            QTest::addRow("migrate --to %s", qPrintable(url)) << url << strings({"migrate", "--from", "source.db"});
        }
    }

    void noVerbPrintsThePassword()
    {
        QFETCH(QString, url);
        QFETCH(QStringList, arguments);
        CliRunner cli(m_dir);
        QStringList command = arguments;
        if (arguments.first() == QLatin1String("migrate"))
            command << QStringLiteral("--to") << url;
        else
            command << QStringLiteral("--db") << url;
        command << QStringLiteral("--plugins") << QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR);
        const CliOutcome outcome = cli.runRaw(command);

        QVERIFY2(outcome.exitCode == 1 || outcome.exitCode == 2, qPrintable(outcome.describe()));
        QVERIFY2(!outcome.out.contains(password.toUtf8()), qPrintable(outcome.describe()));
        QVERIFY2(!outcome.err.contains(password.toUtf8()), qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().startsWith(QStringLiteral("ergon-console: ")), qPrintable(outcome.describe()));
        QCOMPARE(outcome.errorLines().size(), 1);
    }

    void theDatabaseBeforeTheVerbToo()
    {
        CliRunner cli(m_dir);
        const CliOutcome outcome = cli.runRaw(
            {QStringLiteral("--db"), QStringLiteral("postgresql://u:s3cretpw@[host/db"), QStringLiteral("list")});
        QVERIFY2(outcome.exitCode == 1 || outcome.exitCode == 2, qPrintable(outcome.describe()));
        QVERIFY2(!outcome.err.contains(password.toUtf8()), qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().contains(QStringLiteral("u:***@")) ||
                     outcome.stderrText().contains(QStringLiteral("postgresql://u@")),
                 qPrintable(outcome.describe()));
    }

    void theMessageSaysWhatIsWrong()
    {
        CliRunner cli(m_dir);
        const CliOutcome outcome = cli.runRaw(
            {QStringLiteral("list"), QStringLiteral("--db"), QStringLiteral("postgresql://u:s3cretpw@host:99999/db")});
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.stderrText().contains(QStringLiteral("the port is not a number between 1 and 65535")),
                 qPrintable(outcome.describe()));
        QVERIFY2(outcome.stderrText().contains(QStringLiteral("postgresql://u:***@host:99999/db")),
                 qPrintable(outcome.describe()));
    }
};

QTEST_GUILESS_MAIN(TestCliPasswords)
#include "tst_clipasswords.moc"
