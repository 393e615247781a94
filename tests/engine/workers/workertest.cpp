#include "workertest.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace ergon::test {

WorkerStorage::WorkerStorage(const QString &backend)
    : m_fixture(makeLogFixture(backend))
{
    if (!m_fixture) {
        m_error = u"no backend named "_s + backend;
        return;
    }
    // The test thread's connection creates the schema before any worker opens the file.
    auto log = m_fixture->open();
    if (!log) {
        m_error = log.errorString();
        return;
    }
    m_log = log.take();
}

LogOpener WorkerStorage::opener() const
{
    // Shared, so that the opener may outlive this object in a handle being torn down.
    return [fixture = m_fixture] { return fixture->open(); };
}

void failOnThreadMisuse()
{
    QTest::failOnWarning(
        QRegularExpression(u"cannot be (started|stopped) from another thread|another thread|different thread"_s));
}

QJsonObject pipelineArguments(int steps, int stepMs, const QString &witness)
{
    QJsonObject arguments{{u"steps"_s, steps}, {u"step_ms"_s, stepMs}};
    if (!witness.isEmpty())
        arguments.insert(u"witness"_s, witness);
    return arguments;
}

QList<ScheduleRequest> requests(const QString &type, const QJsonObject &arguments, int count, int priority)
{
    QList<ScheduleRequest> list;
    list.reserve(count);
    for (int i = 0; i < count; ++i) {
        ScheduleRequest request;
        request.type = type;
        request.arguments = arguments;
        request.priority = priority;
        list.append(request);
    }
    return list;
}

qint64 countOf(ExecutionLog &log, FlowStatus status)
{
    const auto counts = log.countByStatus();
    return counts ? counts->value(status) : -1;
}

qint64 unfinishedCount(ExecutionLog &log)
{
    const auto counts = log.countByStatus();
    if (!counts)
        return -1;
    return counts->value(FlowStatus::Pending) + counts->value(FlowStatus::Running) + counts->value(FlowStatus::Waiting);
}

QString countsText(ExecutionLog &log)
{
    const auto counts = log.countByStatus();
    if (!counts)
        return u"error: "_s + counts.errorString();
    QStringList parts;
    for (auto it = counts->cbegin(); it != counts->cend(); ++it)
        parts.append(u"%1=%2"_s.arg(toString(it.key())).arg(it.value()));
    return parts.join(u' ');
}

QList<FlowRecord> allFlows(ExecutionLog &log)
{
    QList<FlowRecord> all;
    FlowQuery query;
    query.limit = 1000;
    for (;;) {
        const auto page = log.flows(query);
        if (!page) {
            qWarning("listing flows: %s", qPrintable(page.errorString()));
            return all;
        }
        all.append(*page);
        if (page->size() < query.limit)
            return all;
        query.offset += query.limit;
    }
}

QHash<QString, int> witnessCounts(const QString &path)
{
    QHash<QString, int> counts;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return counts;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (!line.isEmpty())
            ++counts[QString::fromUtf8(line)];
    }
    return counts;
}

QString witnessKey(qint64 flowId, const QString &step)
{
    return u"%1 %2"_s.arg(flowId).arg(step);
}

} // namespace ergon::test
