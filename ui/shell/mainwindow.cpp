#include "shell/mainwindow.h"

#include "pages/flowspage.h"
#include "pages/overviewpage.h"
#include "pages/pluginspage.h"
#include "pages/timerspage.h"
#include "pages/workerspage.h"
#include "session/consolesnapshot.h"
#include "shell/consoledialogs.h"
#include "shell/consolestyle.h"
#include "shell/scheduledialog.h"
#include "widgets/sidebar.h"
#include "widgets/statussummary.h"

#include "ergon/openexecutionlog.h"
#include "ergon/plugincatalog.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace ergon {

namespace {

QString pageTitle(MainWindow::Page page)
{
    switch (page) {
    case MainWindow::OverviewPageIndex:
        return MainWindow::tr("Overview");
    case MainWindow::FlowsPageIndex:
        return MainWindow::tr("Flows");
    case MainWindow::WorkersPageIndex:
        return MainWindow::tr("Workers");
    case MainWindow::TimersPageIndex:
        return MainWindow::tr("Timers");
    case MainWindow::PluginsPageIndex:
        return MainWindow::tr("Plugins");
    case MainWindow::PageCount:
        break;
    }
    return {};
}

QString rateText(std::chrono::milliseconds interval)
{
    if (interval < std::chrono::seconds(1))
        return MainWindow::tr("%1 ms").arg(interval.count());
    return MainWindow::tr("%1 s").arg(double(interval.count()) / 1000.0);
}

} // namespace

MainWindow::MainWindow(const PluginCatalog &catalog, const QStringList &pluginPaths, QWidget *parent)
    : MainWindow(catalog, pluginPaths, Options(), parent)
{
}

MainWindow::MainWindow(const PluginCatalog &catalog, const QStringList &pluginPaths, Options options, QWidget *parent)
    : QMainWindow(parent)
    , m_catalog(catalog)
    , m_pluginPaths(pluginPaths)
    , m_options(std::move(options))
    , m_settings(m_options.persistent)
    , m_sessions(new SessionSwitcher(catalog.registry(),
                                     m_options.openerFactory ? m_options.openerFactory : &MainWindow::defaultOpener,
                                     m_options.session, this))
    , m_sidebar(new Sidebar(this))
    , m_stack(new QStackedWidget(this))
    , m_overview(new OverviewPage(this))
    , m_flows(new FlowsPage(this))
    , m_workers(new WorkersPage(this))
    , m_timers(new TimersPage(this))
    , m_plugins(new PluginsPage(this))
    , m_summary(new StatusSummary(this))
{
    m_overview->setHistoryWindow(m_options.chartWindow);
    m_flows->setRegistry(&m_catalog.registry());
    createPages();
    connectPages();
    createFileMenu();
    createViewMenu();
    createHelpMenu();
    statusBar()->addWidget(m_summary, 1);
    statusBar()->setSizeGripEnabled(true);
    resize(1280, 800);
    restoreSettings();
    m_summary->setRefreshInterval(m_sessions->refreshInterval());
    updateTitle();
    connect(m_sessions, &SessionSwitcher::switched, this, &MainWindow::adopt);
    connect(m_sessions, &SessionSwitcher::failed, this, &MainWindow::showOpenFailure);
}

// The sessions (current, opening, retiring) are the switcher's children: their destructors wait
// for their threads, which only happens here, at exit.
MainWindow::~MainWindow() = default;

LogOpener MainWindow::defaultOpener(const QString &location)
{
    // A SQLite file or a postgresql:// URL.
    return [location]() -> Result<std::unique_ptr<ExecutionLog>> { return openExecutionLog(location); };
}

QString MainWindow::pageKey(Page page)
{
    switch (page) {
    case OverviewPageIndex:
        return QStringLiteral("overview");
    case FlowsPageIndex:
        return QStringLiteral("flows");
    case WorkersPageIndex:
        return QStringLiteral("workers");
    case TimersPageIndex:
        return QStringLiteral("timers");
    case PluginsPageIndex:
        return QStringLiteral("plugins");
    case PageCount:
        break;
    }
    return {};
}

QWidget *MainWindow::page(Page page) const
{
    return m_stack->widget(int(page));
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(m_stack->currentIndex());
}

