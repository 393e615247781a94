#include "shell/consoledialogs.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace ergon::dialogs {

namespace {

// The texts' translation context, as lupdate sees it too (a tr() of our own in a namespace would
// file them under the namespace's name, where the console would never look them up).
struct Text {
    Q_DECLARE_TR_FUNCTIONS(ConsoleDialogs)
};

QFileDialog *fileDialog(QWidget *parent, const QString &title, const QString &folder, const QString &filter)
{
    auto *dialog = new QFileDialog(parent, title, folder, filter);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setOption(QFileDialog::DontUseNativeDialog);
    return dialog;
}

// A non-modal window with a text browser and a Close button.
QDialog *textWindow(QWidget *parent, const QString &title, QTextBrowser **browser)
{
    auto *dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    *browser = new QTextBrowser(dialog);
    (*browser)->setOpenExternalLinks(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(*browser, 1);
    layout->addWidget(buttons);
    return dialog;
}

void addShortcuts(const QList<QAction *> &actions, const QString &menu, QStringList &rows)
{
    for (QAction *action : actions) {
        if (action->menu()) {
            addShortcuts(action->menu()->actions(), menu + QStringLiteral(" › ") + action->text().remove(u'&'), rows);
            continue;
        }
        if (action->shortcut().isEmpty())
            continue;
        rows.append(QStringLiteral("<tr><td><b>%1</b></td><td>%2 › %3</td></tr>")
                        .arg(action->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                             menu.toHtmlEscaped(), action->text().remove(u'&').toHtmlEscaped()));
    }
}

} // namespace

QFileDialog *openDatabase(QWidget *parent, const QString &folder)
{
    QFileDialog *dialog = fileDialog(parent, Text::tr("Open Database"), folder,
                                     Text::tr("Ergon databases (*.db *.sqlite *.sqlite3);;All files (*)"));
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setAcceptMode(QFileDialog::AcceptOpen);
    return dialog;
}

QFileDialog *newDatabase(QWidget *parent, const QString &folder)
{
    QFileDialog *dialog = fileDialog(parent, Text::tr("New Database"), folder, Text::tr("Ergon databases (*.db)"));
    // An existing file is opened, never replaced: nothing here deletes a database.
    dialog->setOption(QFileDialog::DontConfirmOverwrite);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setDefaultSuffix(QStringLiteral("db"));
    dialog->selectFile(QStringLiteral("ergon.db"));
    return dialog;
}

QInputDialog *openServer(QWidget *parent)
{
    // The password is best left to PGPASSWORD or ~/.pgpass; one typed in the URL is used but
    // never shown or remembered.
    auto *dialog = new QInputDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(Text::tr("Open PostgreSQL Server"));
    dialog->setLabelText(Text::tr("Database URL (postgresql://user@host:port/dbname):"));
    dialog->setTextValue(QStringLiteral("postgresql://"));
    return dialog;
}

QMessageBox *openFailure(QWidget *parent, const QString &shownLocation, const QString &error, const QString &stays)
{
    auto *box = new QMessageBox(QMessageBox::Warning, Text::tr("Cannot Open Database"),
                                Text::tr("Cannot open %1").arg(shownLocation), QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(stays.isEmpty() ? error
                                            : error + QStringLiteral("\n\n") + Text::tr("%1 stays open.").arg(stays));
    return box;
}

QMessageBox *quitWithWorkers(QWidget *parent, int workers, int flows, QPushButton **quit)
{
    const QString text = flows == 0
        ? Text::tr("%n worker(s) of this console are running, with no flow in progress.", nullptr, workers)
        : Text::tr("%n worker(s) of this console are running %1.", nullptr, workers)
              .arg(flows == 1 ? Text::tr("1 flow") : Text::tr("%1 flows").arg(QLocale().toString(flows)));
    auto *box =
        new QMessageBox(QMessageBox::Question, Text::tr("Quit Ergon Console"), text, QMessageBox::NoButton, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(
        Text::tr("Quitting stops them: each finishes the step it is running and hands its flows back to the database, "
                 "where they wait for the next worker (in this console or `ergon-console worker`). Nothing is lost."));
    *quit = box->addButton(Text::tr("Stop Workers and Quit"), QMessageBox::AcceptRole);
    box->setDefaultButton(box->addButton(Text::tr("Keep Running"), QMessageBox::RejectRole));
    return box;
}

QMessageBox *stopAllWorkers(QWidget *parent, int workers, int flows, std::chrono::milliseconds deadline,
                            QPushButton **stop)
{
    const QString running = flows == 0
        ? Text::tr("No flow is running now.")
        : Text::tr("They are running %1.")
              .arg(flows == 1 ? Text::tr("1 flow") : Text::tr("%1 flows").arg(QLocale().toString(flows)));
    auto *box = new QMessageBox(QMessageBox::Question, Text::tr("Stop All Workers"),
                                workers == 1 ? Text::tr("Stop the worker of this console?")
                                             : Text::tr("Stop the %1 workers of this console?").arg(workers),
                                QMessageBox::NoButton, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(
        running + QLatin1Char(' ') +
        Text::tr("Each finishes the step it is running (within %1 s) and hands its flows back to the database, where "
                 "they wait for the next worker. Nothing is lost.")
            .arg(QLocale().toString(double(deadline.count()) / 1000.0)));
    *stop = box->addButton(workers == 1 ? Text::tr("Stop 1 Worker") : Text::tr("Stop %1 Workers").arg(workers),
                           QMessageBox::AcceptRole);
    box->setDefaultButton(box->addButton(Text::tr("Keep Running"), QMessageBox::RejectRole));
    return box;
}

QMessageBox *forgetWorkers(QWidget *parent, int runs, QPushButton **forget)
{
    auto *box = new QMessageBox(QMessageBox::Question, Text::tr("Forget Stopped Workers"),
                                runs == 1 ? Text::tr("Forget 1 stopped or lost worker?")
                                          : Text::tr("Forget %1 stopped or lost workers?").arg(runs),
                                QMessageBox::NoButton, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(
        Text::tr("Their rows and counters are deleted from the database; their flows and the "
                 "steals they took part in stay. A lost worker that comes back is listed again from its next run."));
    *forget = box->addButton(runs == 1 ? Text::tr("Forget 1 Worker") : Text::tr("Forget %1 Workers").arg(runs),
                             QMessageBox::AcceptRole);
    box->setDefaultButton(box->addButton(Text::tr("Cancel"), QMessageBox::RejectRole));
    return box;
}

void showShortcuts(QMainWindow *window)
{
    // From the menus themselves, so that the list is never out of date.
    QStringList rows;
    for (QAction *menu : window->menuBar()->actions()) {
        if (menu->menu())
            addShortcuts(menu->menu()->actions(), menu->text().remove(u'&'), rows);
    }
    const QString find = QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText);
    rows.append(Text::tr("<tr><td><b>%1</b></td><td>Flows page: search the flows</td></tr>").arg(find));
    rows.append(Text::tr("<tr><td><b>Esc</b></td><td>Flows page: clear the search</td></tr>"));
    rows.append(Text::tr("<tr><td><b>Double-click</b></td><td>A failure on the Overview: open it on the Flows "
                         "page</td></tr>"));
    QTextBrowser *browser = nullptr;
    QDialog *dialog = textWindow(window, Text::tr("Keyboard Shortcuts"), &browser);
    dialog->setObjectName(QStringLiteral("shortcuts"));
    browser->setHtml(QStringLiteral("<table cellspacing=6>%1</table>").arg(rows.join(QString())));
    dialog->resize(520, 520);
    dialog->show();
}

void showReadme(QWidget *parent)
{
    QTextBrowser *browser = nullptr;
    QDialog *dialog = textWindow(parent, Text::tr("Ergon Console — Read Me"), &browser);
    dialog->setObjectName(QStringLiteral("readme"));
    QFile readme(QStringLiteral(":/ergon/README.md"));
    if (readme.open(QIODevice::ReadOnly))
        browser->setMarkdown(QString::fromUtf8(readme.readAll()));
    else
        browser->setPlainText(Text::tr("The README is not part of this build: %1").arg(readme.errorString()));
    dialog->resize(820, 700);
    dialog->show();
}

void showAbout(QWidget *parent)
{
    auto *box = new QMessageBox(parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(Text::tr("About Ergon Console"));
    box->setIconPixmap(QApplication::windowIcon().pixmap(64, 64));
    box->setText(Text::tr("<b>Ergon Console %1</b>").arg(QApplication::applicationVersion()));
    box->setInformativeText(Text::tr("A durable execution engine and its console.\nBuilt with Qt %1.")
                                .arg(QString::fromLatin1(QT_VERSION_STR)));
    box->setStandardButtons(QMessageBox::Close);
    box->open();
}

} // namespace ergon::dialogs
