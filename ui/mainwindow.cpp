#include "mainwindow.h"

#include "flowlistreader.h"
#include "flowspage.h"
#include "statussummary.h"

#include <QApplication>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

namespace ergon {

MainWindow::MainWindow(const QString &databasePath, QWidget *parent)
    : QMainWindow(parent)
    , m_flowsPage(new FlowsPage(this))
    , m_summary(new StatusSummary(this))
{
    setWindowTitle(tr("%1 — Ergon Console").arg(QFileInfo(databasePath).fileName()));
    setCentralWidget(m_flowsPage);
    statusBar()->addWidget(m_summary, 1);
    m_summary->setDatabasePath(databasePath);
    createMenus();
    resize(1000, 620);
}

MainWindow::~MainWindow() = default;

void MainWindow::watch(FlowListReader *reader)
{
    connect(reader, &FlowListReader::snapshotAvailable, m_flowsPage, &FlowsPage::showSnapshot);
    connect(reader, &FlowListReader::snapshotAvailable, m_summary, &StatusSummary::showSnapshot);
    connect(reader, &FlowListReader::readFailed, m_summary, &StatusSummary::showReadError);
    connect(reader, &FlowListReader::openFailed, m_flowsPage, &FlowsPage::showOpenError);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Ergon Console"), this, &MainWindow::showAbout);
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
