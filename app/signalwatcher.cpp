#include "signalwatcher.h"

#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ergon::cli {

namespace {
// Written by the handler, so a plain global: the handler may touch nothing else.
int pipeFds[2] = {-1, -1};
} // namespace

void SignalWatcher::handle(int signalNumber)
{
    const int savedErrno = errno;
    const unsigned char byte = static_cast<unsigned char>(signalNumber);
    // Non-blocking: with the pipe full, the signal is dropped rather than the process hung;
    // the bytes already queued stop the workers all the same.
    [[maybe_unused]] const ssize_t written = ::write(pipeFds[1], &byte, 1);
    errno = savedErrno;
}

SignalWatcher::SignalWatcher(const QList<int> &signalNumbers, QObject *parent)
    : QObject(parent)
{
    Q_ASSERT(pipeFds[0] < 0); // one watcher at a time
    if (::pipe2(pipeFds, O_CLOEXEC | O_NONBLOCK) != 0) {
        m_error =
            QStringLiteral("cannot create a pipe for signals: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
    m_notifier = new QSocketNotifier(pipeFds[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::readPipe);

    struct sigaction action = {};
    action.sa_handler = &SignalWatcher::handle;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signalNumber : signalNumbers) {
        struct sigaction previous = {};
        if (::sigaction(signalNumber, &action, &previous) != 0) {
            m_error = QStringLiteral("cannot handle signal %1: %2")
                          .arg(signalNumber)
                          .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return;
        }
        m_previous.append({signalNumber, previous});
    }
}

SignalWatcher::~SignalWatcher()
{
    for (const auto &[signalNumber, previous] : std::as_const(m_previous))
        ::sigaction(signalNumber, &previous, nullptr);
    delete m_notifier;
    for (int &fd : pipeFds) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

void SignalWatcher::readPipe()
{
    unsigned char bytes[16];
    ssize_t count = 0;
    while ((count = ::read(pipeFds[0], bytes, sizeof bytes)) > 0) {
        for (ssize_t i = 0; i < count; ++i)
            Q_EMIT received(bytes[i]);
    }
}

} // namespace ergon::cli
