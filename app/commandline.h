#pragma once

#include <QString>
#include <QStringList>

namespace ergon {

/// What the command line asks for, parsed before any window or database is opened.
///
/// With a verb (worker, schedule, list ...: see clicommand.h) the console runs headless and the
/// verb parses the rest of the arguments; without one it opens its window on the database.
struct CommandLine {
    enum class Mode { Gui, Command, Help, Version, Invalid };

    Mode mode = Mode::Gui;
    QString databasePath; ///< absolute; the default database unless --db was given
    bool isDefaultDatabase = true;
    QStringList pluginFolders;    ///< every --plugins, in the order given
    QString screenshotFolder;     ///< --screenshots: save each page there and exit (GUI mode)
    double screenshotWait = 0;    ///< --screenshot-wait: seconds of live readings before the shots
    QString theme;                ///< --theme: system, light or dark (GUI mode); empty: as last chosen
    QString error;                ///< what is wrong, for Mode::Invalid
    QStringList unknownOptions;   ///< for Mode::Invalid
    QString command;              ///< for Mode::Command: the verb
    QStringList commandArguments; ///< for Mode::Command: everything after the verb
};

/// Parses arguments (the first is the program). Pure: creating the database's folder is left to
/// the mode that opens it.
CommandLine parseCommandLine(const QStringList &arguments);

/// What is wrong with the raw arguments (argv) before Qt decodes them, or nothing: an argument
/// that is not valid UTF-8 is refused, since Qt would replace its bytes with U+FFFD and two
/// different keys or arguments would read as one.
QString invalidRawArgument(int argc, const char *const *argv);

/// The text printed by --help.
QString commandLineHelp();

/// Whether the command line needs a QApplication, decided on the raw arguments before any
/// application object exists: help, version and the headless verbs must run without a display,
/// while Qt's own GUI options (-platform, -style ...) are only removed by QApplication.
bool needsGuiApplication(const QStringList &arguments);

/// The error for a --db that looks like a URL ("scheme://") but not a postgresql:// one, or
/// nothing: such a location is never taken for a file path (nor shown with its password).
QString unsupportedUrl(const QString &location);

/// QStandardPaths::AppDataLocation + "/ergon.db", e.g. ~/.local/share/Ergon/ergon-console/ergon.db.
QString defaultDatabasePath();

} // namespace ergon
