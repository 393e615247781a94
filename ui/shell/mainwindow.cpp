#include "shell/mainwindow.h"

#include "session/consolesnapshot.h"
#include "shell/consolestyle.h"
#include "pages/flowspage.h"
#include "pages/overviewpage.h"
#include "pages/pluginspage.h"
#include "shell/scheduledialog.h"
#include "widgets/sidebar.h"
#include "widgets/statussummary.h"
#include "pages/timerspage.h"
#include "pages/workerspage.h"

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
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QThread>
#include <QVBoxLayout>

namespace ergon {

namespace {

constexpr int maxRecent = 8;
const QString geometryKey = QStringLiteral("MainWindow/geometry");
const QString stateKey = QStringLiteral("MainWindow/state");
const QString pageKeySetting = QStringLiteral("MainWindow/page");
const QString refreshKey = QStringLiteral("Console/refreshMs");
const QString recentKey = QStringLiteral("Console/recentDatabases");
const QString folderKey = QStringLiteral("Console/lastFolder");

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
    , m_sidebar(new Sidebar(this))
    , m_stack(new QStackedWidget(this))
    , m_overview(new OverviewPage(this))
    , m_flowsHolder(new QWidget(this))
    , m_workers(new WorkersPage(this))
    , m_timers(new TimersPage(this))
    , m_plugins(new PluginsPage(this))
    , m_summary(new StatusSummary(this))
{
    if (!m_options.openerFactory)
        m_options.openerFactory = &MainWindow::defaultOpener;
    m_interval = m_options.session.reader.interval;
    m_overview->setHistoryWindow(m_options.chartWindow);
    createPages();
    createMenus();
    statusBar()->addWidget(m_summary, 1);
    statusBar()->setSizeGripEnabled(true);
    resize(1280, 800);
    if (m_options.persistent)
        restoreSettings();
    m_summary->setRefreshInterval(m_interval);
    updateTitle();
}

MainWindow::~MainWindow()
{
    // The sessions (current, opening, retiring) are children: their destructors wait for
    // their threads, which only happens here, at exit. The Flows page ends its reader itself.
}

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
    return m_session ? m_session->path() : QString();
}

void MainWindow::createPages()
{
    m_sidebar->addPage(pageTitle(OverviewPageIndex), tr("Counts, queue depth, throughput and the work distribution"));
    m_sidebar->addPage(pageTitle(FlowsPageIndex), tr("Every flow: filter, inspect, retry, cancel"));
    m_sidebar->addPage(pageTitle(WorkersPageIndex), tr("Workers of this database; start and stop workers here"));
    m_sidebar->addPage(pageTitle(TimersPageIndex), tr("Pending durable timers with their countdowns"));
    m_sidebar->addPage(pageTitle(PluginsPageIndex), tr("Flow plugins: loaded and failed"));

    auto *flowsLayout = new QVBoxLayout(m_flowsHolder);
    flowsLayout->setContentsMargins(0, 0, 0, 0);
    m_stack->addWidget(m_overview);
    m_stack->addWidget(m_flowsHolder);
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

    // What the pages ask for runs on the session's command thread.
    connect(m_overview, &OverviewPage::retryRequested, this, [this](const QList<qint64> &ids, const QString &step) {
        if (m_session)
            m_session->retry(ids, step);
    });
    connect(m_overview, &OverviewPage::flowActivated, this, [this](qint64 flowId) {
        if (!m_flows)
            return;
        FlowFilter failed;
        failed.status = FlowStatus::Failed;
        m_flows->setFilter(failed);
        m_flows->showFlow(flowId);
        showPage(FlowsPageIndex);
    });
    connect(m_timers, &TimersPage::fireNowRequested, this, [this](qint64 flowId) {
        if (m_session)
            m_session->fireTimerNow(flowId);
    });
}

void MainWindow::createMenus()
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
    quit->setShortcut(QKeySequence::Quit);
    updateRecentMenu();

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
        action->setChecked(std::chrono::milliseconds(ms) == m_interval);
        m_rateGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, ms] { setRefreshInterval(std::chrono::milliseconds(ms)); });
    }
    rate->addSeparator();
    QAction *pause = rate->addAction(tr("&Pause Live Updates"));
    pause->setCheckable(true);
    connect(pause, &QAction::toggled, this, &MainWindow::setPaused);

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

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Ergon Console"), this, &MainWindow::showAbout);
}

void MainWindow::showPage(Page page)
{
    if (page >= 0 && page < PageCount)
        m_sidebar->setCurrentRow(int(page));
}