QString MainWindow::databasePath() const
{
    return session() ? session()->path() : QString();
}

QMessageBox *MainWindow::openFailureDialog() const
{
    return m_openFailure;
}

void MainWindow::createPages()
{
    m_sidebar->addPage(pageTitle(OverviewPageIndex), tr("Counts, queue depth, throughput and the work distribution"));
    m_sidebar->addPage(pageTitle(FlowsPageIndex), tr("Every flow: filter, inspect, retry, cancel"));
    m_sidebar->addPage(pageTitle(WorkersPageIndex), tr("Workers of this database; start and stop workers here"));
    m_sidebar->addPage(pageTitle(TimersPageIndex), tr("Pending durable timers with their countdowns"));
    m_sidebar->addPage(pageTitle(PluginsPageIndex), tr("Flow plugins: loaded and failed"));

    m_stack->addWidget(m_overview);
    m_stack->addWidget(m_flows);
    m_stack->addWidget(m_workers);
    m_stack->addWidget(m_timers);
    m_stack->addWidget(m_plugins);
    m_plugins->setCatalog(m_catalog, m_pluginPaths);
    const int failedPlugins = int(m_catalog.failedPlugins().size());
    if (failedPlugins > 0)
        m_sidebar->setBadge(PluginsPageIndex, QString::number(failedPlugins), true);
    else
        m_sidebar->setBadge(PluginsPageIndex, QString::number(m_catalog.plugins().size()));

    connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_sidebar->setCurrentRow(OverviewPageIndex);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_sidebar);
    auto *line = new QFrame(central);
    line->setFrameShape(QFrame::VLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);
}

void MainWindow::connectPages()
{
    // What the pages ask for runs on the session's command thread.
    connect(m_overview, &OverviewPage::retryRequested, this, [this](const QList<qint64> &ids, const QString &step) {
        if (session())
            session()->retry(ids, step);
    });
    connect(m_overview, &OverviewPage::flowActivated, this,
            [this](qint64 flowId) { openFlow(flowId, FlowStatus::Failed); });
    connect(m_timers, &TimersPage::flowActivated, this,
            [this](qint64 flowId) { openFlow(flowId, FlowStatus::Waiting); });
    connect(m_timers, &TimersPage::fireNowRequested, this, [this](const QList<qint64> &flowIds) {
        if (session())
            session()->fireTimersNow(flowIds);
    });
    connect(m_workers, &WorkersPage::forgetRequested, this, [this](const QList<qint64> &runs) {
        if (session())
            session()->forgetWorkers(runs);
    });
    connect(m_flows, &FlowsPage::firstPageShown, this, &MainWindow::flowsShown);
    connect(m_flows, &FlowsPage::scheduleRequested, this, &MainWindow::showScheduleDialog);
    connect(
        m_flows, &FlowsPage::scheduleLikeRequested, this,
        [this](const QString &type, const QJsonObject &arguments) { showScheduleDialog()->prefill(type, arguments); });
    connect(m_flows, &FlowsPage::workersRequested, this, [this] { showPage(WorkersPageIndex); });
}

void MainWindow::createFileMenu()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *create = file->addAction(tr("&New Database…"), this, &MainWindow::chooseDatabaseToCreate);
    create->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    QAction *open = file->addAction(tr("&Open Database…"), this, &MainWindow::chooseDatabaseToOpen);
    open->setShortcut(QKeySequence::Open);
    QAction *server = file->addAction(tr("Open PostgreSQL &Server…"), this, &MainWindow::chooseServerToOpen);
    server->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    // Ctrl+Q everywhere: some platforms (and the offscreen one) have no standard Quit key.
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    updateRecentMenu();
}

