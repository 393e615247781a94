#include "flowlistreader.h"

#include "ergon/sqliteexecutionlog.h"

#include <QThread>
#include <QTimer>

namespace ergon {

FlowListReader::FlowListReader(Opener opener, QObject *parent)
    : FlowListReader(std::move(opener), Options(), parent)
{
}

FlowListReader::FlowListReader(Opener opener, Options options, QObject *parent)
    : QObject(parent)
    , m_opener(std::move(opener))
    , m_options(options)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(m_options.interval);
    connect(m_timer, &QTimer::timeout, this, &FlowListReader::refresh);
}

FlowListReader::~FlowListReader() = default;

FlowListReader::Opener FlowListReader::sqlite(QString path)
{
    return [path = std::move(path)]() -> Result<std::unique_ptr<ExecutionLog>> {
        auto log = SqliteExecutionLog::open(path);
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(log.take());
    };
}

void FlowListReader::start()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_log)
        return;
    auto log = m_opener();
    if (!log) {
        Q_EMIT openFailed(log.errorString());
        return;
    }
    m_log = log.take();
    Q_EMIT opened(m_log->location());
    refresh();
    m_timer->start();
}

void FlowListReader::refresh()
{
    if (!m_log)
        return;
    FlowQuery query;
    query.limit = m_options.pageSize;
    auto flows = m_log->flows(query);
    if (!flows) {
        Q_EMIT readFailed(flows.errorString());
        return;
    }
    auto counts = m_log->countByStatus();
    if (!counts) {
        Q_EMIT readFailed(counts.errorString());
        return;
    }
    FlowListSnapshot snapshot;
    snapshot.flows = flows.take();
    snapshot.countsByStatus = counts.take();
    Q_EMIT snapshotAvailable(snapshot);
}

} // namespace ergon
