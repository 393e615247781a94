#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <initializer_list>
#include <optional>

namespace ergon::test {

/// What one run of ergon-console gave.
struct CliOutcome {
    int exitCode = -1; ///< -1 when it crashed or did not finish
    QByteArray out;
    QByteArray err;

    QString stdoutText() const { return QString::fromUtf8(out); }
    QString stderrText() const { return QString::fromUtf8(err); }
    QStringList lines() const { return stdoutText().split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
    QStringList errorLines() const { return stderrText().split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
    QJsonDocument json() const { return QJsonDocument::fromJson(out); }
    QString describe() const;
};

/// A QStringList of UTF-8 literals.
QStringList strings(std::initializer_list<const char *> items);

/// The real ergon-console binary on a temporary database (cli.db) with the bundled plugins, as
/// a user or a script runs it, with a data folder of its own (default database, user plugins)
/// and ERGON_PLUGIN_PATH unset: verbs to completion, and worker processes the test stops (or
/// kills). The worker processes still running are killed when the runner goes; their stderr,
/// kept in files, is printed by printWorkerErrors() (call it when a test failed).
class CliRunner
{
public:
    static constexpr int timeoutMs = 60000; ///< how long one verb may take

    /// In a temporary folder of its own.
    CliRunner();
    /// In `folder`, which the test owns (and may prepare).
    explicit CliRunner(const QTemporaryDir &folder);
    ~CliRunner();
    CliRunner(const CliRunner &) = delete;
    CliRunner &operator=(const CliRunner &) = delete;

    bool isValid() const { return !m_ownDir || m_ownDir->isValid(); }
    const QString &database() const { return m_db; }
    /// A path in the runner's folder.
    QString filePath(const QString &name) const;

    /// The verb's arguments as given (nothing added).
    CliOutcome runRaw(const QStringList &arguments) const;
    /// The verb's arguments plus --db (the test database) and --plugins (the bundled folder).
    CliOutcome run(const QStringList &arguments) const;
    QStringList withDatabase(const QStringList &arguments) const;
    /// Runs it with arguments given as raw bytes (QProcess would encode a QString as valid
    /// UTF-8): through sh, which passes "$@" on untouched.
    CliOutcome runBytes(const QList<QByteArray> &arguments) const;
    /// `schedule ARGUMENTS`: the new ids, or none (and a warning) when it failed.
    QList<qint64> schedule(const QStringList &arguments) const;
    QJsonObject showJson(qint64 id) const;
    QJsonObject stats() const;

    /// `worker OPTIONS` on the test database, started; its stderr goes to worker-N.err.
    QProcess *startWorker(const QStringList &options);
    /// What worker N (from 1) wrote on stderr so far.
    QString workerErrors(int number) const;
    void printWorkerErrors() const;

    /// The environment of every process: the user's data folder is the test's own.
    QProcessEnvironment environment() const;

private:
    CliOutcome start(const QString &program, const QStringList &arguments) const;

    std::optional<QTemporaryDir> m_ownDir;
    QString m_folder;
    QString m_db;
    QList<QProcess *> m_workers;
};

/// Sends a signal to a process (SIGINT, SIGTERM, SIGKILL).
bool sendSignal(const QProcess &process, int signal);

} // namespace ergon::test
