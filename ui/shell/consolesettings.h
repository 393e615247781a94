#pragma once

#include "shell/consolestyle.h"

#include <QJsonObject>
#include <QStringList>

#include <chrono>
#include <optional>

class QMainWindow;

namespace ergon {

/// What the console remembers between runs (QSettings): the window's geometry and state, the
/// page shown, the refresh rate, the theme, the recent databases and the last folder a file
/// was chosen in, the flow type and arguments scheduled last. When not persistent (tests,
/// screenshots) it remembers nothing past the object, and reads nothing.
class ConsoleSettings
{
public:
    static constexpr int maxRecent = 8;

    explicit ConsoleSettings(bool persistent);

    bool isPersistent() const { return m_persistent; }

    void restoreWindow(QMainWindow *window) const;
    void saveWindow(const QMainWindow *window, int page) const;
    /// The page shown when the window closed, 0 when none was saved.
    int page() const;
    std::optional<std::chrono::milliseconds> refreshInterval() const;
    void setRefreshInterval(std::chrono::milliseconds interval) const;
    void setTheme(style::Theme theme) const;
    /// The theme chosen last (View › Theme); System when none was.
    style::Theme theme() const;

    /// What the Schedule dialog scheduled last.
    struct LastSchedule {
        QString type;
        QJsonObject arguments; ///< as entered (defaults not filled in)
    };
    std::optional<LastSchedule> lastSchedule() const;
    void setLastSchedule(const LastSchedule &last);

    /// Newest first; a server is kept without its password.
    const QStringList &recentDatabases() const { return m_recent; }
    void addRecentDatabase(const QString &location);
    void clearRecentDatabases();

    /// Where the last file was chosen (empty when none).
    QString lastFolder() const;
    void setLastFolder(const QString &folder) const;

private:
    bool m_persistent;
    QStringList m_recent;
    std::optional<LastSchedule> m_lastSchedule;
};

} // namespace ergon
