#pragma once

// What the hostile-input CLI suites share (tst_clipasswords, tst_cliinput, tst_clishadowing):
// the real ergon-console run in a child process on a temporary database with the bundled
// plugins, its exit code and both streams, with arguments given as raw bytes where needed.

#include <QByteArray>
#include <QJsonDocument>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <initializer_list>

namespace ergon::test {

struct CliOutcome {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QString stdoutText() const { return QString::fromUtf8(out); }
    QString stderrText() const { return QString::fromUtf8(err); }
    QStringList lines() const { return stdoutText().split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
    QStringList errorLines() const { return stderrText().split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
    QJsonDocument json() const { return QJsonDocument::fromJson(out); }
    QString describe() const
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(exitCode).arg(stdoutText(), stderrText());
    }
};

inline QStringList strings(std::initializer_list<const char *> items)
{
    QStringList list;
    for (const char *item : items)
        list.append(QString::fromUtf8(item));
    return list;
}

/// Runs ergon-console with a data folder of its own (default database, user plugins) inside
/// `dir`, ERGON_PLUGIN_PATH unset.
class CliRunner
{
public:
    static constexpr int timeoutMs = 30000;

    explicit CliRunner(const QTemporaryDir &dir)
        : m_dir(dir)
    {
    }

    QString database() const { return m_dir.filePath(QStringLiteral("cli.db")); }

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        env.remove(QStringLiteral("ERGON_PLUGIN_PATH"));
        env.remove(QStringLiteral("QT_LOGGING_RULES"));
        return env;
    }

    /// The verb's arguments plus --db (the test database) and --plugins (the bundled folder).
    QStringList withDatabase(const QStringList &arguments) const
    {
        return arguments +
            QStringList{QStringLiteral("--db"), database(), QStringLiteral("--plugins"),
                        QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)};
    }

    CliOutcome runRaw(const QStringList &arguments) const
    {
        return start(QStringLiteral(ERGON_CONSOLE_PATH), arguments);
    }
    CliOutcome run(const QStringList &arguments) const { return runRaw(withDatabase(arguments)); }

    /// Runs it with arguments given as raw bytes (QProcess would encode a QString as valid
    /// UTF-8): through sh, which passes "$@" on untouched.
    CliOutcome runBytes(const QList<QByteArray> &arguments) const
    {
        // Each raw argument goes through a printf of its octal escapes, so that the bytes reach
        // the program exactly.
        QString script = QStringLiteral("exec \"$0\"");
        for (const QByteArray &argument : arguments) {
            QString escaped;
            for (const char c : argument)
                escaped += QStringLiteral("\\%1").arg(uint(static_cast<unsigned char>(c)), 3, 8, QLatin1Char('0'));
            script += QStringLiteral(" \"$(printf '%1')\"").arg(escaped);
        }
        return start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, QStringLiteral(ERGON_CONSOLE_PATH)});
    }

private:
    CliOutcome start(const QString &program, const QStringList &arguments) const
    {
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(program, arguments);
        CliOutcome outcome;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            outcome.err = "the process did not finish in time";
            return outcome;
        }
        outcome.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        outcome.out = process.readAllStandardOutput();
        outcome.err = process.readAllStandardError();
        return outcome;
    }

    const QTemporaryDir &m_dir;
};

} // namespace ergon::test
