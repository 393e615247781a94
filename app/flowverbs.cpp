// The verbs about flows: schedule, list, show, retry, cancel, signal.

#include "clicommand.h"
#include "clicontext.h"
#include "texttable.h"

#include <ergon/clock.h>
#include <ergon/executionlog.h>
#include <ergon/flowregistry.h>
#include <ergon/flowscheduler.h>
#include <ergon/jsontext.h>
#include <ergon/jsonviews.h>
#include <ergon/plugincatalog.h>
#include <ergon/storabletext.h>

#include <QCommandLineParser>
#include <QJsonArray>
#include <QTextStream>

#include <functional>

namespace ergon::cli {

namespace {

const QString jsonOption = QStringLiteral("json");

QCommandLineOption jsonOutput()
{
    return {jsonOption, QStringLiteral("Prints JSON instead of text.")};
}

// --- schedule -------------------------------------------------------------------------------

void scheduleOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("args"), QStringLiteral("The flow's arguments, a JSON object (default: {})."),
                      QStringLiteral("json")});
    parser.addOption({QStringLiteral("count"),
                      QStringLiteral("Schedules N flows alike, in one transaction (default: 1)."),
                      QStringLiteral("n")});
    parser.addOption({QStringLiteral("delay"), QStringLiteral("Not before this many seconds from now (default: 0)."),
                      QStringLiteral("seconds")});
    parser.addOption(
        {QStringLiteral("priority"), QStringLiteral("Higher runs first (default: 0)."), QStringLiteral("p")});
    parser.addOption({QStringLiteral("key"),
                      QStringLiteral("An idempotency key: scheduling the same key again prints the first flow's id.\n"
                                     "With --count N, the flows' keys are KEY-1 ... KEY-N."),
                      QStringLiteral("key")});
}

// The two roles FlowScheduler takes (it schedules through the intake), with the catalog's
// registry only: retries, workers and their wake-ups are other processes' business (they poll).
Result<void> scheduleAndPrint(Context &context, const QList<ScheduleRequest> &requests, const FlowRegistry &registry,
                              FlowIntake &intake, LogAdministration &administration)
{
    SystemClock clock;
    FlowScheduler scheduler(intake, administration, registry, clock);
    auto ids = scheduler.scheduleMany(requests);
    if (!ids)
        return ids.error();
    for (const qint64 id : std::as_const(*ids))
        context.out() << id << '\n';
    return {};
}

Result<void> schedule(Context &context)
{
    auto count = context.integer(QStringLiteral("count"), 1, limits::scheduleCount);
    if (!count)
        return count.error();
    auto delay = context.seconds(QStringLiteral("delay"), std::chrono::milliseconds(0), limits::delay);
    if (!delay)
        return delay.error();
    auto priority = context.integer(QStringLiteral("priority"), 0, limits::priority);
    if (!priority)
        return priority.error();
    const QString key = context.value(QStringLiteral("key"));
    if (context.isSet(QStringLiteral("key")) && key.isEmpty())
        return usageError(QStringLiteral("--key needs a key"));

    QJsonObject arguments;
    if (context.isSet(QStringLiteral("args"))) {
        auto parsed = objectFromJsonText(context.value(QStringLiteral("args")).toUtf8());
        if (!parsed)
            return parsed.error().prefixed(QStringLiteral("--args"));
        arguments = parsed.take();
        // Refused here rather than by the scheduler, so that the message names the option.
        if (auto storable = checkStorableJson(arguments, QStringLiteral("--args")); !storable)
            return storable.error();
    }
    if (auto storable = checkStorableText(key, QStringLiteral("--key")); !storable)
        return storable.error();

    ScheduleRequest request;
    request.type = context.argument();
    request.arguments = arguments;
    request.delay = *delay;
    request.priority = int(*priority);
    // A batch's keys are KEY-1 ... KEY-N: the same command again (after a crash before its ids
    // were printed, say) schedules nothing new and prints the same ids.
    QList<ScheduleRequest> requests(*count, request);
    if (!key.isEmpty()) {
        for (qsizetype i = 0; i < requests.size(); ++i)
            requests[i].idempotencyKey = *count == 1 ? key : QStringLiteral("%1-%2").arg(key).arg(i + 1);
    }

    auto catalog = context.loadCatalog();
    context.warnAboutShadowedTypes(*catalog, context.argument());
    auto log = context.openLog();
    if (!log)
        return log.error();
    return scheduleAndPrint(context, requests, catalog->registry(), **log, **log);
}

