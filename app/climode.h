#pragma once

namespace ergon {

struct CommandLine;

/// Runs the command line's verb headless (no window, no display) and returns the process exit
/// code: 0 success, 1 the command failed, 2 its options are malformed. Needs a QCoreApplication.
int runCli(const CommandLine &commandLine);

} // namespace ergon
