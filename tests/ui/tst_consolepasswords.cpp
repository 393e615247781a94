// The console never shows a password (issue 11, defect 2): opening a server's URL that holds
// one — malformed (QUrl's own error text quotes it), with a typo in its scheme (once taken for a
// file path), or naming a server nobody listens on — leaves it out of the window title, the
// status bar, the recent list, the failure reported and every log line.

#include <ergon/plugincatalog.h>

#include "consoletest.h"
#include "shell/mainwindow.h"
#include "widgets/statussummary.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace ergon;
using namespace std::chrono_literals;

namespace {
const QString password = QStringLiteral("s3cretpw");
QStringList messages;
QtMessageHandler previousHandler = nullptr;

void recordMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    messages.append(message);
    if (previousHandler)
        previousHandler(type, context, message);
}
} // namespace

class TestConsolePasswords : public QObject
{
    Q_OBJECT

    PluginCatalog m_catalog;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
        previousHandler = qInstallMessageHandler(recordMessage);
    }

    void cleanupTestCase() { qInstallMessageHandler(previousHandler); }

    void openingAServerNeverShowsItsPassword_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("port out of range") << QStringLiteral("postgresql://u:s3cretpw@host:99999/db");
        QTest::newRow("unclosed [") << QStringLiteral("postgresql://u:s3cretpw@[host/db");
        QTest::newRow("space in the host") << QStringLiteral("postgresql://u:s3cretpw@ho st/db");
        QTest::newRow("password parameter") << QStringLiteral("postgresql://u@host:99999/db?password=s3cretpw");
        QTest::newRow("scheme typo") << QStringLiteral("postgresq://u:s3cretpw@host/db");
        QTest::newRow("nobody listens") << QStringLiteral("postgresql://u:s3cretpw@127.0.0.1:1/db?connect_timeout=2");
    }

    void openingAServerNeverShowsItsPassword()
    {
        QFETCH(QString, url);
        messages.clear();
        MainWindow::Options options;
        options.persistent = false;
        MainWindow window(m_catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, options);
        window.show();
        QSignalSpy failed(&window, &MainWindow::databaseFailed);
        window.openDatabase(url);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 15000);

        const QString error = failed.first().at(1).toString();
        QVERIFY2(!error.isEmpty(), "the failure says why");
        QVERIFY2(!error.contains(password), qPrintable(error));
        QVERIFY2(!window.windowTitle().contains(password), qPrintable(window.windowTitle()));
        const QString status = window.summary()->messageText();
        QVERIFY2(!status.isEmpty(), "the status bar says it failed");
        QVERIFY2(!status.contains(password), qPrintable(status));
        for (const QString &recent : window.recentDatabases())
            QVERIFY2(!recent.contains(password), qPrintable(recent));
        for (const QString &message : std::as_const(messages))
            QVERIFY2(!message.contains(password), qPrintable(message));
        QVERIFY(window.databasePath().isEmpty() || !window.databasePath().contains(password));
    }
};

QTEST_MAIN(TestConsolePasswords)
#include "tst_consolepasswords.moc"
