// The window's entry points in a build without it (ERGON_BUILD_UI=OFF, as the sanitizer pass
// builds): the commands work as ever; the window is refused with a clear error.

#include "guimode.h"

#include <QCoreApplication>
#include <QTextStream>

namespace ergon {

std::unique_ptr<QCoreApplication> createGuiApplication(int &argc, char **argv)
{
    return std::make_unique<QCoreApplication>(argc, argv);
}

int runGui(const CommandLine &)
{
    QTextStream(stderr) << QCoreApplication::applicationName()
                        << ": this build has no window (ERGON_BUILD_UI=OFF); give it a command (see '"
                        << QCoreApplication::applicationName() << " --help')" << Qt::endl;
    return 1;
}

} // namespace ergon
