#include "logfixture.h"

#include <ergon/inmemoryexecutionlog.h>
#include <ergon/jsontext.h>
#include <ergon/postgresexecutionlog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace ergon::test {

namespace {

class SqliteFixture final : public LogFixture
{
public:
    QString backend() const override { return u"sqlite"_s; }
    Result<std::unique_ptr<ExecutionLog>> open() override
    {
        if (!m_dir.isValid())
            return Error(u"cannot create a temporary folder"_s);
        auto log = SqliteExecutionLog::open(filePath());
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(log.take());
    }
    QString filePath() const override { return m_dir.filePath(u"ergon.db"_s); }

private:
    QTemporaryDir m_dir;
};

class InMemoryFixture final : public LogFixture
{
public:
    QString backend() const override { return u"memory"_s; }
    Result<std::unique_ptr<ExecutionLog>> open() override
    {
        return std::unique_ptr<ExecutionLog>(std::make_unique<InMemoryExecutionLog>(m_store));
    }

private:
    std::shared_ptr<InMemoryExecutionLog::Store> m_store = InMemoryExecutionLog().store();
};

// The PostgreSQL backend: a schema of its own per fixture, with empty tables. Making one costs
// its DDL (a fifth of a second here), so released schemas are emptied (rows deleted, sequences
// reset) and handed to the next fixture; the pool is dropped when the application ends.
//
// Without a server it skips the test (QSKIP from init(), where every suite opens its log; the
// in-memory log it returns then is never used), or fails it when CI is set.
class PostgresFixture final : public LogFixture
{
public:
    ~PostgresFixture() override;
    QString backend() const override { return u"postgres"_s; }
    Result<std::unique_ptr<ExecutionLog>> open() override;

private:
    QString m_schema;
    bool m_skipped = false;
};

QAtomicInteger<int> schemaCounter;

// The administrative connection to the test server, for creating and dropping schemas: one for
// the process, opened on first use (fixtures are made and destroyed on the test's main thread).
bool runAdmin(const QString &sql, bool retried = false)
{
    static const QString name = u"ergon-test-admin"_s;
    QSqlDatabase db = QSqlDatabase::database(name, false);
    if (!db.isValid()) {
        const QUrl url(postgresTestUrl());
        db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(url.host());
        if (url.port() > 0)
            db.setPort(url.port());
        db.setUserName(url.userName(QUrl::FullyDecoded));
        if (!url.password().isEmpty())
            db.setPassword(url.password(QUrl::FullyDecoded));
        db.setDatabaseName(url.path(QUrl::FullyDecoded).mid(1));
    }
    if (!db.isOpen()) {
        if (!db.open()) {
            qWarning("cannot connect to the PostgreSQL test server: %s", qPrintable(db.lastError().text()));
            return false;
        }
        QSqlQuery(db).exec(u"SET client_min_messages TO warning"_s);
    }
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        // The server may have been restarted by a test: connect again, once.
        const QString error = query.lastError().text();
        query = QSqlQuery();
        db.close();
        if (!retried)
            return runAdmin(sql, true);
        qWarning("%s: %s", qPrintable(sql), qPrintable(error));
        return false;
    }
    return true;
}

QStringList &schemaPool()
{
    static QStringList pool;
    return pool;
}

void dropSchemaPool()
{
    for (const QString &schema : std::as_const(schemaPool()))
        runAdmin(u"DROP SCHEMA IF EXISTS %1 CASCADE"_s.arg(schema));
    schemaPool().clear();
    QSqlDatabase::removeDatabase(u"ergon-test-admin"_s);
}

QString newSchemaName()
{
    return u"ergon_test_%1_%2"_s.arg(QCoreApplication::applicationPid()).arg(schemaCounter.fetchAndAddRelaxed(1));
}

Result<std::unique_ptr<ExecutionLog>> PostgresFixture::open()
{
    if (postgresTestUrl().isEmpty()) {
        if (postgresRequired())
            return Error(u"CI is set but ERGON_TEST_POSTGRES is not: the PostgreSQL tests must run in CI"_s);
        if (!m_skipped) {
            m_skipped = true;
            QTest::qSkip(qPrintable(postgresSkipReason()), __FILE__, __LINE__);
        }
        return std::unique_ptr<ExecutionLog>(std::make_unique<InMemoryExecutionLog>());
    }
    if (m_schema.isEmpty()) {
        if (!schemaPool().isEmpty()) {
            m_schema = schemaPool().takeLast();
        } else {
            static const bool cleanupAdded = [] {
                qAddPostRoutine(dropSchemaPool);
                return true;
            }();
            Q_UNUSED(cleanupAdded);
            const QString name = newSchemaName();
            if (!runAdmin(u"CREATE SCHEMA %1"_s.arg(name)))
                return Error(u"cannot create a schema on the PostgreSQL test server"_s);
            m_schema = name;
        }
    }
    QUrl url(postgresTestUrl());
    QUrlQuery query(url);
    query.addQueryItem(u"schema"_s, m_schema);
    url.setQuery(query);
    auto log = PostgresExecutionLog::open(url.toString());
    if (!log)
        return log.error();
    return std::unique_ptr<ExecutionLog>(log.take());
}

