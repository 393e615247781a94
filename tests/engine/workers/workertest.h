#pragma once

#include "logfixture.h"

#include <ergon/executionlog.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>

namespace ergon::test {

/// The storage of one worker test: a private location of one backend, the test thread's own
/// connection, and the opener each worker calls on its own thread for its own connection.
class WorkerStorage
{
public:
    explicit WorkerStorage(const QString &backend);

    bool isValid() const { return m_log != nullptr; }
    const QString &error() const { return m_error; }
    /// The test thread's connection.
    ExecutionLog &log() { return *m_log; }
    /// What FlowWorker calls on the worker's thread: a new connection to the same data.
    LogOpener opener() const;

private:
    std::shared_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;
    QString m_error;
};

/// Makes Qt's warnings of objects used from the wrong thread (a timer started from another
/// thread, a cross-thread parent) fail the current test: they mean a worker silently lost its
/// timers. Call it in init().
void failOnThreadMisuse();

/// Arguments of demo.Pipeline.
QJsonObject pipelineArguments(int steps, int stepMs, const QString &witness = {});
/// `count` requests of one flow type with the same arguments.
QList<ScheduleRequest> requests(const QString &type, const QJsonObject &arguments, int count, int priority = 0);

/// How many flows have the status (-1 when the log cannot be read).
qint64 countOf(ExecutionLog &log, FlowStatus status);
/// Flows not finished yet (-1 when the log cannot be read).
qint64 unfinishedCount(ExecutionLog &log);
/// Counts by status on one line, for failure messages.
QString countsText(ExecutionLog &log);
/// Every flow of the log (all pages), newest first.
QList<FlowRecord> allFlows(ExecutionLog &log);

/// The lines of a demo.Pipeline witness file ("<flow id> <step name>"), counted.
QHash<QString, int> witnessCounts(const QString &path);
/// The key witnessCounts() uses for a step of a flow.
QString witnessKey(qint64 flowId, const QString &step);

} // namespace ergon::test
