#include "session/logreader.h"

#include "ergon/executionlog.h"

#include <QThread>
#include <QTimer>

namespace ergon {

LogReader::LogReader(Opener opener, std::chrono::milliseconds interval, QObject *parent)
    : QObject(parent)
    , m_opener(std::move(opener))
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(std::max(interval, minimumInterval));
    connect(m_timer, &QTimer::timeout, this, &LogReader::refresh);
}

LogReader::~LogReader() = default;

std::chrono::milliseconds LogReader::interval() const
{
    return m_timer->intervalAsDuration();
}

void LogReader::start()
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
    logOpened();
    refresh();
}

void LogReader::refresh()
{
    if (!m_log)
        return;
    read();
    // Measured from the end of this read: a slow read on a huge log never piles reads up.
    if (!m_paused)
        m_timer->start();
}

void LogReader::setInterval(std::chrono::milliseconds interval)
{
    m_timer->setInterval(std::max(interval, minimumInterval));
    if (m_timer->isActive())
        m_timer->start();
}

void LogReader::setPaused(bool paused)
{
    m_paused = paused;
    if (paused)
        m_timer->stop();
    else if (m_log)
        m_timer->start();
}

} // namespace ergon