// --- list -----------------------------------------------------------------------------------

QString statusNames()
{
    QStringList names;
    for (int status = int(FlowStatus::Pending); status <= int(FlowStatus::Cancelled); ++status)
        names.append(toString(FlowStatus(status)));
    return names.join(QStringLiteral(", "));
}

void listOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("status"), QStringLiteral("Only flows of this status: %1.").arg(statusNames()),
                      QStringLiteral("status")});
    parser.addOption({QStringLiteral("type"), QStringLiteral("Only flows of this type."), QStringLiteral("type")});
    parser.addOption({QStringLiteral("limit"), QStringLiteral("At most N flows (default: 100)."), QStringLiteral("n")});
    parser.addOption(jsonOutput());
}

// Why a queued flow would not move in a worker with these plugins: another plugin provides its
// type here than the one that scheduled it (see ClaimFilter). Empty when it would run.
QString foreignPluginNote(const FlowRecord &flow, const FlowRegistry &registry)
{
    if (isFinished(flow.status) || flow.plugin.isEmpty())
        return {};
    const FlowTypeInfo *here = registry.info(flow.type);
    if (!here || here->plugin == flow.plugin)
        return {};
    return QStringLiteral("waits for a worker with plugin '%1' (here the type is plugin '%2''s)")
        .arg(flow.plugin, here->plugin);
}

Result<void> printFlows(Context &context, const FlowQuery &query, FlowReader &reader)
{
    auto flows = reader.flows(query);
    if (!flows)
        return flows.error();
    // The plugins as a worker here would load them: to say which flows it would leave alone.
    const auto catalog = context.loadCatalog();
    context.warnAboutShadowedTypes(*catalog);

    if (context.isSet(jsonOption)) {
        context.printJson(flowsToJson(*flows));
        return {};
    }
    TextTable table({TextTable::Align::Right});
    for (const FlowRecord &flow : std::as_const(*flows)) {
        const QString note = flow.error.isEmpty() ? foreignPluginNote(flow, catalog->registry()) : flow.error;
        table.addRow(
            {QString::number(flow.id), flow.type, toString(flow.status), localTime(flow.updated), truncated(note, 72)});
    }
    table.print(context.out());
    return {};
}

Result<void> list(Context &context)
{
    FlowQuery query;
    if (context.isSet(QStringLiteral("status"))) {
        const QString name = context.value(QStringLiteral("status"));
        query.status = flowStatusFromString(name);
        if (!query.status)
            return usageError(QStringLiteral("--status: unknown status '%1' (one of %2)").arg(name, statusNames()));
    }
    query.type = context.value(QStringLiteral("type"));
    auto limit = context.integer(QStringLiteral("limit"), 100, limits::listLimit);
    if (!limit)
        return limit.error();
    query.limit = int(*limit);

    auto log = context.openExistingLog();
    if (!log)
        return log.error();
    return printFlows(context, query, **log);
}

// The flow the command names (its id first: a malformed one is a usage error) in the database,
// which must exist, for a body that takes the one role it uses.
template<typename Role>
Result<void> onNamedFlow(Context &context, const std::function<Result<void>(Role &, qint64)> &body)
{
    auto id = context.flowId();
    if (!id)
        return id.error();
    auto log = context.openExistingLog();
    if (!log)
        return log.error();
    return body(**log, *id);
}

// --- show -----------------------------------------------------------------------------------

QString jsonText(const QJsonValue &value)
{
    return QString::fromUtf8(toJsonText(value));
}

QString storedText(const QByteArray &json)
{
    return json.isEmpty() ? QStringLiteral("-") : QString::fromUtf8(json);
}

QString orDash(const QString &text)
{
    return text.isEmpty() ? QStringLiteral("-") : text;
}

QString duration(const QDateTime &from, const QDateTime &to)
{
    if (!from.isValid() || !to.isValid())
        return {};
    const qint64 ms = from.msecsTo(to);
    return ms < 10'000 ? QStringLiteral("%1 ms").arg(ms) : QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
}

