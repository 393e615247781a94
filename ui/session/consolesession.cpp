#include "session/consolesession.h"

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
    , m_readerThread(new QThread(this))
    , m_commandThread(new QThread(this))
    , m_reader(new ConsoleReader(m_opener, options.reader))
    , m_commands(new ConsoleCommands(m_opener, registry, m_notifier))
    , m_workers(new WorkerPool(m_opener, registry, m_notifier, options.workers, this))
{
    const QString name = QFileInfo(m_path).fileName();
    m_readerThread->setObjectName(QStringLiteral("console-reader ") + name);
    m_commandThread->setObjectName(QStringLiteral("console-commands ") + name);
    m_reader->moveToThread(m_readerThread);
    m_commands->moveToThread(m_commandThread);
    // Deleted on their own threads, where their connections were opened.
    connect(m_readerThread, &QThread::started, m_reader, &ConsoleReader::start);
    connect(m_readerThread, &QThread::finished, m_reader, &QObject::deleteLater);
    connect(m_commandThread, &QThread::finished, m_commands, &QObject::deleteLater);

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
    connect(m_reader, &ConsoleReader::snapshotAvailable, this, [this](const ConsoleSnapshot &snapshot) {
        if (m_retiring)
            return;
        if (m_workers->isEmpty()) {
            Q_EMIT snapshotAvailable(snapshot);
            return;
        }
        ConsoleSnapshot live = snapshot;
        m_workers->overlayLiveCounters(live.workers);
        Q_EMIT snapshotAvailable(live);
    });
    connect(m_reader, &ConsoleReader::readFailed, this, [this](const QString &error) {
        if (!m_retiring)
            Q_EMIT readFailed(error);
    });
    using Command = ConsoleCommands::Command;
    connect(m_commands, &ConsoleCommands::progress, this, [this](Command command, int done, int total) {
        if (!m_retiring)
            Q_EMIT commandProgress(command, done, total);
    });
    connect(m_commands, &ConsoleCommands::finished, this, [this](Command command, const QString &summary) {
        if (!m_retiring)
            Q_EMIT commandFinished(command, summary);
    });
    connect(m_commands, &ConsoleCommands::failed, this, [this](Command command, const QString &error) {
        if (!m_retiring)
            Q_EMIT commandFailed(command, error);
    });
    connect(m_commands, &ConsoleCommands::scheduled, this, [this](const QList<qint64> &ids) {
        if (!m_retiring)
            Q_EMIT flowsScheduled(ids);
    });
}

ConsoleSession::~ConsoleSession()
{
    if (!m_started) {
        delete m_reader;
        delete m_commands;
        return;
    }
    m_readerThread->quit();
    m_commandThread->quit();
    m_readerThread->wait();
    m_commandThread->wait();
}

void ConsoleSession::start()
{
    if (m_started)
        return;
    m_started = true;
    m_readerThread->start();
    m_commandThread->start();
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
    m_readerThread->quit();
    m_commandThread->quit();
    connect(m_readerThread, &QThread::finished, this, &ConsoleSession::deleteWhenDone);
    connect(m_commandThread, &QThread::finished, this, &ConsoleSession::deleteWhenDone);
    connect(m_workers, &WorkerPool::emptied, this, &ConsoleSession::deleteWhenDone);
    m_workers->stopAll();
    deleteWhenDone();
}

void ConsoleSession::refresh()
{
    if (m_retiring)
        return;
    QMetaObject::invokeMethod(m_reader, &ConsoleReader::refresh, Qt::QueuedConnection);
}

void ConsoleSession::setRefreshInterval(std::chrono::milliseconds interval)
{
    if (m_retiring)
        return;
    QMetaObject::invokeMethod(
        m_reader, [reader = m_reader, interval] { reader->setInterval(interval); }, Qt::QueuedConnection);
}

void ConsoleSession::schedule(const ScheduleRequest &request, int count)
{
    if (m_retiring)
        return;
    QMetaObject::invokeMethod(
        m_commands, [commands = m_commands, request, count] { commands->schedule(request, count); },
        Qt::QueuedConnection);
}

void ConsoleSession::retry(const QList<qint64> &flowIds, const QString &stepName)
{
    if (m_retiring)
        return;
    QMetaObject::invokeMethod(
        m_commands, [commands = m_commands, flowIds, stepName] { commands->retry(flowIds, stepName); },
        Qt::QueuedConnection);
}

void ConsoleSession::cancel(const QList<qint64> &flowIds)
{
    if (m_retiring)
        return;
    QMetaObject::invokeMethod(
        m_commands, [commands = m_commands, flowIds] { commands->cancel(flowIds); }, Qt::QueuedConnection);
}

void ConsoleSession::fireTimerNow(qint64 flowId)
{
    if (m_retiring)
        return;
    QMetaObject::invokeMethod(
        m_commands, [commands = m_commands, flowId] { commands->fireTimerNow(flowId); }, Qt::QueuedConnection);
}

void ConsoleSession::deleteWhenDone()
{
    if (m_readerThread->isFinished() && m_commandThread->isFinished() && m_workers->isEmpty())
        deleteLater();
}

} // namespace ergon
