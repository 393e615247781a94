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
    std::unique_lock lock(m_mutex);
    const bool urgent = urgency == Urgency::Urgent;
    if (urgent)
        ++m_urgentWaiting;
    ++m_waiting;
    const bool entered = m_changed.wait_for(lock, wait, [&] { return !m_held && (urgent || m_urgentWaiting == 0); });
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