void printFlow(QTextStream &out, const FlowRecord &flow, const QList<StepRecord> &steps)
{
    TextTable fields;
    fields.addRow({QStringLiteral("flow"), QString::number(flow.id)});
    fields.addRow(
        {QStringLiteral("type"),
         flow.plugin.isEmpty()
             ? QStringLiteral("%1 (version %2)").arg(flow.type).arg(flow.typeVersion)
             : QStringLiteral("%1 (version %2, plugin %3)").arg(flow.type).arg(flow.typeVersion).arg(flow.plugin)});
    fields.addRow({QStringLiteral("status"), toString(flow.status)});
    fields.addRow({QStringLiteral("priority"), QString::number(flow.priority)});
    fields.addRow({QStringLiteral("args"), jsonText(flow.arguments)});
    fields.addRow({QStringLiteral("result"), storedText(flow.resultJson)});
    fields.addRow({QStringLiteral("error"), orDash(flow.error)});
    fields.addRow({QStringLiteral("key"), orDash(flow.idempotencyKey)});
    fields.addRow({QStringLiteral("worker"), orDash(flow.leaseOwner)});
    fields.addRow({QStringLiteral("created"), localTime(flow.created)});
    fields.addRow({QStringLiteral("run at"), localTime(flow.runAt)});
    fields.addRow({QStringLiteral("updated"), localTime(flow.updated)});
    fields.addRow({QStringLiteral("finished"), localTime(flow.finished)});
    fields.print(out);

    out << '\n' << (steps.isEmpty() ? QStringLiteral("no steps yet") : QStringLiteral("steps:")) << '\n';
    for (const StepRecord &step : steps) {
        out << QStringLiteral("  %1. %2").arg(step.seq + 1).arg(step.name);
        if (step.kind == StepKind::Timer)
            out << QStringLiteral(" (timer, fires %1)").arg(localTime(step.nextAttemptAt));
        out << QStringLiteral("  %1").arg(toString(step.status));
        if (!step.worker.isEmpty())
            out << QStringLiteral("  on %1").arg(step.worker);
        out << QStringLiteral("  %1 attempt%2")
                   .arg(step.attempts)
                   .arg(step.attempts == 1 ? QString() : QStringLiteral("s"))
            << '\n';
        if (!step.resultJson.isEmpty())
            out << QStringLiteral("     result: %1").arg(truncated(QString::fromUtf8(step.resultJson), 100)) << '\n';
        for (const AttemptRecord &attempt : step.attemptLog) {
            const QString outcome = !attempt.finished.isValid() ? QStringLiteral("running")
                : attempt.error.isEmpty()                       ? QStringLiteral("ok")
                                          : QStringLiteral("failed: ") + truncated(attempt.error, 100);
            out << QStringLiteral("     #%1  %2  %3").arg(attempt.number).arg(localTime(attempt.started), outcome);
            if (const QString took = duration(attempt.started, attempt.finished); !took.isEmpty())
                out << QStringLiteral("  (%1)").arg(took);
            if (!attempt.worker.isEmpty())
                out << QStringLiteral("  on %1").arg(attempt.worker);
            out << '\n';
        }
    }
    out.flush();
}

void showOptions(QCommandLineParser &parser)
{
    parser.addOption(jsonOutput());
}

Result<void> showFlow(Context &context, qint64 id, FlowReader &reader)
{
    auto flow = reader.flow(id);
    if (!flow)
        return flow.error();
    if (!flow->has_value())
        return Error(QStringLiteral("no flow with id %1").arg(id), QStringLiteral("not-found"));
    auto steps = reader.steps(id, true);
    if (!steps)
        return steps.error();
    if (context.isSet(jsonOption))
        context.printJson(flowToJson(**flow, *steps));
    else
        printFlow(context.out(), **flow, *steps);
    return {};
}

Result<void> show(Context &context)
{
    return onNamedFlow<FlowReader>(context,
                                   [&](FlowReader &reader, qint64 id) { return showFlow(context, id, reader); });
}

// --- retry, cancel --------------------------------------------------------------------------

void retryOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("step"),
                      QStringLiteral("The failed step to retry (default: the flow's failed step)."),
                      QStringLiteral("name")});
}

