#pragma once

#include "session/consolesession.h"
#include "session/sessionswitcher.h"
#include "shell/consolesettings.h"
#include "shell/consolestyle.h"

#include <QMainWindow>
#include <QPointer>
#include <QStringList>

#include <chrono>
#include <functional>

class QActionGroup;
class QMenu;
class QMessageBox;
class QStackedWidget;

namespace ergon {

class FlowsPage;
class OverviewPage;
class PluginCatalog;
class PluginsPage;
class ScheduleDialog;
class Sidebar;
class StatusSummary;
class TimersPage;
class WorkersPage;

/// The console's window. It arranges the pages, the menus and the status bar, and hands the
/// pages the session of the open database (ConsoleSession: readers, commands, in-process
/// workers); the pages and the session do the work. Which database is open is the
/// SessionSwitcher's, what is remembered between runs ConsoleSettings'.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum Page { OverviewPageIndex, FlowsPageIndex, WorkersPageIndex, TimersPageIndex, PluginsPageIndex, PageCount };

    /// How a database path becomes connections: called once per database, the opener it
    /// returns once per thread that needs a connection.
    using OpenerFactory = SessionSwitcher::OpenerFactory;

    struct Options {
        OpenerFactory openerFactory; ///< default: openExecutionLog() (a SQLite path or a PostgreSQL URL)
        ConsoleSession::Options session;
        bool persistent = true;                ///< restore and keep window state, rate and recent files in QSettings
        std::chrono::seconds chartWindow{300}; ///< how far back the Overview's charts reach
        style::Theme theme = style::Theme::System; ///< the theme applied (View › Theme shows it)
    };

    /// The catalog (plugins and their flow types) must outlive the window; the folders are
    /// those it searched, for the Plugins page.
    MainWindow(const PluginCatalog &catalog, const QStringList &pluginPaths, Options options,
               QWidget *parent = nullptr);
    MainWindow(const PluginCatalog &catalog, const QStringList &pluginPaths, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// The opener of a location: a SQLite file's path or a PostgreSQL URL (openExecutionLog()).
    static LogOpener defaultOpener(const QString &location);

    /// The file name used for each page in screenshots: overview, flows, workers, timers, plugins.
    static QString pageKey(Page page);
    QWidget *page(Page page) const;
    Page currentPage() const;

    OverviewPage *overviewPage() const { return m_overview; }
    FlowsPage *flowsPage() const { return m_flows; }
    WorkersPage *workersPage() const { return m_workers; }
    TimersPage *timersPage() const { return m_timers; }
    PluginsPage *pluginsPage() const { return m_plugins; }
    StatusSummary *summary() const { return m_summary; }
    Sidebar *sidebar() const { return m_sidebar; }
    /// The session of the database shown (null before the first one opened).
    ConsoleSession *session() const { return m_sessions->current(); }
    QString databasePath() const;
    QStringList recentDatabases() const { return m_settings.recentDatabases(); }
    std::chrono::milliseconds refreshInterval() const { return m_sessions->refreshInterval(); }
    /// The dialog that says why the last database could not be opened (null when none shows).
    QMessageBox *openFailureDialog() const;

public Q_SLOTS:
    /// Opens the database (a file's path or a server's URL) on new threads; the window switches
    /// to it once it is open and keeps the current one if it cannot be opened. Never blocks.
    void openDatabase(const QString &location);
    void showPage(ergon::MainWindow::Page page);
    /// Reads everything again now (F5).
    void refresh();
    void setRefreshInterval(std::chrono::milliseconds interval);
    void setPaused(bool paused);
    /// View › Theme: applies it to the application and remembers it.
    void setTheme(ergon::style::Theme theme);
    /// File › Open database… (starting in the open database's folder) and New database…
    /// (non-modal file dialogs).
    void chooseDatabaseToOpen();
    void chooseServerToOpen();
    void chooseDatabaseToCreate();
    /// Flows › Schedule… (Ctrl+N): the Schedule dialog, non-modal; scheduling runs on the
    /// session's command thread and reports back to it.
    ScheduleDialog *showScheduleDialog();
    /// Help › Keyboard Shortcuts and Help › Read Me (non-modal).
    void showShortcuts();
    void showReadme();

Q_SIGNALS:
    /// The database is open and shown.
    void databaseOpened(const QString &location);
    /// The database could not be opened (the previous one, if any, stays).
    void databaseFailed(const QString &path, const QString &error);
    /// A snapshot reached the pages.
    void snapshotShown();
    /// The Flows page shows its first page of the current database.
    void flowsShown();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createPages();
    void connectPages();
    void createFileMenu();
    void createViewMenu();
    void createHelpMenu();
    /// Shows the flow on the Flows page, listed among the flows of its status.
    void openFlow(qint64 flowId, FlowStatus status);
    void adopt(ConsoleSession *session);
    void showOpenFailure(const QString &location, const QString &error);
    void showSnapshot(const ConsoleSnapshot &snapshot);
    void showCommandOutcome(ConsoleCommands::Command command, const QString &text, bool failed);
    void addRecent(const QString &location);
    void updateRecentMenu();
    void updateTitle();
    void restoreSettings();
    /// Asks before quitting while this console's workers run flows; true when the close may go on.
    bool confirmQuit();
    void stopWorkersAndClose();
    void showAbout();

    const PluginCatalog &m_catalog;
    QStringList m_pluginPaths;
    Options m_options;
    ConsoleSettings m_settings;
    SessionSwitcher *m_sessions;
    bool m_closing = false;
    bool m_quitConfirmed = false;

    Sidebar *m_sidebar;
    QStackedWidget *m_stack;
    OverviewPage *m_overview;
    FlowsPage *m_flows;
    QPointer<ScheduleDialog> m_scheduleDialog;
    QPointer<QMessageBox> m_openFailure;
    QPointer<QMessageBox> m_quitQuestion;
    QAction *m_scheduleAction = nullptr;
    QAction *m_pauseAction = nullptr;
    WorkersPage *m_workers;
    TimersPage *m_timers;
    PluginsPage *m_plugins;
    StatusSummary *m_summary;
    QMenu *m_recentMenu = nullptr;
    QActionGroup *m_rateGroup = nullptr;
};

} // namespace ergon
