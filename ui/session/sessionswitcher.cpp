#include "session/sessionswitcher.h"

#include "ergon/openexecutionlog.h"

#include <QDir>
#include <QFileInfo>

namespace ergon {

SessionSwitcher::SessionSwitcher(const FlowRegistry &registry, OpenerFactory openerFactory,
                                 ConsoleSession::Options options, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_openerFactory(std::move(openerFactory))
    , m_options(options)
    , m_interval(options.reader.interval)
{
}

// The sessions are children: their destructors wait for their threads (at exit only).
SessionSwitcher::~SessionSwitcher() = default;

QString SessionSwitcher::normalized(const QString &location)
{
    return isDatabaseUrl(location) ? location : QDir::cleanPath(QFileInfo(location).absoluteFilePath());
}

void SessionSwitcher::open(const QString &location)
{
    if (m_opening)
        m_opening->retire();
    m_opening = nullptr;
    // "postgresq://u:pw@host/db" is a typo, not a file to create: taken for a path, it would be
    // shown (password included) and created.
    if (location.contains(QLatin1String("://")) && !isDatabaseUrl(location)) {
        Q_EMIT failed(displayLocation(location), tr("not a postgresql:// URL"));
        return;
    }
    const QString absolute = normalized(location);
    if (!isDatabaseUrl(absolute)) {
        const QFileInfo file(absolute);
        if (file.isFile() && file.size() == 0) {
            Q_EMIT failed(absolute,
                          tr("The file is empty (0 bytes): it is not an Ergon database, and opening it "
                             "would make it one. Choose File › New Database… to start a new database."));
            return;
        }
    }
    auto *session = new ConsoleSession(absolute, m_openerFactory(absolute), m_registry, m_options, this);
    session->setRefreshInterval(m_interval);
    m_opening = session;
    connect(session, &ConsoleSession::opened, this, [this, session] {
        if (m_opening != session)
            return;
        m_opening = nullptr;
        if (m_current)
            m_current->retire();
        m_current = session;
        Q_EMIT switched(session);
    });
    connect(session, &ConsoleSession::openFailed, this, [this, session, absolute](const QString &error) {
        if (m_opening != session)
            return;
        m_opening = nullptr;
        session->retire();
        Q_EMIT failed(absolute, error);
    });
    session->start();
    if (m_paused)
        session->setPaused(true);
}

void SessionSwitcher::refresh()
{
    if (m_current)
        m_current->refresh();
}

void SessionSwitcher::setRefreshInterval(std::chrono::milliseconds interval)
{
    m_interval = interval;
    for (ConsoleSession *session : {m_current.data(), m_opening.data()}) {
        if (session)
            session->setRefreshInterval(interval);
    }
}

void SessionSwitcher::setPaused(bool paused)
{
    m_paused = paused;
    for (ConsoleSession *session : {m_current.data(), m_opening.data()}) {
        if (session)
            session->setPaused(paused);
    }
}

} // namespace ergon
