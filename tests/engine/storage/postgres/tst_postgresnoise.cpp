// A worker on PostgreSQL whose connections the server ends (pg_terminate_backend, as a server
// shutting down does) prints only its own one-line problems (issue 11, defect 7): libpq printed
// "FATAL:  terminating connection due to administrator command" on stderr itself (QPSQL sets no
// notice processor), and Qt "QSocketNotifier: Invalid socket ...".

#include "logfixture.h"

#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <csignal>

using namespace ergon::test;
using namespace Qt::StringLiterals;

class TestPostgresNoise : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void terminatedConnectionsPrintNoRawLines()
    {
        ERGON_REQUIRE_POSTGRES();
        PostgresTestSchema schema;
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString name = u"noise-%1"_s.arg(QCoreApplication::applicationPid());

        QProcess worker;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_DATA_HOME"_s, dir.filePath(u"data"_s));
        env.remove(u"QT_LOGGING_RULES"_s);
        worker.setProcessEnvironment(env);
        worker.start(QStringLiteral(ERGON_CONSOLE_PATH),
                     {u"worker"_s, u"--db"_s, schema.url(), u"--plugins"_s, QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR),
                      u"--poll-ms"_s, u"100"_s, u"--name"_s, name});
        QVERIFY(worker.waitForStarted());

        const QUrl url(postgresTestUrl());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, u"noise-admin"_s);
            db.setHostName(url.host());
            db.setPort(url.port());
            db.setUserName(url.userName());
            db.setDatabaseName(url.path().mid(1));
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QSqlQuery query(db);
            // Its connections are idle between polls, one of them listening: both get the
            // server's FATAL message while idle. The worker must be up first (registered, both
            // connections open): a worker whose database goes away while it is still starting
            // reports that it could not start, which is another test's matter.
            const QString ofTheWorker =
                u"SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                u"'ergon-console' AND pid <> pg_backend_pid() AND query NOT LIKE '%%pg_stat%%'"_s;
            const QString registered = u"SELECT count(*) FROM %1.workers WHERE name = ?"_s.arg(schema.name());
            bool up = false;
            for (int i = 0; i < 300 && !up; ++i) {
                QVERIFY(query.exec(ofTheWorker) && query.next());
                const bool connected = query.value(0).toInt() >= 2;
                // The table appears once the worker has created the schema (until then the
                // server refuses to prepare the statement).
                up = connected && query.prepare(registered);
                if (up) {
                    query.addBindValue(QString(name + u"-1"_s));
                    up = query.exec() && query.next() && query.value(0).toInt() > 0;
                }
                if (!up)
                    QTest::qWait(100);
            }
            QVERIFY2(up, qPrintable(QString::fromUtf8(worker.readAllStandardError())));
            for (int round = 0; round < 2; ++round) {
                QVERIFY2(query.exec(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                                    u"'ergon-console' AND pid <> pg_backend_pid()"_s),
                         qPrintable(query.lastError().text()));
                QTest::qWait(1500); // the worker notices, reconnects
            }
            query.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(u"noise-admin"_s);

        QVERIFY2(worker.state() == QProcess::Running, qPrintable(QString::fromUtf8(worker.readAllStandardError())));
        ::kill(pid_t(worker.processId()), SIGTERM);
        QVERIFY(worker.waitForFinished(30000));
        const QString err = QString::fromUtf8(worker.readAllStandardError());
        for (const QString &line : err.split(u'\n', Qt::SkipEmptyParts))
            QVERIFY2(line.startsWith(u"ergon-console: "_s), qPrintable(err));
        QVERIFY2(!err.contains(u"QSocketNotifier"_s), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestPostgresNoise)
#include "tst_postgresnoise.moc"
