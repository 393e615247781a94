#pragma once

#include <ergon/clock.h>

#include <chrono>

namespace ergon::test {

/// Another clock shifted by a fixed offset: a host whose clock is wrong (e.g. an hour ahead).
/// Sleeps are the underlying clock's. Safe from any thread if the underlying clock is.
class OffsetClock final : public Clock
{
public:
    OffsetClock(Clock &base, std::chrono::milliseconds offset)
        : m_base(base)
        , m_offset(offset)
    {
    }

    QDateTime now() const override { return m_base.now().addMSecs(m_offset.count()); }
    [[nodiscard]] QCoro::Task<> sleepFor(std::chrono::milliseconds duration) override
    {
        return m_base.sleepFor(duration);
    }

private:
    Clock &m_base;
    std::chrono::milliseconds m_offset;
};

} // namespace ergon::test
