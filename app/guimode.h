#pragma once

namespace ergon {

struct CommandLine;

/// Runs the console window on the command line's database until it is closed. Needs a
/// QApplication. Returns the process exit code: 1 if the database cannot be opened.
int runGui(const CommandLine &commandLine);

} // namespace ergon
