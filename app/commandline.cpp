#include "commandline.h"

#include "clicommand.h"

#include <ergon/openexecutionlog.h>
#include <ergon/storabletext.h>

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace ergon {

namespace {

const QString dbOption = QStringLiteral("db");
const QString pluginsOption = QStringLiteral("plugins");
const QString screenshotsOption = QStringLiteral("screenshots");
const QString screenshotWaitOption = QStringLiteral("screenshot-wait");
const QString themeOption = QStringLiteral("theme");

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
                      QCoreApplication::translate("CommandLine",
                                                  "The database to use: a SQLite file (default: %1) or a PostgreSQL "
                                                  "server, postgresql://user@host:port/dbname.")
                          .arg(QDir::toNativeSeparators(defaultDatabasePath())),
                      QCoreApplication::translate("CommandLine", "path|url")});
    parser.addOption({pluginsOption,
                      QCoreApplication::translate("CommandLine", "A folder of flow plugins to add (repeatable)."),
                      QCoreApplication::translate("CommandLine", "dir")});
    parser.addOption(
        {screenshotsOption,
         QCoreApplication::translate("CommandLine",
                                     "Opens the window on the database, waits for its first readings, saves "
                                     "each page as DIR/<page>.png and exits."),
         QCoreApplication::translate("CommandLine", "dir")});
    parser.addOption(
        {screenshotWaitOption,
         QCoreApplication::translate("CommandLine",
                                     "With --screenshots: watches the database this long first, so that the "
                                     "charts have a history (default: 0)."),
         QCoreApplication::translate("CommandLine", "seconds")});
    parser.addOption({themeOption,
                      QCoreApplication::translate("CommandLine",
                                                  "The window's look: system, light or dark (default: as last chosen "
                                                  "in View › Theme)."),
                      QCoreApplication::translate("CommandLine", "theme")});
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

QString unsupportedUrl(const QString &location)
{
    // "postgresq://u:pw@host/db" is a typo, not a file to create: and shown as a path, its
    // password would be printed.
    if (!location.contains(QLatin1String("://")) || isDatabaseUrl(location))
        return {};
    return QCoreApplication::translate("CommandLine", "--db: '%1' is not a postgresql:// URL nor a file path")
        .arg(displayLocation(location));
}

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
    if (const QString wrong = unsupportedUrl(path); !wrong.isEmpty()) {
        result.mode = CommandLine::Mode::Invalid;
        result.error = wrong;
        return result;
    }
    // A server's URL is taken as it is; a file's path is made absolute.
    result.databasePath = isDatabaseUrl(path) ? path : QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    for (const QString &folder : parser.values(pluginsOption))
        result.pluginFolders.append(QDir::cleanPath(QFileInfo(folder).absoluteFilePath()));
    if (parser.isSet(screenshotsOption)) {
        const QString folder = parser.value(screenshotsOption);
        if (folder.isEmpty() || result.mode != CommandLine::Mode::Gui) {
            result.mode = CommandLine::Mode::Invalid;
            result.error = folder.isEmpty()
                ? QCoreApplication::translate("CommandLine", "--screenshots needs a folder")
                : QCoreApplication::translate("CommandLine",
                                              "--screenshots is an option of the window, not of a command");
            return result;
        }
        result.screenshotFolder = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    }
    if (parser.isSet(screenshotWaitOption)) {
        bool ok = false;
        const double seconds = parser.value(screenshotWaitOption).toDouble(&ok);
        if (!ok || seconds < 0 || seconds > 3600 || result.screenshotFolder.isEmpty()) {
            result.mode = CommandLine::Mode::Invalid;
            result.error = result.screenshotFolder.isEmpty()
                ? QCoreApplication::translate("CommandLine", "--screenshot-wait goes with --screenshots")
                : QCoreApplication::translate("CommandLine", "--screenshot-wait needs seconds between 0 and 3600");
            return result;
        }
        result.screenshotWait = seconds;
    }
    if (parser.isSet(themeOption)) {
        const QString theme = parser.value(themeOption);
        if (theme != QLatin1String("system") && theme != QLatin1String("light") && theme != QLatin1String("dark")) {
            result.mode = CommandLine::Mode::Invalid;
            result.error = QCoreApplication::translate("CommandLine", "--theme is system, light or dark");
            return result;
        }
        result.theme = theme;
    }
    return result;
}

QString invalidRawArgument(int argc, const char *const *argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray bytes(argv[i]);
        if (decodeUtf8Strictly(bytes, {}))
            continue;
        // Shown with its bad bytes escaped (\xff), after the option it belongs to, if any.
        QString shown;
        for (const char c : bytes) {
            const auto byte = static_cast<unsigned char>(c);
            shown += byte >= 0x20 && byte < 0x7f ? QString(QLatin1Char(c))
                                                 : QStringLiteral("\\x%1").arg(uint(byte), 2, 16, QLatin1Char('0'));
        }
        const QByteArray previous = i > 1 ? QByteArray(argv[i - 1]) : QByteArray();
        const QString what = previous.startsWith("--") && !previous.contains('=')
            ? QStringLiteral("the value of %1").arg(QString::fromUtf8(previous))
            : QStringLiteral("argument %1").arg(i);
        return QStringLiteral("%1 is not valid UTF-8: '%2'").arg(what, shown);
    }
    return {};
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