void MainWindow::createViewMenu()
{
    QMenu *flows = menuBar()->addMenu(tr("F&lows"));
    m_scheduleAction = flows->addAction(tr("&Schedule…"), this, &MainWindow::showScheduleDialog);
    m_scheduleAction->setShortcut(QKeySequence::New);
    m_scheduleAction->setEnabled(false); // until a database is open
    flows->addAction(tr("Show &Failed Flows"), this, [this] {
        FlowFilter filter;
        filter.status = FlowStatus::Failed;
        m_flows->setFilter(filter);
        showPage(FlowsPageIndex);
    });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < PageCount; ++i) {
        QAction *action = view->addAction(pageTitle(Page(i)), this, [this, i] { showPage(Page(i)); });
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    view->addSeparator();
    QAction *refreshNow = view->addAction(tr("&Refresh Now"), this, &MainWindow::refresh);
    refreshNow->setShortcut(QKeySequence::Refresh);
    QMenu *rate = view->addMenu(tr("Refresh &Rate"));
    m_rateGroup = new QActionGroup(this);
    for (const int ms : {250, 500, 1000, 2000, 5000, 10000}) {
        QAction *action = rate->addAction(rateText(std::chrono::milliseconds(ms)));
        action->setCheckable(true);
        action->setData(ms);
        action->setChecked(std::chrono::milliseconds(ms) == m_sessions->refreshInterval());
        m_rateGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, ms] { setRefreshInterval(std::chrono::milliseconds(ms)); });
    }
    rate->addSeparator();
    m_pauseAction = rate->addAction(tr("&Pause Live Updates"));
    m_pauseAction->setCheckable(true);
    connect(m_pauseAction, &QAction::toggled, this, &MainWindow::setPaused);

    QMenu *theme = view->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(this);
    for (const auto &[value, title] :
         {std::pair{style::Theme::System, tr("&System")}, std::pair{style::Theme::Light, tr("&Light")},
          std::pair{style::Theme::Dark, tr("&Dark")}}) {
        QAction *action = theme->addAction(title);
        action->setCheckable(true);
        action->setChecked(value == m_options.theme);
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [this, value = value] { setTheme(value); });
    }
}

void MainWindow::createHelpMenu()
{
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&Read Me"), this, &MainWindow::showReadme);
    help->addSeparator();
    help->addAction(tr("&About Ergon Console"), this, &MainWindow::showAbout);
}

void MainWindow::showPage(Page page)
{
    if (page >= 0 && page < PageCount)
        m_sidebar->setCurrentRow(int(page));
}

void MainWindow::openFlow(qint64 flowId, FlowStatus status)
{
    // The page first: the table taking the focus makes its first row current, which must not
    // win over the flow asked for. Among the flows of its status, so that the flow is in the
    // table beside its detail.
    showPage(FlowsPageIndex);
    FlowFilter filter;
    filter.status = status;
    m_flows->setFilter(filter);
    m_flows->showFlow(flowId);
}

void MainWindow::openDatabase(const QString &location)
{
    m_sessions->open(location);
}

void MainWindow::adopt(ConsoleSession *session)
{
    m_overview->clear();
    connect(session, &ConsoleSession::snapshotAvailable, this, &MainWindow::showSnapshot);
    connect(session, &ConsoleSession::readFailed, m_summary, &StatusSummary::showReadError);
    connect(session, &ConsoleSession::commandFinished, this,
            [this](ConsoleCommands::Command command, const QString &summary) {
                showCommandOutcome(command, summary, false);
            });
    connect(
        session, &ConsoleSession::commandFailed, this,
        [this](ConsoleCommands::Command command, const QString &error) { showCommandOutcome(command, error, true); });
    connect(session, &ConsoleSession::commandProgress, this,
            [this](ConsoleCommands::Command command, int done, int total) {
                if (command == ConsoleCommands::Command::Schedule && m_scheduleDialog)
                    m_scheduleDialog->showProgress(done, total);
            });
    connect(session->workers(), &WorkerPool::problem, this,
            [this](const QString &problem) { m_summary->showMessage(problem, true); });
    m_workers->setWorkerPool(session->workers());
    m_flows->setSession(session);

    // A database that opened clears what was said about one that did not.
    if (m_openFailure)
        m_openFailure->close();
    m_summary->clearMessage();
    m_summary->setDatabase(displayLocation(session->path()));
    addRecent(session->path());
    updateTitle();
    m_scheduleAction->setEnabled(true);
    Q_EMIT databaseOpened(session->path());
}

