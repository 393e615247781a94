#pragma once

#include "session/consolecommands.h"
#include "session/consolereader.h"
#include "session/workerpool.h"

#include <QObject>
#include <QPointer>

namespace ergon {

class FlowRegistry;
class WorkNotifier;

/// One open database in the console: the reader and the command runner, each on its own thread
/// with its own connection, the workers this console runs on it, and the notifier that wakes
/// those workers when a command adds work.
///
/// The session lives on the GUI thread and is what the pages talk to: it forwards the reader's
/// and the commands' results as its own signals (until it is retired, so that a late result of
/// a database the window has left never reaches a page) and invokes their slots queued.
///
/// Nothing here blocks the GUI thread except the destructor, which waits for the threads to end
/// (at exit). retire() lets a session go without waiting: its threads end and its workers stop
/// in the background, then it deletes itself.
class ConsoleSession : public QObject
{
    Q_OBJECT

public:
    struct Options {
        ConsoleReader::Options reader;
        WorkerPool::Options workers;
    };

    /// The opener is called once per thread that needs a connection (reader, commands, each
    /// worker); the registry must outlive the session.
    ConsoleSession(QString path, LogOpener opener, const FlowRegistry &registry, Options options,
                   QObject *parent = nullptr);
    ~ConsoleSession() override;

    const QString &path() const { return m_path; }
    const LogOpener &opener() const { return m_opener; }
    /// Lives on its own thread: connect to it, invoke its slots queued (see refresh() ...).
    ConsoleReader *reader() const { return m_reader; }
    /// Lives on its own thread: connect to it, invoke its slots queued.
    ConsoleCommands *commands() const { return m_commands; }
    WorkerPool *workers() const { return m_workers; }
    WorkNotifier *notifier() const { return m_notifier; }

    /// Starts the threads; the reader opens the log and reports opened() or openFailed().
    void start();
    /// Stops reading, stops the in-process workers gracefully, and deletes the session when
    /// all of it has ended. Never blocks.
    void retire();

    bool isOpen() const { return !m_location.isEmpty(); }
    bool isRetiring() const { return m_retiring; }

public Q_SLOTS:
    /// Queued calls to the reader.
    void refresh();
    void setRefreshInterval(std::chrono::milliseconds interval);
    /// Queued calls to the commands (see ConsoleCommands).
    void schedule(const ergon::ScheduleRequest &request, int count);
    void retry(const QList<qint64> &flowIds, const QString &stepName = {});
    void cancel(const QList<qint64> &flowIds);
    void fireTimerNow(qint64 flowId);

Q_SIGNALS:
    void opened(const QString &location);
    void openFailed(const QString &error);
    void snapshotAvailable(const ergon::ConsoleSnapshot &snapshot);
    void readFailed(const QString &error);
    void commandProgress(ergon::ConsoleCommands::Command command, int done, int total);
    void commandFinished(ergon::ConsoleCommands::Command command, const QString &summary);
    void commandFailed(ergon::ConsoleCommands::Command command, const QString &error);
    void flowsScheduled(const QList<qint64> &flowIds);

private:
    void deleteWhenDone();

    QString m_path;
    LogOpener m_opener;
    WorkNotifier *m_notifier;
    QThread *m_readerThread;
    QThread *m_commandThread;
    ConsoleReader *m_reader;
    ConsoleCommands *m_commands;
    WorkerPool *m_workers;
    QString m_location;
    bool m_started = false;
    bool m_retiring = false;
};

} // namespace ergon
