#pragma once

#include "clicommand.h"

#include <ergon/flowworker.h>
#include <ergon/limits.h>
#include <ergon/result.h>

#include <QStringList>

#include <chrono>
#include <memory>

class QCommandLineParser;
class QJsonValue;
class QTextStream;

namespace ergon {
class ExecutionLog;
class PluginCatalog;
} // namespace ergon

namespace ergon::cli {

/// What a verb gets: its parsed options and argument, the database and plugin folders chosen
/// on the command line, the output streams, and readers of option values that turn a
/// malformed value into a usage error.
class Context
{
public:
    Context(const Verb &verb, const QCommandLineParser &parser, QString argument, QString databasePath,
            bool isDefaultDatabase, QStringList pluginFolders, QTextStream &out, QTextStream &err);

    const Verb &verb() const { return m_verb; }
    /// The verb's positional argument (empty for verbs without one).
    const QString &argument() const { return m_argument; }
    /// The verb's second positional argument (Verb::secondArgument; empty for verbs without one).
    const QString &secondArgument() const { return m_secondArgument; }
    void setSecondArgument(QString argument) { m_secondArgument = std::move(argument); }
    /// A path (SQLite) or a postgresql:// URL, which may hold a password: show it through
    /// displayLocation(), never as it is.
    const QString &databasePath() const { return m_databasePath; }

    QTextStream &out() { return m_out; }
    /// For warnings that do not end the command (a worker's passing problem).
    QTextStream &err() { return m_err; }
    /// Prints a JSON object or array on stdout, indented.
    void printJson(const QJsonValue &value);

    bool isSet(const QString &option) const;
    QString value(const QString &option) const;
    /// The option's whole-number value within the range, or the fallback when it is not given.
    Result<qint64> integer(const QString &option, qint64 fallback, const limits::Range &range) const;
    /// The option's value in seconds (a decimal number) as milliseconds within the range, or the
    /// fallback when it is not given; NaN, infinities and values out of range are refused.
    Result<std::chrono::milliseconds> seconds(const QString &option, std::chrono::milliseconds fallback,
                                              const limits::Range &range) const;
    /// The positional argument read as a flow id.
    Result<qint64> flowId() const;

    /// Opens the database (creating the default database's folder first): a SQLite file, or a
    /// PostgreSQL server named by a postgresql:// URL.
    Result<std::unique_ptr<ExecutionLog>> openLog() const;
    /// Opens a database that must exist already, for the verbs that read or change what is in
    /// it: a SQLite path that does not exist is "no such database", not a new empty database.
    /// A verb holds the connection and hands the code that uses it only the roles it needs
    /// (a FlowReader to print, LogAdministration to change: executionlog.h).
    Result<std::unique_ptr<ExecutionLog>> openExistingLog() const;
    /// Opens a connection to the database on the calling thread, for workers.
    LogOpener logOpener() const;
    /// Loads the flow plugins: every --plugins folder first, then the default search paths.
    std::unique_ptr<PluginCatalog> loadCatalog() const;
    /// Warns on stderr of every flow type that two plugins declare (of `type` only, if given):
    /// which plugin provides it, and which one lost it.
    void warnAboutShadowedTypes(const PluginCatalog &catalog, const QString &type = {});

private:
    const Verb &m_verb;
    const QCommandLineParser &m_parser;
    QString m_argument;
    QString m_secondArgument;
    QString m_databasePath;
    bool m_isDefaultDatabase;
    QStringList m_pluginFolders;
    QTextStream &m_out;
    QTextStream &m_err;
};

} // namespace ergon::cli
