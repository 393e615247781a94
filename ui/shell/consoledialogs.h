#pragma once

#include <QString>

#include <chrono>

class QFileDialog;
class QInputDialog;
class QMainWindow;
class QMessageBox;
class QPushButton;
class QWidget;

namespace ergon {

/// The console window's dialogs, each made ready and returned unopened (the caller connects to
/// it, then open()s it: window-modal, no nested event loop) or shown at once. Each deletes
/// itself when closed.
namespace dialogs {

/// File › Open Database…, starting in `folder`.
QFileDialog *openDatabase(QWidget *parent, const QString &folder);
/// File › New Database…: an existing file chosen is opened, never replaced.
QFileDialog *newDatabase(QWidget *parent, const QString &folder);
/// File › Open PostgreSQL Server…
QInputDialog *openServer(QWidget *parent);

/// Why a database could not be opened: the file (as shown) and the reason, in full; `stays`
/// names the database that stays open, if any.
QMessageBox *openFailure(QWidget *parent, const QString &shownLocation, const QString &error, const QString &stays);

/// Quit while this console's workers run: how many workers and flows, and what happens to the
/// flows. `*quit` is the button that confirms.
QMessageBox *quitWithWorkers(QWidget *parent, int workers, int flows, QPushButton **quit);

/// Workers › Stop all: how many workers of this console and flows, what happens to the flows
/// (each finishes its step within `deadline` and goes back to the queue). `*stop` confirms.
QMessageBox *stopAllWorkers(QWidget *parent, int workers, int flows, std::chrono::milliseconds deadline,
                            QPushButton **stop);
/// Workers › Forget stopped: deletes the rows (and counters) of `runs` stopped or lost worker
/// runs. `*forget` confirms.
QMessageBox *forgetWorkers(QWidget *parent, int runs, QPushButton **forget);

/// Help › Keyboard Shortcuts: every shortcut of the window's menus, and the pages' own.
void showShortcuts(QMainWindow *window);
/// Help › Read Me: the README, as shipped with the console.
void showReadme(QWidget *parent);
/// Help › About.
void showAbout(QWidget *parent);

} // namespace dialogs

} // namespace ergon