void MainWindow::showOpenFailure(const QString &location, const QString &error)
{
    const QString shown = style::displayPath(displayLocation(location));
    m_summary->showMessage(tr("Cannot open %1: %2").arg(shown, error), true);
    // The file and the reason in full, not cut as in the status bar.
    if (m_openFailure)
        m_openFailure->close();
    m_openFailure = dialogs::openFailure(
        this, shown, error, session() ? style::displayPath(displayLocation(session()->path())) : QString());
    m_openFailure->open();
    Q_EMIT databaseFailed(location, error);
}

void MainWindow::showSnapshot(const ConsoleSnapshot &snapshot)
{
    m_overview->showSnapshot(snapshot);
    m_workers->showSnapshot(snapshot);
    m_timers->showSnapshot(snapshot);
    m_summary->showSnapshot(snapshot);

    m_sidebar->setBadge(FlowsPageIndex, style::count(snapshot.total()));
    const int alive = snapshot.aliveWorkers();
    const int lost = snapshot.lostWorkers();
    const QString lostText = tr("%1 lost").arg(lost);
    m_sidebar->setBadge(WorkersPageIndex,
                        lost == 0 ? QString::number(alive)
                                  : (alive == 0 ? lostText : QString::number(alive) + QStringLiteral(" · ") + lostText),
                        lost > 0);
    m_sidebar->setBadge(TimersPageIndex,
                        snapshot.timers.isEmpty() ? QString()
                                                  : style::count(snapshot.timers.size()) +
                                (snapshot.timersTruncated ? QStringLiteral("+") : QString()));
    const qint64 failed = snapshot.count(FlowStatus::Failed);
    m_sidebar->setBadge(OverviewPageIndex, failed > 0 ? tr("%1 failed").arg(style::count(failed)) : QString(),
                        failed > 0);
    m_sidebar->viewport()->update();
    Q_EMIT snapshotShown();
}

void MainWindow::showCommandOutcome(ConsoleCommands::Command command, const QString &text, bool failed)
{
    // The session reads again right after a command: what it changed shows at once.
    m_summary->showMessage(text, failed);
    if (command == ConsoleCommands::Command::Schedule && m_scheduleDialog) {
        if (failed)
            m_scheduleDialog->showFailed(text);
        else
            m_scheduleDialog->showFinished(text);
    }
}

void MainWindow::refresh()
{
    m_sessions->refresh();
}

ScheduleDialog *MainWindow::showScheduleDialog()
{
    if (!m_scheduleDialog) {
        m_scheduleDialog = new ScheduleDialog(m_catalog.registry(), this);
        m_scheduleDialog->setAttribute(Qt::WA_DeleteOnClose);
        m_scheduleDialog->setSettings(&m_settings); // opens on the type and arguments scheduled last
        connect(m_scheduleDialog, &ScheduleDialog::scheduleRequested, this,
                [this](const ScheduleRequest &request, int count) {
                    if (session())
                        session()->schedule(request, count);
                    else if (m_scheduleDialog)
                        m_scheduleDialog->showFailed(tr("No database is open."));
                });
    }
    // Non-modal: the pages stay live behind it while a large count is scheduled.
    m_scheduleDialog->show();
    m_scheduleDialog->raise();
    m_scheduleDialog->activateWindow();
    return m_scheduleDialog;
}

void MainWindow::setRefreshInterval(std::chrono::milliseconds interval)
{
    m_sessions->setRefreshInterval(interval);
    m_summary->setRefreshInterval(interval);
    m_settings.setRefreshInterval(interval);
    if (m_rateGroup) {
        const QList<QAction *> actions = m_rateGroup->actions();
        for (QAction *action : actions)
            action->setChecked(action->data().toInt() == interval.count());
    }
}

void MainWindow::setPaused(bool paused)
{
    m_sessions->setPaused(paused);
    m_summary->setPaused(paused);
    if (m_pauseAction && m_pauseAction->isChecked() != paused)
        m_pauseAction->setChecked(paused);
}

void MainWindow::setTheme(style::Theme theme)
{
    m_options.theme = theme;
    style::applyTheme(theme);
    m_settings.setTheme(theme);
}

void MainWindow::chooseServerToOpen()
{
    QInputDialog *dialog = dialogs::openServer(this);
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString &url) {
        if (isDatabaseUrl(url.trimmed()))
            openDatabase(url.trimmed());
        else
            m_summary->showMessage(tr("Not a postgresql:// URL: %1").arg(displayLocation(url.trimmed())), true);
    });
    // Opened, not exec()'d: no nested event loop; the readers keep delivering meanwhile.
    dialog->open();
}

