#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QtGlobal>

#include <csignal>
#include <sys/types.h>

namespace ergon::test {

QStringList strings(std::initializer_list<const char *> items)
{
    QStringList list;
    for (const char *item : items)
        list.append(QString::fromUtf8(item));
    return list;
}

QString CliOutcome::describe() const
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(exitCode).arg(stdoutText(), stderrText());
}

CliRunner::CliRunner()
    : m_ownDir(std::in_place)
    , m_folder(m_ownDir->path())
    , m_db(filePath(QStringLiteral("cli.db")))
{
}

CliRunner::CliRunner(const QTemporaryDir &folder)
    : m_folder(folder.path())
    , m_db(filePath(QStringLiteral("cli.db")))
{
}

QString CliRunner::filePath(const QString &name) const
{
    return QDir(m_folder).filePath(name);
}

CliRunner::~CliRunner()
{
    for (QProcess *worker : std::as_const(m_workers)) {
        if (worker->state() != QProcess::NotRunning) {
            worker->kill();
            worker->waitForFinished();
        }
        delete worker;
    }
}

QProcessEnvironment CliRunner::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), filePath(QStringLiteral("data")));
    env.remove(QStringLiteral("ERGON_PLUGIN_PATH"));
    env.remove(QStringLiteral("QT_LOGGING_RULES")); // what the verbs print is theirs alone
    return env;
}

CliOutcome CliRunner::runRaw(const QStringList &arguments) const
{
    return start(QStringLiteral(ERGON_CONSOLE_PATH), arguments);
}

CliOutcome CliRunner::runBytes(const QList<QByteArray> &arguments) const
{
    // Each raw argument goes through a printf of its octal escapes, so that the bytes reach the
    // program exactly.
    QString script = QStringLiteral("exec \"$0\"");
    for (const QByteArray &argument : arguments) {
        QString escaped;
        for (const char c : argument)
            escaped += QStringLiteral("\\%1").arg(uint(static_cast<unsigned char>(c)), 3, 8, QLatin1Char('0'));
        script += QStringLiteral(" \"$(printf '%1')\"").arg(escaped);
    }
    return start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, QStringLiteral(ERGON_CONSOLE_PATH)});
}

CliOutcome CliRunner::start(const QString &program, const QStringList &arguments) const
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

QStringList CliRunner::withDatabase(const QStringList &arguments) const
{
    return arguments +
        QStringList{QStringLiteral("--db"), m_db, QStringLiteral("--plugins"),
                    QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)};
}

CliOutcome CliRunner::run(const QStringList &arguments) const
{
    return runRaw(withDatabase(arguments));
}

QList<qint64> CliRunner::schedule(const QStringList &arguments) const
{
    const CliOutcome outcome = run(QStringList{QStringLiteral("schedule")} + arguments);
    QList<qint64> ids;
    if (outcome.exitCode != 0) {
        qWarning("%s", qPrintable(outcome.describe()));
        return ids;
    }
    for (const QString &line : outcome.lines())
        ids.append(line.toLongLong());
    return ids;
}

QJsonObject CliRunner::showJson(qint64 id) const
{
    return run({QStringLiteral("show"), QString::number(id), QStringLiteral("--json")}).json().object();
}

QJsonObject CliRunner::stats() const
{
    return run({QStringLiteral("stats"), QStringLiteral("--json")}).json().object();
}

QProcess *CliRunner::startWorker(const QStringList &options)
{
    auto *process = new QProcess;
    m_workers.append(process);
    process->setProcessEnvironment(environment());
    process->setStandardErrorFile(filePath(QStringLiteral("worker-%1.err").arg(m_workers.size())));
    process->setStandardOutputFile(filePath(QStringLiteral("worker-%1.out").arg(m_workers.size())));
    process->start(QStringLiteral(ERGON_CONSOLE_PATH), withDatabase({QStringLiteral("worker")}) + options);
    process->waitForStarted();
    return process;
}

QString CliRunner::workerErrors(int number) const
{
    QFile file(filePath(QStringLiteral("worker-%1.err").arg(number)));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

void CliRunner::printWorkerErrors() const
{
    for (qsizetype i = 1; i <= m_workers.size(); ++i)
        qWarning("worker %lld stderr:\n%s", qlonglong(i), qPrintable(workerErrors(int(i)).right(3000)));
}

bool sendSignal(const QProcess &process, int signal)
{
    return process.processId() > 0 && ::kill(pid_t(process.processId()), signal) == 0;
}

} // namespace ergon::test
