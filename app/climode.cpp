#include "climode.h"

#include "clicommand.h"
#include "clicontext.h"
#include "commandline.h"

#include <ergon/openexecutionlog.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>

namespace ergon {

namespace cli {

namespace {

const QString usageKind = QStringLiteral("usage");

// What Qt and its plugins print on their own ("qt.core.plugin.loader: ...", "QSocketNotifier:
// Invalid socket ..."): not the program's messages, which are its results on stdout and its
// one-line errors on stderr. Off by default; QT_LOGGING_RULES="ergon.qt.debug=true" (or
// ".warning") shows them, with the program's name and their category.
Q_LOGGING_CATEGORY(lcQtMessages, "ergon.qt", QtCriticalMsg)

void routeQtMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray category = context.category ? QByteArray(context.category) : QByteArray("default");
    // The program's own categories reach here only when their rules enable them.
    if (type != QtFatalMsg && !category.startsWith("ergon.") && !lcQtMessages().isEnabled(type))
        return;
    QString line = QCoreApplication::applicationName() + QStringLiteral(": ");
    if (category != "default")
        line += QString::fromUtf8(category) + QStringLiteral(": ");
    line += message;
    std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
    std::fflush(stderr);
}

void setUp(QCommandLineParser &parser, const Verb &verb)
{
    parser.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Shows this help.")});
    parser.addOption({QStringLiteral("db"),
                      QStringLiteral("The database to use: a SQLite file (default: %1) or a PostgreSQL server,\n"
                                     "postgresql://user@host:port/dbname (password: PGPASSWORD or ~/.pgpass).")
                          .arg(QDir::toNativeSeparators(defaultDatabasePath())),
                      QStringLiteral("path|url")});
    parser.addOption({QStringLiteral("plugins"),
                      QStringLiteral("A folder of flow plugins, scanned before the default ones (repeatable)."),
                      QStringLiteral("dir")});
    if (verb.addOptions)
        verb.addOptions(parser);
    if (!verb.argument.isEmpty())
        parser.addPositionalArgument(verb.argument, verb.argumentHelp);
    if (!verb.secondArgument.isEmpty())
        parser.addPositionalArgument(verb.secondArgument, verb.secondArgumentHelp);
}

QString verbHelp(const Verb &verb)
{
    QCommandLineParser parser;
    setUp(parser, verb);
    // Qt's usage line names the executable's full path and not the verb: write our own.
    const QString qtHelp = parser.helpText();
    QString text = QStringLiteral("Usage: %1 %2 [options]").arg(QCoreApplication::applicationName(), verb.name);
    if (!verb.argument.isEmpty())
        text += QLatin1Char(' ') + verb.argument;
    if (!verb.secondArgument.isEmpty())
        text += QLatin1Char(' ') + verb.secondArgument;
    text += QStringLiteral("\n\n") + verb.summary + QStringLiteral("\n\n");
    const qsizetype options = qtHelp.indexOf(QStringLiteral("Options:"));
    text += options >= 0 ? qtHelp.mid(options) : qtHelp;
    if (!verb.details.isEmpty())
        text += QLatin1Char('\n') + verb.details + QLatin1Char('\n');
    return text;
}

// The first argument that reads as a negative number ("-1"), which the parser took for options.
QString negativeNumber(const QStringList &arguments)
{
    for (const QString &argument : arguments) {
        if (argument.size() > 1 && argument.front() == QLatin1Char('-') && argument.at(1).isDigit())
            return argument;
    }
    return {};
}

QString absolute(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

} // namespace

Error usageError(QString message)
{
    return Error(std::move(message), usageKind);
}

int exitCode(const Result<void> &result)
{
    if (result)
        return ExitSuccess;
    return result.error().kind() == usageKind ? ExitUsage : ExitFailure;
}

const QList<Verb> &verbs()
{
    static const QList<Verb> all = [] {
        QList<Verb> list;
        list.append(workerVerb());
        list.append(flowVerbs());
        list.append(overviewVerbs());
        list.append(migrateVerb());
        return list;
    }();
    return all;
}

const Verb *findVerb(const QString &name)
{
    for (const Verb &verb : verbs()) {
        if (verb.name == name)
            return &verb;
    }
    return nullptr;
}

} // namespace cli

int runCli(const CommandLine &commandLine)
{
    using namespace cli;
    qInstallMessageHandler(routeQtMessage);
    QTextStream out(stdout);
    QTextStream err(stderr);
    const QString program = QCoreApplication::applicationName();
    const Verb *verb = findVerb(commandLine.command);
    if (!verb) { // parseCommandLine() lets only known verbs through
        err << program << ": unknown command '" << commandLine.command << "'" << Qt::endl;
        return ExitUsage;
    }

    const auto run = [&]() -> Result<void> {
        QCommandLineParser parser;
        setUp(parser, *verb);
        if (!parser.parse(QStringList{program} + commandLine.commandArguments)) {
            // "-1" reads as the short options '1': say what it is instead.
            for (const QString &name : parser.unknownOptionNames()) {
                if (!name.isEmpty() && name.front().isDigit()) {
                    const QString negative = negativeNumber(commandLine.commandArguments);
                    return usageError(
                        verb->argument == QLatin1String("ID")
                            ? QStringLiteral("'%1' is not a flow id (ids are whole numbers from 1)").arg(negative)
                            : QStringLiteral("unexpected argument '%1'").arg(negative));
                }
            }
            return usageError(parser.errorText());
        }
        if (parser.isSet(QStringLiteral("help"))) {
            out << verbHelp(*verb);
            return {};
        }
        const QStringList positional = parser.positionalArguments();
        QString argument;
        QString secondArgument;
        if (!verb->argument.isEmpty()) {
            if (positional.isEmpty())
                return usageError(QStringLiteral("%1 needs %2").arg(verb->name, verb->argument));
            argument = positional.first();
        }
        if (!verb->secondArgument.isEmpty()) {
            if (positional.size() < 2)
                return usageError(QStringLiteral("%1 needs %2").arg(verb->name, verb->secondArgument));
            secondArgument = positional.at(1);
        }
        const qsizetype expected = (verb->argument.isEmpty() ? 0 : 1) + (verb->secondArgument.isEmpty() ? 0 : 1);
        if (positional.size() > expected)
            return usageError(QStringLiteral("unexpected argument '%1'").arg(positional.last()));

        // --db and --plugins may come before the verb too; the verb's own win (db) or follow (plugins).
        const bool dbGiven = parser.isSet(QStringLiteral("db"));
        const QString db = dbGiven ? parser.value(QStringLiteral("db")) : commandLine.databasePath;
        if (db.isEmpty())
            return usageError(QStringLiteral("--db needs a path"));
        if (const QString wrong = unsupportedUrl(db); !wrong.isEmpty())
            return usageError(wrong);
        QStringList plugins = commandLine.pluginFolders;
        for (const QString &folder : parser.values(QStringLiteral("plugins")))
            plugins.append(absolute(folder));

        Context context(*verb, parser, argument, isDatabaseUrl(db) ? db : absolute(db),
                        commandLine.isDefaultDatabase && !dbGiven, plugins, out, err);
        context.setSecondArgument(secondArgument);
        return verb->run(context);
    };

    const Result<void> result = run();
    out.flush();
    if (!result) {
        // One line, as the README promises: a usage error names the help in the same line.
        err << program << ": " << QString(result.errorString()).replace(QLatin1Char('\n'), QLatin1Char(' '));
        if (exitCode(result) == ExitUsage)
            err << " (see '" << program << ' ' << verb->name << " --help')";
        err << Qt::endl;
    }
    return exitCode(result);
}

} // namespace ergon
