#include "logfixture.h"

#include <ergon/inmemoryexecutionlog.h>
#include <ergon/jsontext.h>
#include <ergon/sqliteexecutionlog.h>

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

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

} // namespace ergon::test