void MainWindow::openDatabase(const QString &location)
{
    // "postgresq://u:pw@host/db" is a typo, not a file to create: taken for a path, it would be
    // shown (password included) and created.
    if (location.contains(QLatin1String("://")) && !isDatabaseUrl(location)) {
        const QString shown = displayLocation(location);
        m_summary->showMessage(tr("Not a postgresql:// URL: %1").arg(shown), true);
        Q_EMIT databaseFailed(shown, tr("not a postgresql:// URL"));
        return;
    }
    // A server's URL as it is; a file by its absolute path (the recent list's key).
    const QString absolute =
        isDatabaseUrl(location) ? location : QDir::cleanPath(QFileInfo(location).absoluteFilePath());
    if (m_opening)
        m_opening->retire();
    auto *session =
        new ConsoleSession(absolute, m_options.openerFactory(absolute), m_catalog.registry(), m_options.session, this);
    session->setRefreshInterval(m_interval);
    m_opening = session;
    connect(session, &ConsoleSession::opened, this, [this, session] {
        if (m_opening == session)
            adopt(session);
    });
    connect(session, &ConsoleSession::openFailed, this, [this, session, absolute](const QString &error) {
        if (m_opening != session)
            return;
        m_opening = nullptr;
        session->retire();
        m_summary->showMessage(tr("Cannot open %1: %2").arg(style::displayPath(displayLocation(absolute)), error),
                               true);
        Q_EMIT databaseFailed(absolute, error);
    });
    session->start();
    if (m_paused)
        QMetaObject::invokeMethod(
            session->reader(), [reader = session->reader()] { reader->setPaused(true); }, Qt::QueuedConnection);
}

void MainWindow::adopt(ConsoleSession *session)
{
    m_opening = nullptr;
    if (m_session)
        m_session->retire();
    m_session = session;
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

    createFlowsPage(session->opener());
    m_summary->setDatabase(displayLocation(session->path()));
    addRecent(session->path());
    updateTitle();
    m_scheduleAction->setEnabled(true);
    Q_EMIT databaseOpened(session->path());
}

void MainWindow::createFlowsPage(const LogOpener &opener)
{
    // The page owns its reader (thread and connection): a new database gets a new page.
    if (m_flows) {
        m_flowsHolder->layout()->removeWidget(m_flows);
        m_flows->deleteLater();
    }
    m_flows = new FlowsPage(opener, m_flowsHolder);
    m_flowsHolder->layout()->addWidget(m_flows);
    m_flows->setRegistry(&m_catalog.registry());
    m_flows->setRefreshInterval(m_paused ? std::chrono::milliseconds(0) : m_interval);
    connect(m_flows, &FlowsPage::retryRequested, this, [this](const QList<qint64> &ids, const QString &step) {
        if (m_session)
            m_session->retry(ids, step);
    });
    connect(m_flows, &FlowsPage::cancelRequested, this, [this](const QList<qint64> &ids) {
        if (m_session)
            m_session->cancel(ids);
    });
    connect(m_flows, &FlowsPage::firstPageShown, this, &MainWindow::flowsShown);
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
    m_summary->showMessage(text, failed);
    if (command == ConsoleCommands::Command::Schedule && m_scheduleDialog) {
        if (failed)
            m_scheduleDialog->showFailed(text);
        else
            m_scheduleDialog->showFinished(text);
    }
    // What the command changed shows at once rather than at the next tick.
    refresh();
}

void MainWindow::refresh()
{
    if (m_session)
        m_session->refresh();
    if (m_flows)
        m_flows->refresh();
}

ScheduleDialog *MainWindow::showScheduleDialog()
{
    if (!m_scheduleDialog) {
        m_scheduleDialog = new ScheduleDialog(m_catalog.registry(), this);
        m_scheduleDialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_scheduleDialog, &ScheduleDialog::scheduleRequested, this,
                [this](const ScheduleRequest &request, int count) {
                    if (m_session)
                        m_session->schedule(request, count);
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
    m_interval = interval;
    if (m_session)
        m_session->setRefreshInterval(interval);
    if (m_flows && !m_paused)
        m_flows->setRefreshInterval(interval);
    if (m_opening)
        m_opening->setRefreshInterval(interval);
    m_summary->setRefreshInterval(interval);
    if (m_rateGroup) {
        const QList<QAction *> actions = m_rateGroup->actions();
        for (QAction *action : actions)
            action->setChecked(action->data().toInt() == interval.count());
    }
}

void MainWindow::setPaused(bool paused)
{
    m_paused = paused;
    if (m_flows)
        m_flows->setRefreshInterval(paused ? std::chrono::milliseconds(0) : m_interval);
    if (m_session)
        QMetaObject::invokeMethod(
            m_session->reader(), [reader = m_session->reader(), paused] { reader->setPaused(paused); },
            Qt::QueuedConnection);
    m_summary->setPaused(paused);
}

void MainWindow::setTheme(style::Theme theme)
{
    m_options.theme = theme;
    style::applyTheme(theme);
    if (m_options.persistent)
        QSettings().setValue(QStringLiteral("Console/theme"), style::themeName(theme));
}

void MainWindow::chooseServerToOpen()
{
    // Opened, not exec()'d: no nested event loop. The password is best left to PGPASSWORD or
    // ~/.pgpass; one typed in the URL is used but never shown or remembered.
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Open PostgreSQL Server"));
    dialog->setLabelText(tr("Database URL (postgresql://user@host:port/dbname):"));
    dialog->setTextValue(QStringLiteral("postgresql://"));
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString &url) {
        if (isDatabaseUrl(url.trimmed()))
            openDatabase(url.trimmed());
        else
            m_summary->showMessage(tr("Not a postgresql:// URL: %1").arg(displayLocation(url.trimmed())), true);
    });
    dialog->open();
}

