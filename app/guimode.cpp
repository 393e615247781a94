#include "guimode.h"

#include "commandline.h"
#include "models/failurelistmodel.h"
#include "pages/flowspage.h"
#include "pages/overviewpage.h"
#include "shell/consolestyle.h"
#include "shell/consoletranslations.h"
#include "shell/mainwindow.h"

#include <ergon/openexecutionlog.h>
#include <ergon/plugincatalog.h>

#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QIcon>
#include <QMessageBox>
#include <QPixmap>
#include <QSettings>
#include <QTextStream>
#include <QTimer>

#include <memory>

namespace ergon {

namespace {

QIcon applicationIcon()
{
    QIcon icon;
    QDirIterator it(QStringLiteral(":/ergon/icons"));
    while (it.hasNext())
        icon.addFile(it.next());
    return icon;
}

void printError(const QString &message)
{
    QTextStream(stderr) << QCoreApplication::applicationName() << ": " << message << Qt::endl;
}

// The database given at start-up cannot be used: say why on stderr and in a message box, then
// leave with 1.
void failOpening(QWidget *window, const QString &path, const QString &error)
{
    // Shown without a password a server's URL may hold.
    const QString shown = QDir::toNativeSeparators(displayLocation(path));
    printError(QStringLiteral("cannot open the database %1: %2").arg(shown, error));
    auto *box = new QMessageBox(QMessageBox::Critical, QApplication::translate("GuiMode", "Ergon Console"),
                                QApplication::translate("GuiMode", "Cannot open the database %1.").arg(shown),
                                QMessageBox::Close, window);
    box->setInformativeText(error);
    box->setAttribute(Qt::WA_DeleteOnClose);
    // Opened, not exec()'d: no nested event loop; closing it ends the application.
    QObject::connect(box, &QMessageBox::finished, qApp, [] { QCoreApplication::exit(1); });
    box->open();
}

/// --screenshots: once the window shows the database's first readings (and, with a wait, some
/// history for the charts), shows each page in turn and saves the window as <page>.png.
class ScreenshotTaker : public QObject
{
public:
    ScreenshotTaker(MainWindow &window, QString folder, double waitSeconds)
        : m_window(window)
        , m_folder(std::move(folder))
        , m_wait(int(waitSeconds * 1000))
    {
        connect(&m_window, &MainWindow::snapshotShown, this, [this] {
            m_snapshot = true;
            maybeStart();
        });
        connect(&m_window, &MainWindow::flowsShown, this, [this] {
            m_flows = true;
            maybeStart();
        });
        connect(&m_window, &MainWindow::databaseFailed, this, [](const QString &path, const QString &error) {
            printError(QStringLiteral("cannot open the database %1: %2")
                           .arg(QDir::toNativeSeparators(displayLocation(path)), error));
            QCoreApplication::exit(1);
        });
        // A database that never answers must not hang a script.
        QTimer::singleShot(m_wait + 60'000, this, [] {
            printError(QStringLiteral("no reading of the database within a minute; no screenshots taken"));
            QCoreApplication::exit(1);
        });
    }

private:
    void maybeStart()
    {
        if (m_started || !m_snapshot || !m_flows)
            return;
        m_started = true;
        QTimer::singleShot(m_wait, this, [this] { shoot(0); });
    }

    void shoot(int page)
    {
        if (page == MainWindow::PageCount) {
            QTextStream(stdout) << m_folder << Qt::endl;
            QCoreApplication::exit(0);
            return;
        }
        m_window.showPage(MainWindow::Page(page));
        int settle = 400; // a moment for the page's layout and first paint
        if (page == MainWindow::FlowsPageIndex) {
            // The newest failure in the detail pane: steps, attempts and the error at a glance.
            const QAbstractItemModel *failures = m_window.overviewPage()->failureModel();
            if (failures->rowCount() > 0) {
                m_window.flowsPage()->showFlow(failures->index(0, 0).data(FailureListModel::FlowIdRole).toLongLong());
                settle = 1500;
            }
        }
        QTimer::singleShot(settle, this, [this, page] {
            const QString path =
                m_folder + QLatin1Char('/') + MainWindow::pageKey(MainWindow::Page(page)) + QStringLiteral(".png");
            if (!m_window.grab().save(path)) {
                printError(QStringLiteral("cannot write %1").arg(QDir::toNativeSeparators(path)));
                QCoreApplication::exit(1);
                return;
            }
            shoot(page + 1);
        });
    }

    MainWindow &m_window;
    QString m_folder;
    int m_wait;
    bool m_snapshot = false;
    bool m_flows = false;
    bool m_started = false;
};

} // namespace

std::unique_ptr<QCoreApplication> createGuiApplication(int &argc, char **argv)
{
    auto app = std::make_unique<QApplication>(argc, argv);
    // Before any widget reads a tr() text; the CLI's QCoreApplication is not the console's.
    installConsoleTranslations();
    return app;
}

int runGui(const CommandLine &commandLine)
{
    QApplication::setWindowIcon(applicationIcon());
    QGuiApplication::setDesktopFileName(QStringLiteral("ergon-console"));

    const QString &path = commandLine.databasePath;
    if (commandLine.isDefaultDatabase && !QDir().mkpath(QFileInfo(path).absolutePath())) {
        printError(QStringLiteral("cannot create the folder %1").arg(QFileInfo(path).absolutePath()));
        return 1;
    }
    const bool screenshots = !commandLine.screenshotFolder.isEmpty();
    if (screenshots && !QDir().mkpath(commandLine.screenshotFolder)) {
        printError(QStringLiteral("cannot create the folder %1").arg(commandLine.screenshotFolder));
        return 1;
    }

    // Plugins load before the window shows: reading their metadata and loading a handful of
    // libraries takes milliseconds, and every page can then rely on the registry.
    QStringList pluginPaths = commandLine.pluginFolders;
    pluginPaths.append(PluginCatalog::defaultSearchPaths());
    pluginPaths.removeDuplicates();
    PluginCatalog catalog;
    catalog.load(pluginPaths);

    // The theme before any window exists: the command line's, else the one last chosen.
    const style::Theme theme = !commandLine.theme.isEmpty() ? style::themeFromName(commandLine.theme)
        : screenshots                                       ? style::Theme::System
                                                            : ConsoleSettings(true).theme();
    if (theme != style::Theme::System)
        style::applyTheme(theme);

    MainWindow::Options options;
    options.theme = theme;
    std::unique_ptr<ScreenshotTaker> taker;
    if (screenshots) {
        // Screenshots are the same whatever the user's settings: fixed size, fresh state.
        options.persistent = false;
        options.session.reader.interval = std::chrono::milliseconds(500);
        options.chartWindow = std::chrono::seconds(60);
    }
    MainWindow window(catalog, pluginPaths, options);
    if (screenshots) {
        window.resize(1280, 800);
        taker = std::make_unique<ScreenshotTaker>(window, commandLine.screenshotFolder, commandLine.screenshotWait);
    } else {
        QObject::connect(&window, &MainWindow::databaseFailed, &window,
                         [&window](const QString &failedPath, const QString &error) {
                             // Only the database of the command line ends the console; one
                             // opened later leaves the window on the previous one.
                             if (!window.session())
                                 failOpening(&window, failedPath, error);
                         });
    }

    // The database opens on the session's threads; the window shows at once and never waits.
    window.openDatabase(path);
    window.show();
    return QApplication::exec();
}

} // namespace ergon
