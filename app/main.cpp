#include "climode.h"
#include "commandline.h"
#include "guimode.h"

#include <QCoreApplication>
#include <QTextStream>

#include <memory>

namespace {

QStringList rawArguments(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return arguments;
}

int dispatch(const ergon::CommandLine &commandLine)
{
    using Mode = ergon::CommandLine::Mode;
    switch (commandLine.mode) {
    case Mode::Help:
        QTextStream(stdout) << ergon::commandLineHelp();
        return 0;
    case Mode::Version:
        QTextStream(stdout) << QCoreApplication::applicationName() << ' ' << QCoreApplication::applicationVersion()
                            << Qt::endl;
        return 0;
    case Mode::Invalid:
        // One line, as every error (README): what is wrong, and where the help is.
        QTextStream(stderr) << QCoreApplication::applicationName() << ": " << commandLine.error << " (see '"
                            << QCoreApplication::applicationName() << " --help')" << Qt::endl;
        return 2; // a malformed command line, as every command reports it
    case Mode::Command:
        return ergon::runCli(commandLine);
    case Mode::Gui:
        return ergon::runGui(commandLine);
    }
    return 1;
}

} // namespace

int main(int argc, char *argv[])
{
    // Before anything reads QStandardPaths: the data lives in ~/.local/share/Ergon/ergon-console.
    QCoreApplication::setOrganizationName(QStringLiteral("Ergon"));
    QCoreApplication::setApplicationName(QStringLiteral("ergon-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ERGON_CONSOLE_VERSION));

    if (const QString invalid = ergon::invalidRawArgument(argc, argv); !invalid.isEmpty()) {
        // Before Qt decodes the arguments, which would replace the bad bytes silently.
        QTextStream(stderr) << QCoreApplication::applicationName() << ": " << invalid << Qt::endl;
        return 2; // a malformed command line
    }
    const std::unique_ptr<QCoreApplication> app = ergon::needsGuiApplication(rawArguments(argc, argv))
        ? ergon::createGuiApplication(argc, argv)
        : std::make_unique<QCoreApplication>(argc, argv);
    return dispatch(ergon::parseCommandLine(QCoreApplication::arguments()));
}