void MainWindow::chooseDatabaseToOpen()
{
    // The open database's folder first: the next file is most often beside it.
    const QString current = databasePath();
    QString folder =
        !current.isEmpty() && !isDatabaseUrl(current) ? QFileInfo(current).absolutePath() : m_settings.lastFolder();
    QFileDialog *dialog = dialogs::openDatabase(this, folder.isEmpty() ? QDir::homePath() : folder);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        m_settings.setLastFolder(QFileInfo(path).absolutePath());
        openDatabase(path);
    });
    dialog->open();
}

void MainWindow::chooseDatabaseToCreate()
{
    const QString last = m_settings.lastFolder();
    QFileDialog *dialog = dialogs::newDatabase(this, last.isEmpty() ? QDir::homePath() : last);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        m_settings.setLastFolder(QFileInfo(path).absolutePath());
        openDatabase(path);
    });
    dialog->open();
}

void MainWindow::addRecent(const QString &location)
{
    m_settings.addRecentDatabase(location);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = m_settings.recentDatabases();
    for (const QString &path : recent) {
        QAction *action = m_recentMenu->addAction(style::displayPath(displayLocation(path)), this,
                                                  [this, path] { openDatabase(path); });
        action->setEnabled(path != databasePath());
    }
    if (!recent.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear List"), this, [this] {
            m_settings.clearRecentDatabases();
            updateRecentMenu();
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::updateTitle()
{
    const QString path = databasePath();
    const bool url = isDatabaseUrl(path);
    setWindowFilePath(url ? QString() : path);
    const QString name = url ? displayLocation(path) : QFileInfo(path).fileName();
    setWindowTitle(path.isEmpty() ? tr("Ergon Console") : tr("%1 — Ergon Console").arg(name));
}

void MainWindow::restoreSettings()
{
    m_settings.restoreWindow(this);
    if (const auto interval = m_settings.refreshInterval())
        setRefreshInterval(*interval);
    updateRecentMenu();
    showPage(Page(std::clamp(m_settings.page(), 0, PageCount - 1)));
}

bool MainWindow::confirmQuit()
{
    WorkerPool *pool = session() ? session()->workers() : nullptr;
    if (!pool || pool->isEmpty() || m_quitConfirmed)
        return true;
    if (!m_quitQuestion || !m_quitQuestion->isVisible()) { // a question answered is on its way out
        QPushButton *quit = nullptr;
        m_quitQuestion = dialogs::quitWithWorkers(this, pool->size(), pool->inFlight(), &quit);
        connect(m_quitQuestion, &QMessageBox::buttonClicked, this, [this, quit](QAbstractButton *button) {
            if (button != quit)
                return;
            m_quitConfirmed = true;
            QMetaObject::invokeMethod(this, &QWidget::close, Qt::QueuedConnection);
        });
        // Window-modal and opened, not exec()'d: the pages stay live behind it.
        m_quitQuestion->open();
    }
    m_quitQuestion->raise();
    return false;
}

void MainWindow::stopWorkersAndClose()
{
    WorkerPool *pool = session()->workers();
    m_closing = true;
    setEnabled(false);
    m_summary->showMessage(tr("Stopping the workers of this console…"));
    connect(pool, &WorkerPool::emptied, this, &QWidget::close, Qt::QueuedConnection);
    pool->stopAll();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Workers of this console finish their steps and hand their flows back before the window
    // goes (once the user said so); the close comes back when the last one has stopped.
    WorkerPool *pool = session() ? session()->workers() : nullptr;
    if (pool && !pool->isEmpty()) {
        event->ignore();
        if (!m_closing && confirmQuit())
            stopWorkersAndClose();
        return;
    }
    m_settings.saveWindow(this, int(currentPage()));
    event->accept();
}

void MainWindow::showShortcuts()
{
    dialogs::showShortcuts(this);
}

void MainWindow::showReadme()
{
    dialogs::showReadme(this);
}

void MainWindow::showAbout()
{
    dialogs::showAbout(this);
}

} // namespace ergon
