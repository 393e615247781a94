#include "clirunner.h"

#include <QFile>
#include <QtGlobal>

#include <csignal>
#include <sys/types.h>

namespace ergon::test {

namespace {
constexpr int processTimeoutMs = 60000;
} // namespace

QString CliOutcome::describe() const
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(exitCode).arg(stdoutText(), stderrText());
}

CliRunner::CliRunner()
    : m_db(m_dir.filePath(QStringLiteral("cli.db")))
{
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
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    env.remove(QStringLiteral("ERGON_PLUGIN_PATH"));
    return env;
}

CliOutcome CliRunner::runRaw(const QStringList &arguments) const
{
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(QStringLiteral(ERGON_CONSOLE_PATH), arguments);
    CliOutcome outcome;
    if (!process.waitForFinished(processTimeoutMs)) {
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

CliOutcome CliRunner::run(const QStringList &arguments) const
{
    return runRaw(arguments +
                  QStringList{QStringLiteral("--db"), m_db, QStringLiteral("--plugins"),
                              QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
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
    process->setStandardErrorFile(m_dir.filePath(QStringLiteral("worker-%1.err").arg(m_workers.size())));
    process->setStandardOutputFile(m_dir.filePath(QStringLiteral("worker-%1.out").arg(m_workers.size())));
    process->start(QStringLiteral(ERGON_CONSOLE_PATH),
                   QStringList{QStringLiteral("worker"), QStringLiteral("--db"), m_db, QStringLiteral("--plugins"),
                               QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)} +
                       options);
    process->waitForStarted();
    return process;
}

QString CliRunner::workerErrors(int number) const
{
    QFile file(m_dir.filePath(QStringLiteral("worker-%1.err").arg(number)));
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
