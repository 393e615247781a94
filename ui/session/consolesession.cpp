#include "session/consolesession.h"

#include "session/flowpagereader.h"

#include "ergon/worknotifier.h"

#include <QFileInfo>
#include <QThread>

namespace ergon {

ConsoleSession::ConsoleSession(QString path, LogOpener opener, const FlowRegistry &registry, Options options,
                               QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_opener(std::move(opener))
    , m_notifier(new WorkNotifier(this))
    , m_flowGeneration(std::make_shared<std::atomic<quint64>>(0))
    , m_reader(new ConsoleReader(m_opener, options.reader))
    , m_flowReader(new FlowPageReader(m_opener, m_flowGeneration, options.reader.interval))
    , m_commands(new ConsoleCommands(m_opener, registry, m_notifier))
    , m_workers(new WorkerPool(m_opener, registry, m_notifier, options.workers, this))
{
    qRegisterMetaType<FlowFilter>();
    qRegisterMetaType<FlowPageSnapshot>();
    qRegisterMetaType<FlowDetailSnapshot>();
    const QString name = QFileInfo(m_path).fileName();
    const std::pair<QObject *, QString> workers[] = {{m_reader, QStringLiteral("console-reader ")},
                                                     {m_flowReader, QStringLiteral("console-flows ")},
                                                     {m_commands, QStringLiteral("console-commands ")}};
    for (const auto &[worker, title] : workers) {
        auto *thread = new QThread(this);
        thread->setObjectName(title + name);
        worker->moveToThread(thread);
        // Deleted on their own threads, where their connections were opened.
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        m_threads.append(thread);
    }
    connect(m_threads.at(0), &QThread::started, m_reader, &LogReader::start);
    connect(m_threads.at(1), &QThread::started, m_flowReader, &LogReader::start);
    forwardReaderSignals();
    forwardCommandSignals();
}

ConsoleSession::~ConsoleSession()
{
    if (!m_started) {
        delete m_reader;
        delete m_flowReader;
        delete m_commands;
        return;
    }
    for (QThread *thread : std::as_const(m_threads))
        thread->quit();
    for (QThread *thread : std::as_const(m_threads))
        thread->wait();
}

void ConsoleSession::forwardReaderSignals()
{
    // Forwarded only while the session is current (see the class comment).
    connect(m_reader, &ConsoleReader::opened, this, [this](const QString &location) {
        m_location = location;
        if (!m_retiring)
            Q_EMIT opened(location);
    });
    connect(m_reader, &ConsoleReader::openFailed, this, [this](const QString &error) {
        if (!m_retiring)
            Q_EMIT openFailed(error);
    });
    connect(m_reader, &ConsoleReader::snapshotAvailable, this, &ConsoleSession::applySnapshot);
    connect(m_reader, &ConsoleReader::readFailed, this, [this](const QString &error) {
        if (!m_retiring)
            Q_EMIT readFailed(error);
    });
    connect(m_flowReader, &FlowPageReader::pageAvailable, this, [this](const FlowPageSnapshot &snapshot) {
        if (!m_retiring)
            Q_EMIT pageAvailable(snapshot);
    });
    connect(m_flowReader, &FlowPageReader::detailAvailable, this, [this](const FlowDetailSnapshot &snapshot) {
        if (!m_retiring)
            Q_EMIT detailAvailable(snapshot);
    });
    // The Flows reader opens a connection of its own: its failures are its page's to show.
    for (auto signal : {&LogReader::readFailed, &LogReader::openFailed}) {
        connect(m_flowReader, signal, this, [this](const QString &error) {
            if (!m_retiring)
                Q_EMIT flowReadFailed(error);
        });
    }
    connect(m_flowReader, &FlowPageReader::searchMirrorLoaded, this,
            [this](qint64 flows, qint64 bytes, qint64 milliseconds) {
                if (!m_retiring)
                    Q_EMIT searchMirrorLoaded(flows, bytes, milliseconds);
            });
}

void ConsoleSession::forwardCommandSignals()
{
    using Command = ConsoleCommands::Command;
    connect(m_commands, &ConsoleCommands::progress, this, [this](Command command, int done, int total) {
        if (!m_retiring)
            Q_EMIT commandProgress(command, done, total);
    });
    connect(m_commands, &ConsoleCommands::finished, this, [this](Command command, const QString &summary) {
        if (m_retiring)
            return;
        Q_EMIT commandFinished(command, summary);
        // What the command changed shows at once rather than at the next tick.
        refresh();
    });
    connect(m_commands, &ConsoleCommands::failed, this, [this](Command command, const QString &error) {
        if (m_retiring)
            return;
        Q_EMIT commandFailed(command, error);
        refresh();
    });
    connect(m_commands, &ConsoleCommands::scheduled, this, [this](const QList<qint64> &ids) {
        if (!m_retiring)
            Q_EMIT flowsScheduled(ids);
    });
}

void ConsoleSession::applySnapshot(const ConsoleSnapshot &snapshot)
{
    if (m_retiring)
        return;
    const bool countsMoved = !m_hasCounts || m_counts != snapshot.counts;
    m_counts = snapshot.counts;
    m_hasCounts = true;
    if (m_workers->isEmpty()) {
        Q_EMIT snapshotAvailable(snapshot);
    } else {
        ConsoleSnapshot live = snapshot;
        m_workers->overlayLiveCounters(live.workers);
        Q_EMIT snapshotAvailable(live);
    }
    if (countsMoved)
        Q_EMIT countsChanged(m_counts);
}

void ConsoleSession::start()
{
    if (m_started)
        return;
    m_started = true;
    for (QThread *thread : std::as_const(m_threads))
        thread->start();
}

void ConsoleSession::retire()
{
    if (m_retiring)
        return;
    m_retiring = true;
    if (!m_started) {
        deleteLater();
        return;
    }
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        connect(thread, &QThread::finished, this, &ConsoleSession::deleteWhenDone);
    }
    connect(m_workers, &WorkerPool::emptied, this, &ConsoleSession::deleteWhenDone);
    m_workers->stopAll();
    deleteWhenDone();
}

template<typename Target, typename Call>
void ConsoleSession::post(Target *target, Call call)
{
    if (m_retiring)
        return;
    QMetaObject::invokeMethod(
        target, [target, call = std::move(call)] { call(target); }, Qt::QueuedConnection);
}

void ConsoleSession::refresh()
{
    post(m_reader, [](ConsoleReader *reader) { reader->refresh(); });
    post(m_flowReader, [](FlowPageReader *reader) { reader->refresh(); });
}

void ConsoleSession::setRefreshInterval(std::chrono::milliseconds interval)
{
    post(m_reader, [interval](ConsoleReader *reader) { reader->setInterval(interval); });
    post(m_flowReader, [interval](FlowPageReader *reader) { reader->setInterval(interval); });
}

void ConsoleSession::setPaused(bool paused)
{
    m_paused = paused;
    post(m_reader, [paused](ConsoleReader *reader) { reader->setPaused(paused); });
    post(m_flowReader, [paused](FlowPageReader *reader) { reader->setPaused(paused); });
}

quint64 ConsoleSession::setFlowFilter(const FlowFilter &filter)
{
    // Published before the request is queued: the reader skips every older request still in
    // its queue, and drops the answer of the one it may be reading.
    const quint64 generation = m_flowGeneration->fetch_add(1, std::memory_order_acq_rel) + 1;
    post(m_flowReader, [filter, generation](FlowPageReader *reader) { reader->setFilter(filter, generation); });
    return generation;
}

void ConsoleSession::loadMoreFlows(quint64 generation, int rows)
{
    post(m_flowReader, [generation, rows](FlowPageReader *reader) { reader->loadMore(generation, rows); });
}

void ConsoleSession::setCurrentFlow(qint64 flowId)
{
    post(m_flowReader, [flowId](FlowPageReader *reader) { reader->setCurrentFlow(flowId); });
}

void ConsoleSession::schedule(const ScheduleRequest &request, int count)
{
    post(m_commands, [request, count](ConsoleCommands *commands) { commands->schedule(request, count); });
}

void ConsoleSession::retry(const QList<qint64> &flowIds, const QString &stepName)
{
    post(m_commands, [flowIds, stepName](ConsoleCommands *commands) { commands->retry(flowIds, stepName); });
}

void ConsoleSession::cancel(const QList<qint64> &flowIds)
{
    post(m_commands, [flowIds](ConsoleCommands *commands) { commands->cancel(flowIds); });
}

void ConsoleSession::fireTimersNow(const QList<qint64> &flowIds)
{
    post(m_commands, [flowIds](ConsoleCommands *commands) { commands->fireTimersNow(flowIds); });
}

void ConsoleSession::forgetWorkers(const QList<qint64> &runs)
{
    post(m_commands, [runs](ConsoleCommands *commands) { commands->forgetWorkers(runs); });
}

void ConsoleSession::deleteWhenDone()
{
    for (QThread *thread : std::as_const(m_threads)) {
        if (!thread->isFinished())
            return;
    }
    if (m_workers->isEmpty())
        deleteLater();
}

} // namespace ergon
