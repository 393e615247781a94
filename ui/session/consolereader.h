#pragma once

#include "session/consolesnapshot.h"

#include "ergon/result.h"

#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

class QTimer;

namespace ergon {

class Clock;
class ExecutionLog;

/// Reads what the live pages show, in the background: lives on its own thread, opens its own
/// connection there, builds a ConsoleSnapshot at a set rate and reports it by signal. Nothing
/// it does runs on the GUI thread.
///
/// Move it to a QThread, connect QThread::started to start() and QThread::finished to
/// deleteLater(), so that its connection is opened and closed on that thread. Its slots are
/// meant to be invoked across threads (queued).
class ConsoleReader : public QObject
{
    Q_OBJECT

public:
    /// Opens the log; called by start(), on the reader's thread.
    using Opener = std::function<Result<std::unique_ptr<ExecutionLog>>()>;

    struct Options {
        std::chrono::milliseconds interval{1000}; ///< time between two snapshots
        int timerLimit = 500;                     ///< pending timers per snapshot
        int failureLimit = 25;                    ///< latest failed flows per snapshot
        int stealLimit = 50;                      ///< latest steals per snapshot
    };

    ConsoleReader(Opener opener, Options options, QObject *parent = nullptr);
    explicit ConsoleReader(Opener opener, QObject *parent = nullptr);
    ~ConsoleReader() override;

    /// The clock that stamps snapshots (default: the system clock). Set before start().
    void setClock(const Clock *clock);

public Q_SLOTS:
    /// Opens the log, then reads at once and at every interval. Emits openFailed() and stops if
    /// the log cannot be opened.
    void start();
    /// Reads now (after start() opened the log); the next periodic read is an interval later.
    void refresh();
    /// Changes the rate; takes effect at once.
    void setInterval(std::chrono::milliseconds interval);
    /// Stops and resumes the periodic reads (refresh() still reads).
    void setPaused(bool paused);

Q_SIGNALS:
    void opened(const QString &location);
    void openFailed(const QString &error);
    void snapshotAvailable(const ergon::ConsoleSnapshot &snapshot);
    /// A read failed (e.g. the database stayed locked); the next interval tries again.
    void readFailed(const QString &error);

private:
    Result<ConsoleSnapshot> read();

    Opener m_opener;
    Options m_options;
    const Clock *m_clock = nullptr;
    std::unique_ptr<ExecutionLog> m_log;
    QTimer *m_timer;
    bool m_paused = false;
};

} // namespace ergon