void MainWindow::chooseDatabaseToOpen()
{
    auto *dialog = new QFileDialog(this, tr("Open Database"), QSettings().value(folderKey, QDir::homePath()).toString(),
                                   tr("Ergon databases (*.db *.sqlite *.sqlite3);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setOption(QFileDialog::DontUseNativeDialog);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setAcceptMode(QFileDialog::AcceptOpen);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QSettings().setValue(folderKey, QFileInfo(path).absolutePath());
        openDatabase(path);
    });
    // Opened, not exec()'d: no nested event loop; the readers keep delivering meanwhile.
    dialog->open();
}

void MainWindow::chooseDatabaseToCreate()
{
    auto *dialog = new QFileDialog(this, tr("New Database"), QSettings().value(folderKey, QDir::homePath()).toString(),
                                   tr("Ergon databases (*.db)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setOption(QFileDialog::DontUseNativeDialog);
    // An existing file is opened, never replaced: nothing here deletes a database.
    dialog->setOption(QFileDialog::DontConfirmOverwrite);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setDefaultSuffix(QStringLiteral("db"));
    dialog->selectFile(QStringLiteral("ergon.db"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QSettings().setValue(folderKey, QFileInfo(path).absolutePath());
        openDatabase(path);
    });
    dialog->open();
}

void MainWindow::addRecent(const QString &location)
{
    // A server is remembered without its password (PGPASSWORD or ~/.pgpass supply it again).
    const QString path = isDatabaseUrl(location) ? displayLocation(location) : location;
    m_recent.removeAll(path);
    m_recent.prepend(path);
    while (m_recent.size() > maxRecent)
        m_recent.removeLast();
    if (m_options.persistent)
        QSettings().setValue(recentKey, m_recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    for (const QString &path : std::as_const(m_recent)) {
        QAction *action = m_recentMenu->addAction(style::displayPath(displayLocation(path)), this,
                                                  [this, path] { openDatabase(path); });
        action->setEnabled(path != databasePath());
    }
    if (!m_recent.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear List"), this, [this] {
            m_recent.clear();
            if (m_options.persistent)
                QSettings().remove(recentKey);
            updateRecentMenu();
        });
    }
    m_recentMenu->setEnabled(!m_recent.isEmpty());
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
    QSettings settings;
    if (const QByteArray geometry = settings.value(geometryKey).toByteArray(); !geometry.isEmpty())
        restoreGeometry(geometry);
    if (const QByteArray state = settings.value(stateKey).toByteArray(); !state.isEmpty())
        restoreState(state);
    const int ms = settings.value(refreshKey, int(m_interval.count())).toInt();
    if (ms >= 50)
        setRefreshInterval(std::chrono::milliseconds(ms));
    m_recent = settings.value(recentKey).toStringList();
    updateRecentMenu();
    showPage(Page(std::clamp(settings.value(pageKeySetting, 0).toInt(), 0, PageCount - 1)));
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(geometryKey, saveGeometry());
    settings.setValue(stateKey, saveState());
    settings.setValue(refreshKey, qint64(m_interval.count()));
    settings.setValue(pageKeySetting, int(currentPage()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Workers of this console finish their steps and hand their flows back before the window
    // goes; the close comes back when the last one has stopped.
    WorkerPool *pool = m_session ? m_session->workers() : nullptr;
    if (pool && !pool->isEmpty()) {
        event->ignore();
        if (!m_closing) {
            m_closing = true;
            setEnabled(false);
            m_summary->showMessage(tr("Stopping the workers of this console…"));
            connect(pool, &WorkerPool::emptied, this, &QWidget::close, Qt::QueuedConnection);
            pool->stopAll();
        }
        return;
    }
    if (m_options.persistent)
        saveSettings();
    event->accept();
}

void MainWindow::showAbout()
{
    // Window-modal and opened, not exec()'d: no nested event loop.
    auto *box = new QMessageBox(this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Ergon Console"));
    box->setIconPixmap(QApplication::windowIcon().pixmap(64, 64));
    box->setText(tr("<b>Ergon Console %1</b>").arg(QApplication::applicationVersion()));
    box->setInformativeText(
        tr("A durable execution engine and its console.\nBuilt with Qt %1.").arg(QString::fromLatin1(QT_VERSION_STR)));
    box->setStandardButtons(QMessageBox::Close);
    box->open();
}

} // namespace ergon
