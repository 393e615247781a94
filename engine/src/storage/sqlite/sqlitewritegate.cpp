#include "storage/sqlite/sqlitewritegate.h"

#include <QHash>

namespace ergon {

std::shared_ptr<SqliteWriteGate> SqliteWriteGate::forFile(const QString &canonicalPath)
{
    static std::mutex registryMutex;
    static QHash<QString, std::weak_ptr<SqliteWriteGate>> registry;
    const std::lock_guard lock(registryMutex);
    std::weak_ptr<SqliteWriteGate> &entry = registry[canonicalPath];
    std::shared_ptr<SqliteWriteGate> gate = entry.lock();
    if (!gate) {
        gate = std::make_shared<SqliteWriteGate>();
        entry = gate;
    }
    // Forget the files no connection has open any more.
    registry.removeIf([](const auto &item) { return item.value().expired(); });
    return gate;
}

bool SqliteWriteGate::enter(Urgency urgency, std::chrono::milliseconds wait)
{
    return enter(urgency, std::chrono::steady_clock::now() + wait, &std::chrono::steady_clock::now);
}

bool SqliteWriteGate::enter(Urgency urgency, std::chrono::steady_clock::time_point deadline, SteadyNow now)
{
    std::unique_lock lock(m_mutex);
    const bool urgent = urgency == Urgency::Urgent;
    if (urgent)
        ++m_urgentWaiting;
    ++m_waiting;
    const auto mayEnter = [&] { return !m_held && (urgent || m_urgentWaiting == 0); };
    bool entered = false;
    if (now == &std::chrono::steady_clock::now) {
        entered = m_changed.wait_until(lock, deadline, mayEnter);
    } else {
        for (;;) {
            entered = mayEnter();
            if (entered || now() >= deadline)
                break;
            m_changed.wait_for(lock, std::chrono::milliseconds(1));
        }
    }
    --m_waiting;
    if (urgent)
        --m_urgentWaiting;
    if (entered)
        m_held = true;
    else if (urgent && m_urgentWaiting == 0)
        m_changed.notify_all(); // the writers this one held back may go
    return entered;
}

void SqliteWriteGate::leave()
{
    {
        const std::lock_guard lock(m_mutex);
        m_held = false;
    }
    m_changed.notify_all();
}

int SqliteWriteGate::waiting()
{
    const std::lock_guard lock(m_mutex);
    return m_waiting;
}

} // namespace ergon