PostgresFixture::~PostgresFixture()
{
    if (m_schema.isEmpty())
        return;
    // Empty it for the next test, or drop it if that fails (e.g. its tables were never made).
    const QString s = m_schema;
    const bool emptied =
        runAdmin(u"DELETE FROM %1.flows; DELETE FROM %1.steps; DELETE FROM %1.attempts; DELETE FROM %1.timers;"
                 " DELETE FROM %1.workers; DELETE FROM %1.steals; DELETE FROM %1.signals;"
                 " SELECT setval('%1.flows_id_seq', 1, false), setval('%1.steals_id_seq', 1, false),"
                 " setval('%1.signals_id_seq', 1, false)"_s.arg(s));
    if (emptied)
        schemaPool().append(s);
    else
        runAdmin(u"DROP SCHEMA IF EXISTS %1 CASCADE"_s.arg(s));
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : u"-"_s;
}

} // namespace

const QList<Backend> &backends()
{
    static const QList<Backend> list{
        {u"sqlite"_s, [] { return std::unique_ptr<LogFixture>(std::make_unique<SqliteFixture>()); }},
        {u"memory"_s, [] { return std::unique_ptr<LogFixture>(std::make_unique<InMemoryFixture>()); }},
        {u"postgres"_s, [] { return std::unique_ptr<LogFixture>(std::make_unique<PostgresFixture>()); }},
    };
    return list;
}

void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    for (const Backend &backend : backends())
        QTest::newRow(qPrintable(backend.name)) << backend.name;
}

std::unique_ptr<LogFixture> makeLogFixture(const QString &name)
{
    for (const Backend &backend : backends()) {
        if (backend.name == name)
            return backend.makeFixture();
    }
    qWarning("no test backend named %s", qPrintable(name));
    return nullptr;
}

QString postgresTestUrl()
{
    return qEnvironmentVariable("ERGON_TEST_POSTGRES");
}

QString postgresSkipReason()
{
    if (!postgresTestUrl().isEmpty())
        return {};
    return u"no PostgreSQL server: set ERGON_TEST_POSTGRES=postgresql://user@host:port/dbname to run the PostgreSQL "
           "tests (scripts/ergon.sh postgres starts a throwaway server)"_s;
}

bool postgresRequired()
{
    return !qEnvironmentVariableIsEmpty("CI");
}

PostgresTestSchema::PostgresTestSchema()
{
    const QString name = newSchemaName();
    if (runAdmin(u"CREATE SCHEMA %1"_s.arg(name)))
        m_name = name;
}

PostgresTestSchema::~PostgresTestSchema()
{
    if (!m_name.isEmpty())
        runAdmin(u"DROP SCHEMA %1 CASCADE"_s.arg(m_name));
}

QString PostgresTestSchema::url() const
{
    QUrl url(postgresTestUrl());
    QUrlQuery query(url);
    query.addQueryItem(u"schema"_s, m_name);
    url.setQuery(query);
    return url.toString();
}

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray("unreadable: ") + file.errorString().toUtf8();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

QString describe(const FlowRecord &flow)
{
    return u"flow %1 type=%2 v%3 args=%4 status=%5 priority=%6 runAt=%7 key=%8 lease=%9@%10 result=%11 error=%12 "
           "steps=%13 created=%14 updated=%15 finished=%16 started=%17"_s.arg(flow.id)
               .arg(flow.type)
               .arg(flow.typeVersion)
               .arg(QString::fromUtf8(toJsonText(flow.arguments)), toString(flow.status))
               .arg(flow.priority)
               .arg(timeText(flow.runAt), flow.idempotencyKey, flow.leaseOwner, timeText(flow.leaseExpires),
                    QString::fromUtf8(flow.resultJson), flow.error)
               .arg(flow.stepCount)
               .arg(timeText(flow.created), timeText(flow.updated), timeText(flow.finished), timeText(flow.runStarted));
}

QString describe(const StepRecord &step, bool withAttempts)
{
    QString text = u"step %1#%2 %3[%4] input=%5 kind=%6 status=%7 result=%8 error=%9 worker=%10 attempts=%11 "
                   "retryBase=%12 v%13 started=%14 finished=%15 next=%16"_s.arg(step.flowId)
                       .arg(step.seq)
                       .arg(step.name)
                       .arg(step.occurrence)
                       .arg(QString::fromLatin1(step.inputHash), toString(step.kind), toString(step.status),
                            QString::fromUtf8(step.resultJson), step.error, step.worker)
                       .arg(step.attempts)
                       .arg(step.retryBase)
                       .arg(step.typeVersion)
                       .arg(timeText(step.started), timeText(step.finished), timeText(step.nextAttemptAt));
    if (withAttempts) {
        for (const AttemptRecord &attempt : step.attemptLog) {
            text += u" | attempt %1 %2..%3 by %4: %5"_s.arg(attempt.number)
                        .arg(timeText(attempt.started), timeText(attempt.finished), attempt.worker, attempt.error);
        }
    }
    return text;
}

QString describe(const QList<StepRecord> &steps, bool withAttempts)
{
    QStringList lines;
    for (const StepRecord &step : steps)
        lines.append(describe(step, withAttempts));
    return lines.join(u'\n');
}

Result<bool> claimInCommit(BatchCommitter &log, qint64 id, const QString &owner, const QDateTime &now,
                           const QDateTime &leaseUntil)
{
    LogBatch batch;
    batch.claims.append(FlowClaim{id, owner, now, leaseUntil});
    auto written = log.commit(batch);
    if (!written)
        return written.error();
    return written->claimed.contains(id);
}

} // namespace ergon::test
