#include "commandline.h"

#include "clicommand.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace ergon {

namespace {

const QString dbOption = QStringLiteral("db");
const QString pluginsOption = QStringLiteral("plugins");

void setUp(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QCoreApplication::translate("CommandLine",
                                    "Ergon Console: a durable execution engine and its console.\n"
                                    "Without a command, opens the console window on the database."));
    // "-platform offscreen" must read as one option, as QApplication reads it.
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    // Everything after the command is the command's to parse (its options are its own).
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QCoreApplication::translate("CommandLine", "A command to run headless (see below)."),
                                 QStringLiteral("[command [options]]"));
    // Not addHelpOption(): its --help-all lists Qt's GUI options, which only a QApplication
    // knows, and help must print without a display.
    parser.addOption({{QStringLiteral("h"), QStringLiteral("help")},
                      QCoreApplication::translate("CommandLine", "Shows this help.")});
    parser.addVersionOption();
    parser.addOption({dbOption,
                      QCoreApplication::translate("CommandLine", "The SQLite database to use (default: %1).")
                          .arg(QDir::toNativeSeparators(defaultDatabasePath())),
                      QCoreApplication::translate("CommandLine", "path")});
    parser.addOption({pluginsOption,
                      QCoreApplication::translate("CommandLine", "A folder of flow plugins to add (repeatable)."),
                      QCoreApplication::translate("CommandLine", "dir")});
}

// Options that QApplication takes out of the arguments (QGuiApplication and QApplication docs).
bool isQtGuiOption(const QString &name)
{
    static const QStringList names = {
        QStringLiteral("platform"),      QStringLiteral("platformpluginpath"),
        QStringLiteral("platformtheme"), QStringLiteral("plugin"),
        QStringLiteral("qmljsdebugger"), QStringLiteral("qwindowgeometry"),
        QStringLiteral("qwindowicon"),   QStringLiteral("qwindowtitle"),
        QStringLiteral("reverse"),       QStringLiteral("session"),
        QStringLiteral("display"),       QStringLiteral("geometry"),
        QStringLiteral("style"),         QStringLiteral("stylesheet"),
        QStringLiteral("widgetcount"),   QStringLiteral("nograb"),
        QStringLiteral("dograb"),        QStringLiteral("sync"),
    };
    return names.contains(name);
}

} // namespace

QString defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/ergon.db");
}

CommandLine parseCommandLine(const QStringList &arguments)
{
    CommandLine result;
    QCommandLineParser parser;
    setUp(parser);
    if (!parser.parse(arguments)) {
        result.mode = CommandLine::Mode::Invalid;
        result.error = parser.errorText();
        result.unknownOptions = parser.unknownOptionNames();
        return result;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        result.mode = CommandLine::Mode::Help;
        return result;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        result.mode = CommandLine::Mode::Version;
        return result;
    }
    if (const QStringList positional = parser.positionalArguments(); !positional.isEmpty()) {
        if (!cli::findVerb(positional.first())) {
            result.mode = CommandLine::Mode::Invalid;
            result.error = QCoreApplication::translate("CommandLine", "unknown command '%1'").arg(positional.first());
            return result;
        }
        result.mode = CommandLine::Mode::Command;
        result.command = positional.first();
        result.commandArguments = positional.mid(1);
    }

    result.isDefaultDatabase = !parser.isSet(dbOption);
    const QString path = result.isDefaultDatabase ? defaultDatabasePath() : parser.value(dbOption);
    if (path.isEmpty()) {
        result.mode = CommandLine::Mode::Invalid;
        result.error = QCoreApplication::translate("CommandLine", "--db needs a path");
        return result;
    }
    result.databasePath = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    for (const QString &folder : parser.values(pluginsOption))
        result.pluginFolders.append(QDir::cleanPath(QFileInfo(folder).absoluteFilePath()));
    return result;
}

QString commandLineHelp()
{
    QCommandLineParser parser;
    setUp(parser);
    QString text = parser.helpText();
    text += QCoreApplication::translate("CommandLine", "\nCommands:\n");
    qsizetype width = 0;
    for (const cli::Verb &verb : cli::verbs())
        width = std::max(width, verb.name.size());
    for (const cli::Verb &verb : cli::verbs())
        text += QStringLiteral("  ") + verb.name.leftJustified(width + 2) + verb.summary + QLatin1Char('\n');
    text +=
        QCoreApplication::translate("CommandLine",
                                    "\n'%1 COMMAND --help' shows a command's options. Commands print their results,"
                                    " and only them, on\nstdout; errors go to stderr. Exit codes: 0 success, 1 failure,"
                                    " 2 malformed command line.\n")
            .arg(QCoreApplication::applicationName());
    return text;
}

bool needsGuiApplication(const QStringList &arguments)
{
    const CommandLine commandLine = parseCommandLine(arguments);
    switch (commandLine.mode) {
    case CommandLine::Mode::Gui:
        return true;
    case CommandLine::Mode::Command:
    case CommandLine::Mode::Help:
    case CommandLine::Mode::Version:
        return false;
    case CommandLine::Mode::Invalid:
        // Unknown only because QApplication has not taken out its options yet: let it.
        return std::any_of(commandLine.unknownOptions.cbegin(), commandLine.unknownOptions.cend(), isQtGuiOption);
    }
    return false;
}

} // namespace ergon
