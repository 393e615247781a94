#pragma once

#include <QCoroTask>
#include <QDateTime>

#include <chrono>

namespace ergon {

/// The source of time for everything that waits or stamps: retries, timers, leases.
/// Injected everywhere so that tests can run on a FakeClock, exactly and instantly.
class Clock
{
public:
    virtual ~Clock() = default;

    virtual QDateTime now() const = 0;
    /// Suspends the calling coroutine for (at least) the given duration.
    [[nodiscard]] virtual QCoro::Task<> sleepFor(std::chrono::milliseconds duration) = 0;
};

/// Wall-clock time (UTC) and real, precise timers of the calling thread's event loop.
class SystemClock final : public Clock
{
public:
    QDateTime now() const override;
    [[nodiscard]] QCoro::Task<> sleepFor(std::chrono::milliseconds duration) override;
};

/// A clock that moves only when told to. sleepFor() advances it by the duration at once and
/// returns, so retry back-off is exact and costs no real time; every sleep is recorded.
class FakeClock final : public Clock
{
public:
    explicit FakeClock(QDateTime start = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC));

    QDateTime now() const override;
    [[nodiscard]] QCoro::Task<> sleepFor(std::chrono::milliseconds duration) override;

    void advance(std::chrono::milliseconds duration);
    void set(const QDateTime &time);
    /// Every duration passed to sleepFor(), in order.
    const QList<std::chrono::milliseconds> &sleeps() const { return m_sleeps; }

private:
    QDateTime m_now;
    QList<std::chrono::milliseconds> m_sleeps;
};

} // namespace ergon
