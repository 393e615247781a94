// The verbs that summarise a database: stats, check, timers, workers.

#include "clicommand.h"
#include "clicontext.h"
#include "texttable.h"

#include <ergon/executionlog.h>
#include <ergon/jsonviews.h>
#include <ergon/sqliteexecutionlog.h>

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QTextStream>

namespace ergon::cli {

namespace {

const QString jsonOption = QStringLiteral("json");

void jsonOnly(QCommandLineParser &parser)
{
    parser.addOption({jsonOption, QStringLiteral("Prints JSON instead of text.")});
}

Result<void> printCounts(Context &context, FlowReader &reader)
{
    auto counts = reader.countByStatus();
    if (!counts)
        return counts.error();
    if (context.isSet(jsonOption)) {
        context.printJson(statusCountsToJson(*counts));
        return {};
    }
    TextTable table({TextTable::Align::Left, TextTable::Align::Right});
    for (int status = int(FlowStatus::Pending); status <= int(FlowStatus::Cancelled); ++status)
        table.addRow({toString(FlowStatus(status)), QString::number(counts->value(FlowStatus(status), 0))});
    table.print(context.out());
    return {};
}

Result<void> stats(Context &context)
{
    auto log = context.openExistingLog();
    if (!log)
        return log.error();
    return printCounts(context, **log);
}

void timersOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {QStringLiteral("limit"), QStringLiteral("At most N timers (default: 100)."), QStringLiteral("n")});
    jsonOnly(parser);
}

Result<void> printTimers(Context &context, int limit, FlowReader &reader)
{
    auto pending = reader.pendingTimers(limit);
    if (!pending)
        return pending.error();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (context.isSet(jsonOption)) {
        context.printJson(timersToJson(*pending, now));
        return {};
    }
    TextTable table({TextTable::Align::Right, TextTable::Align::Left, TextTable::Align::Left, TextTable::Align::Left,
                     TextTable::Align::Right});
    for (const TimerRecord &timer : std::as_const(*pending)) {
        const double remaining = std::max<qint64>(0, now.msecsTo(timer.fireAt)) / 1000.0;
        table.addRow({QString::number(timer.flowId), timer.flowType, timer.name, localTime(timer.fireAt),
                      QStringLiteral("%1 s").arg(remaining, 0, 'f', 1)});
    }
    table.print(context.out());
    return {};
}

Result<void> timers(Context &context)
{
    auto limit = context.integer(QStringLiteral("limit"), 100, limits::listLimit);
    if (!limit)
        return limit.error();
    auto log = context.openExistingLog();
    if (!log)
        return log.error();
    return printTimers(context, int(*limit), **log);
}

const QString forgetStoppedOption = QStringLiteral("forget-stopped");

void workersOptions(QCommandLineParser &parser)
{
    jsonOnly(parser);
    parser.addOption({forgetStoppedOption,
                      QStringLiteral("Forgets the workers that stopped or were lost (their rows and counters) "
                                     "before listing the others.")});
}

// Reads the workers, and with --forget-stopped forgets the runs that are not alive first.
Result<void> printWorkers(Context &context, FlowReader &reader, LogAdministration &administration)
{
    auto list = reader.workers();
    if (!list)
        return list.error();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (context.isSet(forgetStoppedOption)) {
        QList<qint64> gone;
        for (const WorkerRecord &worker : std::as_const(*list)) {
            if (effectiveStatus(worker, now) != WorkerStatus::Alive)
                gone.append(worker.id);
        }
        // The log keeps whichever of them came back to life meanwhile.
        if (auto forgotten = administration.forgetWorkers(gone, now); !forgotten)
            return forgotten.error();
        list = reader.workers();
        if (!list)
            return list.error();
    }
    if (context.isSet(jsonOption)) {
        context.printJson(workersToJson(*list, now));
        return {};
    }
    using A = TextTable::Align;
    TextTable table({A::Left, A::Left, A::Right, A::Left, A::Left, A::Right, A::Right, A::Right, A::Right, A::Right});
    for (const WorkerRecord &worker : std::as_const(*list)) {
        table.addRow({worker.name, worker.host, QString::number(worker.pid), toString(effectiveStatus(worker, now)),
                      localTime(worker.heartbeat), QStringLiteral("%1/%2").arg(worker.inFlight).arg(worker.concurrency),
                      QString::number(worker.completed), QString::number(worker.failed),
                      QString::number(worker.steals)});
    }
    table.print(context.out());
    return {};
}

Result<void> workers(Context &context)
{
    auto log = context.openExistingLog();
    if (!log)
        return log.error();
    return printWorkers(context, **log, **log);
}

Result<void> check(Context &context)
{
    auto log = context.openExistingLog();
    if (!log)
        return log.error();
    // A SQLite file is read whole (PRAGMA quick_check): opening checks only files up to
    // SqliteExecutionLog::defaultQuickCheckMaxBytes. A server checks its own pages.
    if (auto *file = dynamic_cast<SqliteExecutionLog *>(log->get())) {
        if (auto checked = file->checkIntegrity(); !checked)
            return checked;
    }
    context.out() << "ok" << Qt::endl;
    return {};
}

} // namespace

QList<Verb> overviewVerbs()
{
    return {
        {QStringLiteral("stats"),
         QStringLiteral("Counts the flows by status."),
         {},
         {},
         QStringLiteral("Text: one \"status count\" line per status. JSON: an object from every status name to its\n"
                        "count, 0 included."),
         jsonOnly,
         stats},
        {QStringLiteral("timers"),
         QStringLiteral("Lists the durable timers that have not fired, earliest first."),
         {},
         {},
         QStringLiteral("Text: flow id, flow type, timer name, fire time (local), seconds remaining. JSON: an array\n"
                        "of objects with flow_id, type, name, fire_at (UTC), remaining_s."),
         timersOptions,
         timers},
        {QStringLiteral("check"),
         QStringLiteral("Checks a database file for damage, reading every page."),
         {},
         {},
         QStringLiteral(
             "Prints \"ok\", or fails (exit 1) with one line naming the file and SQLite's finding. Every verb\n"
             "checks files up to 32 MB when it opens them; this checks a file of any size (about 2.5 s\n"
             "for a million flows). A PostgreSQL server checks its own pages: \"ok\"."),
         nullptr,
         check},
        {QStringLiteral("workers"),
         QStringLiteral("Lists the workers that used the database."),
         {},
         {},
         QStringLiteral("Text: name, host, pid, status (alive, lost, stopped), last heartbeat (local), in flight/\n"
                        "concurrency, completed, failed, steals. A worker silent for longer than its lease shows\n"
                        "lost. JSON: an array of objects with name, host, pid, status, heartbeat, concurrency,\n"
                        "in_flight, completed, failed, steals. A name reused by a later run (a restarted\n"
                        "worker) has a row per run."),
         workersOptions,
         workers},
    };
}

} // namespace ergon::cli
