#pragma once

#include "ergon/executionlog.h"
#include "ergon/result.h"

#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

class QTimer;

namespace ergon {

/// What the console's readers share: a QObject that lives on a thread of its own, opens its
/// own connection there, reads at once and then again an interval after each read ends (so a
/// slow read on a huge log never piles reads up), and can be paused. The derived reader says
/// what a read is (read()) and what to do once the log is open (opened()).
///
/// Move it to a QThread, connect QThread::started to start() and QThread::finished to
/// deleteLater(), so that its connection is opened and closed on that thread. Its slots are
/// meant to be invoked across threads (queued).
class LogReader : public QObject
{
    Q_OBJECT

public:
    /// Opens the log; called by start(), on the reader's thread.
    using Opener = std::function<Result<std::unique_ptr<ExecutionLog>>()>;

    /// The shortest interval setInterval() accepts.
    static constexpr std::chrono::milliseconds minimumInterval{50};

    LogReader(Opener opener, std::chrono::milliseconds interval, QObject *parent = nullptr);
    ~LogReader() override;

    std::chrono::milliseconds interval() const;
    bool isPaused() const { return m_paused; }

public Q_SLOTS:
    /// Opens the log, reports opened() (or openFailed(), and stops), then reads at once and at
    /// every interval.
    void start();
    /// Reads now (once the log is open); the next periodic read is an interval after this one.
    void refresh();
    /// Changes the rate; takes effect at once.
    void setInterval(std::chrono::milliseconds interval);
    /// Stops and resumes the periodic reads (refresh() still reads).
    void setPaused(bool paused);

Q_SIGNALS:
    void opened(const QString &location);
    void openFailed(const QString &error);
    /// A read failed (e.g. the database stayed locked); the next interval tries again.
    void readFailed(const QString &error);

protected:
    /// One read: reports what it read by the derived class's signals, and failures by
    /// readFailed(). Called on the reader's thread, with the log open.
    virtual void read() = 0;
    /// Called once, right after the log opened and before the first read.
    virtual void logOpened() { }

    FlowReader *log() const { return m_log.get(); }

private:
    Opener m_opener;
    std::unique_ptr<ExecutionLog> m_log;
    QTimer *m_timer;
    bool m_paused = false;
};

} // namespace ergon
