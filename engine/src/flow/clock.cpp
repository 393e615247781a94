#include "ergon/clock.h"

#include <QCoroTimer>
#include <QTimer>

namespace ergon {

QDateTime SystemClock::now() const
{
    return QDateTime::currentDateTimeUtc();
}

QCoro::Task<> SystemClock::sleepFor(std::chrono::milliseconds duration)
{
    // A precise timer: the coarse default may fire up to 5% early.
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setSingleShot(true);
    timer.start(std::max(duration, std::chrono::milliseconds(0)));
    co_await timer;
}

FakeClock::FakeClock(QDateTime start)
    : m_now(std::move(start))
{
}

QDateTime FakeClock::now() const
{
    return m_now;
}

QCoro::Task<> FakeClock::sleepFor(std::chrono::milliseconds duration)
{
    m_sleeps.append(duration);
    advance(duration);
    co_return;
}

void FakeClock::advance(std::chrono::milliseconds duration)
{
    m_now = m_now.addMSecs(duration.count());
}

void FakeClock::set(const QDateTime &time)
{
    m_now = time;
}

} // namespace ergon
