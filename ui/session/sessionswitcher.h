#pragma once

#include "session/consolesession.h"

#include <QObject>
#include <QPointer>

#include <chrono>
#include <functional>

namespace ergon {

class FlowRegistry;

/// Which database the console shows. open() starts a session on new threads while the current
/// one stays live; once the new one has opened it becomes current (switched()) and the one
/// before retires in the background; if it cannot be opened, the current one stays (failed()).
/// The refresh rate and the pause apply to every session it holds. Never blocks.
///
/// An existing empty file (0 bytes) is refused without opening it: SQLite would silently make
/// it into a new database.
class SessionSwitcher : public QObject
{
    Q_OBJECT

public:
    /// How a location (a SQLite file's path or a PostgreSQL URL) becomes connections: called
    /// once per database, the opener it returns once per thread that needs a connection.
    using OpenerFactory = std::function<LogOpener(const QString &location)>;

    /// The registry must outlive the switcher.
    SessionSwitcher(const FlowRegistry &registry, OpenerFactory openerFactory, ConsoleSession::Options options,
                    QObject *parent = nullptr);
    ~SessionSwitcher() override;

    /// The session shown (null before the first database opened).
    ConsoleSession *current() const { return m_current; }
    /// The session being opened, until it reports.
    ConsoleSession *opening() const { return m_opening; }
    std::chrono::milliseconds refreshInterval() const { return m_interval; }
    bool isPaused() const { return m_paused; }

    /// A file by its absolute, clean path; a server's URL as it is.
    static QString normalized(const QString &location);

public Q_SLOTS:
    /// Opens the location; a later open() supersedes one still opening.
    void open(const QString &location);
    void refresh();
    void setRefreshInterval(std::chrono::milliseconds interval);
    void setPaused(bool paused);

Q_SIGNALS:
    /// The session opened and is now current (the previous one is retiring).
    void switched(ergon::ConsoleSession *session);
    /// The location could not be opened (the current session, if any, stays): why, in words.
    void failed(const QString &location, const QString &error);

private:
    const FlowRegistry &m_registry;
    OpenerFactory m_openerFactory;
    ConsoleSession::Options m_options;
    std::chrono::milliseconds m_interval;
    bool m_paused = false;
    QPointer<ConsoleSession> m_current;
    QPointer<ConsoleSession> m_opening;
};

} // namespace ergon
