#pragma once

#include <memory>

class QCoreApplication;

namespace ergon {

struct CommandLine;

/// The application object the window needs, a QApplication, which takes Qt's own GUI options
/// (-platform, -style ...) out of the arguments: created before they are parsed. A build
/// without the window (ERGON_BUILD_UI=OFF) has a QCoreApplication.
std::unique_ptr<QCoreApplication> createGuiApplication(int &argc, char **argv);

/// Runs the console window on the command line's database until it is closed. Needs the
/// application of createGuiApplication(). Returns the process exit code: 1 if the database
/// cannot be opened, or if this build has no window.
int runGui(const CommandLine &commandLine);

} // namespace ergon
