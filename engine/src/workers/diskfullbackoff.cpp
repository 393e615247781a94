#include "workers/diskfullbackoff.h"

#include <algorithm>

namespace ergon::detail {

bool DiskFullBackoff::noteFull()
{
    m_waiting = true;
    if (m_sinceReported.isValid() && m_sinceReported.elapsed() < quietFor.count())
        return false;
    m_sinceReported.start();
    return true;
}

std::chrono::milliseconds DiskFullBackoff::nextDelay()
{
    const std::chrono::milliseconds delay = m_delay;
    m_delay = std::min(m_delay * 2, maxDelay);
    return delay;
}

void DiskFullBackoff::noteWritten()
{
    m_waiting = false;
    m_delay = firstDelay;
}

} // namespace ergon::detail
