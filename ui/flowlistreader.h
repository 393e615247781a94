#pragma once

#include "flowlistsnapshot.h"

#include "ergon/result.h"

#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

class QTimer;

namespace ergon {

class ExecutionLog;

/// Reads the flow list in the background: lives on its own thread, opens its own connection
/// there, polls, and reports value snapshots by signal. Nothing it does touches the GUI thread.
///
/// Move it to a QThread and connect QThread::started to start(); delete it on that thread
/// (QThread::finished to deleteLater) so that its connection closes where it was opened.
class FlowListReader : public QObject
{
    Q_OBJECT

public:
    /// Opens the log. Called by start(), on the reader's thread: a connection belongs to the
    /// thread that opened it.
    using Opener = std::function<Result<std::unique_ptr<ExecutionLog>>()>;

    struct Options {
        std::chrono::milliseconds interval{1000}; ///< time between two reads
        int pageSize = 200;                       ///< newest flows per snapshot
    };

    explicit FlowListReader(Opener opener, QObject *parent = nullptr);
    FlowListReader(Opener opener, Options options, QObject *parent = nullptr);
    ~FlowListReader() override;

    /// An opener for the SQLite log at path.
    static Opener sqlite(QString path);

public Q_SLOTS:
    /// Opens the log, then reads at once and at every interval. Emits openFailed() and stops
    /// if the log cannot be opened.
    void start();
    /// Reads now (after start() opened the log).
    void refresh();

Q_SIGNALS:
    void opened(const QString &location);
    void openFailed(const QString &error);
    void snapshotAvailable(const ergon::FlowListSnapshot &snapshot);
    /// A read failed (e.g. the database is busy); the next interval tries again.
    void readFailed(const QString &error);

private:
    Opener m_opener;
    Options m_options;
    std::unique_ptr<ExecutionLog> m_log;
    QTimer *m_timer;
};

} // namespace ergon