// Retrying and cancelling validate nothing against a flow type (no plugins to load), and wake
// no worker of this process (others poll): the log's administration alone, at the system
// clock's now.
Result<void> retry(Context &context)
{
    const QString step = context.value(QStringLiteral("step"));
    if (context.isSet(QStringLiteral("step")) && step.trimmed().isEmpty())
        return usageError(QStringLiteral("--step needs a step name"));
    return onNamedFlow<LogAdministration>(context, [&](LogAdministration &administration, qint64 id) {
        return administration.retryFlow(id, step, SystemClock().now());
    });
}

Result<void> cancel(Context &context)
{
    return onNamedFlow<LogAdministration>(context, [](LogAdministration &administration, qint64 id) {
        return administration.cancelFlow(id, SystemClock().now());
    });
}

// --- signal ---------------------------------------------------------------------------------

void signalOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("payload"),
                      QStringLiteral("The signal's payload, any JSON value (default: null)."), QStringLiteral("json")});
}

Result<void> sendSignal(Context &context)
{
    auto id = context.flowId();
    if (!id)
        return id.error();
    const QString name = context.secondArgument();
    if (name.trimmed().isEmpty())
        return usageError(QStringLiteral("the signal needs a name"));
    if (auto storable = checkStorableText(name, QStringLiteral("the signal's name")); !storable)
        return usageError(storable.errorString());
    QJsonValue payload;
    if (context.isSet(QStringLiteral("payload"))) {
        auto parsed = fromJsonText(context.value(QStringLiteral("payload")).toUtf8());
        if (!parsed)
            return usageError(parsed.error().prefixed(QStringLiteral("--payload")).message());
        payload = parsed.take();
        if (auto storable = checkStorableJson(payload, QStringLiteral("--payload")); !storable)
            return usageError(storable.errorString());
    }
    auto log = context.openExistingLog();
    if (!log)
        return log.error();
    const FlowRegistry noTypes;
    SystemClock clock;
    FlowScheduler scheduler(**log, noTypes, clock);
    return scheduler.signal(*id, name, payload);
}

} // namespace

QList<Verb> flowVerbs()
{
    return {
        {QStringLiteral("schedule"), QStringLiteral("Schedules flows of a type; prints their ids, one per line."),
         QStringLiteral("TYPE"), QStringLiteral("The flow type, e.g. demo.Pipeline."),
         QStringLiteral("The arguments are checked against the type's schema, so the type's plugin must be found\n"
                        "(see --plugins). A --key already used prints the existing flow's id."),
         scheduleOptions, schedule},
        {QStringLiteral("list"),
         QStringLiteral("Lists flows, newest first."),
         {},
         {},
         QStringLiteral("Text: one line per flow: id, type, status, updated (local time), error (its first line,\n"
                        "shortened). JSON: an array of flows as `show --json` prints them, without \"steps\"."),
         listOptions,
         list},
        {QStringLiteral("show"), QStringLiteral("Shows one flow with its steps and their attempts."),
         QStringLiteral("ID"), QStringLiteral("The flow's id."),
         QStringLiteral("JSON: id, type, status, args, result, error, steps (each with name, status, worker and\n"
                        "attempts: started, finished, error), and more. Times are UTC, ISO 8601 with milliseconds."),
         showOptions, show},
        {QStringLiteral("retry"), QStringLiteral("Re-queues a failed flow from its failed step."), QStringLiteral("ID"),
         QStringLiteral("The flow's id."),
         QStringLiteral(
             "The step gets a fresh retry budget; completed steps are replayed from the log. Prints nothing."),
         retryOptions, retry},
        {QStringLiteral("cancel"), QStringLiteral("Cancels a flow that has not finished."), QStringLiteral("ID"),
         QStringLiteral("The flow's id."), QStringLiteral("A running flow stops at its next step. Prints nothing."),
         nullptr, cancel},
        {QStringLiteral("signal"), QStringLiteral("Sends a signal to a flow that has not finished."),
         QStringLiteral("ID"), QStringLiteral("The flow's id."),
         QStringLiteral("Prints nothing; exit 0 once the signal is stored. The flow's next wait for a signal of\n"
                        "this name (ctx.waitForSignal) receives it, at once if it waits for it now; several\n"
                        "signals of one name are received in the order they were sent, each once. Exit 1 for an\n"
                        "unknown id or a finished flow, 2 for a malformed command line or payload."),
         signalOptions, sendSignal, QStringLiteral("NAME"), QStringLiteral("The signal's name, e.g. approve.")},
    };
}

} // namespace ergon::cli
