#pragma once

#include "session/consolecommands.h"
#include "session/consolereader.h"
#include "session/flowpage.h"
#include "session/workerpool.h"

#include <QObject>
#include <QPointer>

#include <atomic>

namespace ergon {

class FlowPageReader;
class FlowRegistry;
class WorkNotifier;

/// One open database in the console: every reader and the command runner, each on its own
/// thread with its own connection (the live snapshot's ConsoleReader, the Flows page's
/// FlowPageReader, ConsoleCommands), the workers this console runs on it, and the notifier that
/// wakes those workers when a command adds work.
///
/// The session lives on the GUI thread and is what the pages talk to, and all they talk to: it
/// forwards the readers' and the commands' results as its own signals (until it is retired, so
/// that a late result of a database the window has left never reaches a page) and invokes
/// their slots queued. The counts by status come from one place, the snapshot (counts()):
/// the sidebar, the Overview and the Flows page's filters show the same numbers.
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
    WorkerPool *workers() const { return m_workers; }
    WorkNotifier *notifier() const { return m_notifier; }

    /// Starts the threads; the reader opens the log and reports opened() or openFailed().
    void start();
    /// Stops reading, stops the in-process workers gracefully, and deletes the session when
    /// all of it has ended. Never blocks.
    void retire();

    bool isOpen() const { return !m_location.isEmpty(); }
    bool isRetiring() const { return m_retiring; }
    bool isPaused() const { return m_paused; }

    /// The counts by status of the latest snapshot (empty before the first).
    const QMap<FlowStatus, qint64> &counts() const { return m_counts; }
    /// Whether a snapshot has arrived (counts() is known).
    bool hasCounts() const { return m_hasCounts; }

    /// Lists the filter's flows from the top, one page (pageAvailable()); supersedes every
    /// earlier filter. Returns the filter's generation, which its pages carry.
    quint64 setFlowFilter(const ergon::FlowFilter &filter);
    /// Grows the Flows list of `generation` to `rows` rows, reading only the new ones.
    void loadMoreFlows(quint64 generation, int rows);
    /// The flow whose detail to read at every refresh (detailAvailable()); 0 for none.
    void setCurrentFlow(qint64 flowId);

public Q_SLOTS:
    /// Reads everything now (every reader).
    void refresh();
    void setRefreshInterval(std::chrono::milliseconds interval);
    /// Stops and resumes the periodic reads of every reader (refresh() still reads).
    void setPaused(bool paused);
    /// Queued calls to the commands (see ConsoleCommands).
    void schedule(const ergon::ScheduleRequest &request, int count);
    void retry(const QList<qint64> &flowIds, const QString &stepName = {});
    void cancel(const QList<qint64> &flowIds);
    void fireTimersNow(const QList<qint64> &flowIds);
    void forgetWorkers(const QList<qint64> &runs);

Q_SIGNALS:
    void opened(const QString &location);
    void openFailed(const QString &error);
    void snapshotAvailable(const ergon::ConsoleSnapshot &snapshot);
    /// The counts by status changed (from a new snapshot).
    void countsChanged(const QMap<ergon::FlowStatus, qint64> &counts);
    void readFailed(const QString &error);
    /// The Flows page's reader: a page of the filtered list, the current flow's detail, a
    /// failed read, and the search mirror's first load.
    void pageAvailable(const ergon::FlowPageSnapshot &snapshot);
    void detailAvailable(const ergon::FlowDetailSnapshot &snapshot);
    void flowReadFailed(const QString &error);
    void searchMirrorLoaded(qint64 flows, qint64 bytes, qint64 milliseconds);
    void commandProgress(ergon::ConsoleCommands::Command command, int done, int total);
    void commandFinished(ergon::ConsoleCommands::Command command, const QString &summary);
    void commandFailed(ergon::ConsoleCommands::Command command, const QString &error);
    void flowsScheduled(const QList<qint64> &flowIds);

private:
    void forwardReaderSignals();
    void forwardCommandSignals();
    void applySnapshot(const ConsoleSnapshot &snapshot);
    /// Runs `call` on `target`'s thread, unless the session is retiring.
    template<typename Target, typename Call>
    void post(Target *target, Call call);
    void deleteWhenDone();

    QString m_path;
    LogOpener m_opener;
    WorkNotifier *m_notifier;
    std::shared_ptr<std::atomic<quint64>> m_flowGeneration;
    QList<QThread *> m_threads; // reader, Flows reader, commands
    ConsoleReader *m_reader;
    FlowPageReader *m_flowReader;
    ConsoleCommands *m_commands;
    WorkerPool *m_workers;
    QString m_location;
    QMap<FlowStatus, qint64> m_counts;
    bool m_hasCounts = false;
    bool m_started = false;
    bool m_retiring = false;
    bool m_paused = false;
};

} // namespace ergon
