// Compiled into every executable that links ergon-ui (an INTERFACE source of it): installs the
// console's translation as the QApplication is made, before any widget reads a tr() text. Not
// for a headless QCoreApplication: the CLI's texts are not the console's.
#include "shell/consoletranslations.h"

#include <QCoreApplication>

namespace {

void installForWindows()
{
    if (QCoreApplication::instance()->inherits("QApplication"))
        ergon::installConsoleTranslations();
}

} // namespace

Q_COREAPP_STARTUP_FUNCTION(installForWindows)
