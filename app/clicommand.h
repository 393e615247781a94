#pragma once

#include <ergon/result.h>

#include <QList>
#include <QString>

class QCommandLineParser;

namespace ergon::cli {

class Context;

/// One verb of the headless command line (`ergon-console VERB ...`): its name, its help, the
/// options it adds to the common ones (--db, --plugins, --help), and what it does.
///
/// A verb prints its results, and nothing else, on stdout; it returns its failure as an Error
/// (usageError() for a malformed command line) and never prints it: the dispatcher does,
/// once, and turns it into the exit code.
struct Verb {
    QString name;
    QString summary;  ///< one line, for `ergon-console --help`
    QString argument; ///< its one required positional argument ("TYPE", "ID"), if any
    QString argumentHelp;
    QString details; ///< more text for `ergon-console VERB --help` (output format ...)
    void (*addOptions)(QCommandLineParser &parser) = nullptr;
    Result<void> (*run)(Context &context) = nullptr;
    QString secondArgument = {}; ///< a second required positional argument ("NAME"), if any
    QString secondArgumentHelp = {};
};

/// Every verb, in the order --help lists them.
const QList<Verb> &verbs();
const Verb *findVerb(const QString &name);

// The verb groups, each defined in its own file.
QList<Verb> flowVerbs();     // flowverbs.cpp: schedule, list, show, retry, cancel, signal
QList<Verb> overviewVerbs(); // overviewverbs.cpp: stats, check, timers, workers
Verb workerVerb();           // workerverb.cpp: worker
Verb migrateVerb();          // migrateverb.cpp: migrate

/// Exit codes: 0 success, 1 the command failed, 2 the command line is malformed.
enum ExitCode { ExitSuccess = 0, ExitFailure = 1, ExitUsage = 2 };

/// An error in the command line itself (unknown option, missing or malformed value): exit 2.
Error usageError(QString message);
int exitCode(const Result<void> &result);

} // namespace ergon::cli
