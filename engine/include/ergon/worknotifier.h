#pragma once

#include <QDateTime>
#include <QObject>

namespace ergon {

/// In-process wake-ups: the scheduler announces new work, idle workers of the same process
/// start at once instead of waiting for their next poll. Signals are emitted from any thread
/// and reach each worker through a queued connection on its own thread.
class WorkNotifier : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    /// New flows were stored; the earliest of them falls due at `due`.
    void announce(const QDateTime &due) { Q_EMIT workAvailable(due); }

Q_SIGNALS:
    void workAvailable(const QDateTime &due);
};

} // namespace ergon
