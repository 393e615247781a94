#pragma once

#include <QList>
#include <QObject>

#include <csignal>

class QSocketNotifier;

namespace ergon::cli {

/// Turns Unix signals (SIGINT, SIGTERM) into a Qt signal on the thread that created the
/// watcher: the classic self-pipe. The handler only writes the signal number to a pipe; a
/// QSocketNotifier reads it in the event loop, where Qt may be called.
///
/// One watcher per process at a time; destroying it restores the previous handlers.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(const QList<int> &signalNumbers, QObject *parent = nullptr);
    ~SignalWatcher() override;

    /// False when the pipe or a handler could not be set up (see errorString()).
    bool isValid() const { return m_error.isEmpty(); }
    const QString &errorString() const { return m_error; }

Q_SIGNALS:
    void received(int signalNumber);

private:
    static void handle(int signalNumber);
    void readPipe();

    QString m_error;
    QSocketNotifier *m_notifier = nullptr;
    QList<std::pair<int, struct sigaction>> m_previous;
};

} // namespace ergon::cli
