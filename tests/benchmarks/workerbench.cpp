#include "workerbench.h"

#include "benchoutput.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/openexecutionlog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace ergon::bench {

bool isPostgres(const Settings &settings)
{
    return !settings.location.isEmpty();
}

Storage::Storage(const Settings &settings, const QString &name)
    : m_postgres(isPostgres(settings))
{
    if (m_postgres) {
        m_schema = QStringLiteral("bench_%1_%2").arg(QCoreApplication::applicationPid()).arg(name);
        QUrl url(settings.location);
        QUrlQuery query(url);
        query.removeAllQueryItems(QStringLiteral("schema"));
        query.addQueryItem(QStringLiteral("schema"), m_schema);
        url.setQuery(query);
        m_location = url.toString();
        admin(settings.location, QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(m_schema));
        m_base = settings.location;
    } else {
        m_location = QDir(settings.dir).filePath(name + QStringLiteral(".db"));
        QFile::remove(m_location);
    }
}

Storage::~Storage()
{
    if (m_postgres)
        admin(m_base, QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(m_schema));
    else
        removeSqliteFiles(m_location); // its writeback would land on the next phase
}

bool Storage::admin(const QString &url, const QString &sql)
{
    const QString name = QStringLiteral("bench-admin");
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        const QUrl parsed(url);
        db.setHostName(parsed.host());
        db.setPort(parsed.port(5432));
        db.setUserName(parsed.userName());
        if (!parsed.password().isEmpty())
            db.setPassword(parsed.password());
        db.setDatabaseName(parsed.path().mid(1));
        if (db.open()) {
            QSqlQuery query(db);
            query.exec(QStringLiteral("SET client_min_messages TO warning"));
            ok = query.exec(sql);
            if (!ok)
                print(QStringLiteral("  %1: %2").arg(sql, query.lastError().text()));
        } else {
            print(QStringLiteral("  cannot connect: %1").arg(db.lastError().text()));
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

LogOpener opener(const QString &location, Synchronous synchronous)
{
    return [location, synchronous]() -> Result<std::unique_ptr<ExecutionLog>> {
        if (isDatabaseUrl(location))
            return openExecutionLog(location);
        SqliteExecutionLog::Options options;
        options.synchronous = synchronous == Synchronous::Full ? SqliteExecutionLog::Synchronous::Full
                                                               : SqliteExecutionLog::Synchronous::Normal;
        auto log = SqliteExecutionLog::open(location, options);
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(log.take());
    };
}

Result<int> schedule(ExecutionLog &log, const FlowRegistry &registry, const QString &type, const QJsonObject &args,
                     int count)
{
    SystemClock clock;
    FlowScheduler scheduler(log, registry, clock);
    ScheduleRequest request;
    request.type = type;
    request.arguments = args;
    int scheduled = 0;
    while (scheduled < count) {
        const int batch = std::min(1000, count - scheduled);
        auto ids = scheduler.scheduleMany(QList<ScheduleRequest>(batch, request));
        if (!ids)
            return ids.error();
        scheduled += batch;
    }
    return scheduled;
}

bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds every, int timeoutSeconds)
{
    if (done())
        return true;
    QElapsedTimer elapsed;
    elapsed.start();
    QEventLoop loop;
    QTimer check;
    bool finished = false;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done()) {
            finished = true;
            loop.quit();
        } else if (elapsed.elapsed() > timeoutSeconds * 1000LL) {
            loop.quit();
        }
    });
    check.start(every);
    loop.exec();
    return finished;
}

} // namespace ergon::bench
