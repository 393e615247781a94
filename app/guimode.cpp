#include "guimode.h"

#include "commandline.h"
#include "flowlistreader.h"
#include "mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QIcon>
#include <QMessageBox>
#include <QTextStream>
#include <QThread>

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

// The database cannot be used: say why on stderr and in a message box, then leave with 1.
void failOpening(QWidget *window, const QString &path, const QString &error)
{
    QTextStream(stderr) << QCoreApplication::applicationName() << ": cannot open the database " << path << ": " << error
                        << Qt::endl;
    auto *box = new QMessageBox(QMessageBox::Critical, QApplication::translate("GuiMode", "Ergon Console"),
                                QApplication::translate("GuiMode", "Cannot open the database %1.").arg(path),
                                QMessageBox::Close, window);
    box->setInformativeText(error);
    box->setAttribute(Qt::WA_DeleteOnClose);
    // Opened, not exec()'d: no nested event loop; closing it ends the application.
    QObject::connect(box, &QMessageBox::finished, qApp, [] { QCoreApplication::exit(1); });
    box->open();
}

} // namespace

int runGui(const CommandLine &commandLine)
{
    QApplication::setWindowIcon(applicationIcon());
    QGuiApplication::setDesktopFileName(QStringLiteral("ergon-console"));

    const QString &path = commandLine.databasePath;
    if (commandLine.isDefaultDatabase && !QDir().mkpath(QFileInfo(path).absolutePath())) {
        QTextStream(stderr) << QCoreApplication::applicationName() << ": cannot create the folder "
                            << QFileInfo(path).absolutePath() << Qt::endl;
        return 1;
    }

    MainWindow window(path);

    // The reader opens the database on its own thread; the window shows at once and never
    // waits for it.
    QThread readerThread;
    readerThread.setObjectName(QStringLiteral("flow-list-reader"));
    auto *reader = new FlowListReader(FlowListReader::sqlite(path));
    reader->moveToThread(&readerThread);
    QObject::connect(&readerThread, &QThread::started, reader, &FlowListReader::start);
    QObject::connect(&readerThread, &QThread::finished, reader, &QObject::deleteLater);
    window.watch(reader);
    QObject::connect(reader, &FlowListReader::openFailed, &window,
                     [&window, path](const QString &error) { failOpening(&window, path, error); });

    readerThread.start();
    window.show();
    const int exitCode = QApplication::exec();
    readerThread.quit();
    readerThread.wait();
    return exitCode;
}

} // namespace ergon
