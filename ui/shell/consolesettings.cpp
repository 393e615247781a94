#include "shell/consolesettings.h"

#include "ergon/jsontext.h"
#include "ergon/openexecutionlog.h"

#include <QMainWindow>
#include <QSettings>

namespace ergon {

namespace {

const QString geometryKey = QStringLiteral("MainWindow/geometry");
const QString stateKey = QStringLiteral("MainWindow/state");
const QString pageKey = QStringLiteral("MainWindow/page");
const QString refreshKey = QStringLiteral("Console/refreshMs");
const QString recentKey = QStringLiteral("Console/recentDatabases");
const QString folderKey = QStringLiteral("Console/lastFolder");
const QString themeKey = QStringLiteral("Console/theme");
const QString scheduleTypeKey = QStringLiteral("Schedule/type");
const QString scheduleArgumentsKey = QStringLiteral("Schedule/arguments");

} // namespace

ConsoleSettings::ConsoleSettings(bool persistent)
    : m_persistent(persistent)
{
    if (m_persistent)
        m_recent = QSettings().value(recentKey).toStringList();
}

void ConsoleSettings::restoreWindow(QMainWindow *window) const
{
    if (!m_persistent)
        return;
    QSettings settings;
    if (const QByteArray geometry = settings.value(geometryKey).toByteArray(); !geometry.isEmpty())
        window->restoreGeometry(geometry);
    if (const QByteArray state = settings.value(stateKey).toByteArray(); !state.isEmpty())
        window->restoreState(state);
}

void ConsoleSettings::saveWindow(const QMainWindow *window, int page) const
{
    if (!m_persistent)
        return;
    QSettings settings;
    settings.setValue(geometryKey, window->saveGeometry());
    settings.setValue(stateKey, window->saveState());
    settings.setValue(pageKey, page);
}

int ConsoleSettings::page() const
{
    return m_persistent ? QSettings().value(pageKey, 0).toInt() : 0;
}

std::optional<std::chrono::milliseconds> ConsoleSettings::refreshInterval() const
{
    if (!m_persistent)
        return std::nullopt;
    bool ok = false;
    const int ms = QSettings().value(refreshKey).toInt(&ok);
    if (!ok || ms < 50)
        return std::nullopt;
    return std::chrono::milliseconds(ms);
}

void ConsoleSettings::setRefreshInterval(std::chrono::milliseconds interval) const
{
    if (m_persistent)
        QSettings().setValue(refreshKey, qint64(interval.count()));
}

void ConsoleSettings::setTheme(style::Theme theme) const
{
    if (m_persistent)
        QSettings().setValue(themeKey, style::themeName(theme));
}

style::Theme ConsoleSettings::theme() const
{
    return m_persistent ? style::themeFromName(QSettings().value(themeKey).toString()) : style::Theme::System;
}

std::optional<ConsoleSettings::LastSchedule> ConsoleSettings::lastSchedule() const
{
    if (!m_persistent || m_lastSchedule)
        return m_lastSchedule;
    QSettings settings;
    const QString type = settings.value(scheduleTypeKey).toString();
    if (type.isEmpty())
        return std::nullopt;
    // Arguments that no longer read as an object (edited by hand, say) are dropped, not the type.
    auto arguments = objectFromJsonText(settings.value(scheduleArgumentsKey).toByteArray());
    return LastSchedule{type, arguments.value_or(QJsonObject())};
}

void ConsoleSettings::setLastSchedule(const LastSchedule &last)
{
    m_lastSchedule = last;
    if (!m_persistent)
        return;
    QSettings settings;
    settings.setValue(scheduleTypeKey, last.type);
    settings.setValue(scheduleArgumentsKey, toJsonText(last.arguments));
}

void ConsoleSettings::addRecentDatabase(const QString &location)
{
    // A server is remembered without its password (PGPASSWORD or ~/.pgpass supply it again).
    const QString path = isDatabaseUrl(location) ? displayLocation(location) : location;
    m_recent.removeAll(path);
    m_recent.prepend(path);
    while (m_recent.size() > maxRecent)
        m_recent.removeLast();
    if (m_persistent)
        QSettings().setValue(recentKey, m_recent);
}

void ConsoleSettings::clearRecentDatabases()
{
    m_recent.clear();
    if (m_persistent)
        QSettings().remove(recentKey);
}

QString ConsoleSettings::lastFolder() const
{
    return m_persistent ? QSettings().value(folderKey).toString() : QString();
}

void ConsoleSettings::setLastFolder(const QString &folder) const
{
    if (m_persistent)
        QSettings().setValue(folderKey, folder);
}

} // namespace ergon
