// The worker verb: runs workers in this process until SIGINT or SIGTERM.

#include "clicommand.h"
#include "clicontext.h"
#include "signalwatcher.h"

#include <ergon/executionlog.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSysInfo>
#include <QTextStream>

#include <chrono>
#include <csignal>
#include <vector>

namespace ergon::cli {

namespace {

using std::chrono::milliseconds;

void workerOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {QStringLiteral("workers"), QStringLiteral("How many workers to run (default: 1)."), QStringLiteral("n")});
    parser.addOption({QStringLiteral("concurrency"), QStringLiteral("Flows each worker runs at once (default: 8)."),
                      QStringLiteral("n")});
    parser.addOption({QStringLiteral("name"),
                      QStringLiteral("Workers are named NAME-1 ... NAME-N (default NAME: <host>-<pid>)."),
                      QStringLiteral("name")});
    parser.addOption({QStringLiteral("lease"),
                      QStringLiteral("Lease duration: how long a silent worker's flows stay its own (default: 30)."),
                      QStringLiteral("seconds")});
    parser.addOption({QStringLiteral("poll-ms"),
                      QStringLiteral("How often to look for new work, in milliseconds (default: 200)."),
                      QStringLiteral("ms")});
    parser.addOption({QStringLiteral("prefetch"),
                      QStringLiteral("Flows each worker leases ahead of its free slots (default: 0)."),
                      QStringLiteral("n")});
    parser.addOption({QStringLiteral("no-steal"), QStringLiteral("Do not take prefetched flows from busier workers.")});
    parser.addOption({QStringLiteral("grace"),
                      QStringLiteral("On SIGINT or SIGTERM, how long running flows may take to reach their next step\n"
                                     "before they are abandoned to other workers (default: 10)."),
                      QStringLiteral("seconds")});
}

Result<void> work(Context &context)
{
    auto count = context.integer(QStringLiteral("workers"), 1, limits::workers);
    if (!count)
        return count.error();
    auto concurrency = context.integer(QStringLiteral("concurrency"), 8, limits::concurrency);
    if (!concurrency)
        return concurrency.error();
    auto lease = context.seconds(QStringLiteral("lease"), std::chrono::seconds(30), limits::lease);
    if (!lease)
        return lease.error();
    auto pollMs = context.integer(QStringLiteral("poll-ms"), 200, limits::pollInterval);
    if (!pollMs)
        return pollMs.error();
    auto prefetch = context.integer(QStringLiteral("prefetch"), 0, limits::prefetch);
    if (!prefetch)
        return prefetch.error();
    auto grace = context.seconds(QStringLiteral("grace"), std::chrono::seconds(10), limits::grace);
    if (!grace)
        return grace.error();
    QString name = context.value(QStringLiteral("name"));
    if (context.isSet(QStringLiteral("name")) && name.trimmed().isEmpty())
        return usageError(QStringLiteral("--name needs a name"));
    if (name.isEmpty())
        name = QStringLiteral("%1-%2").arg(QSysInfo::machineHostName()).arg(QCoreApplication::applicationPid());

    auto catalog = context.loadCatalog();
    for (const PluginInfo &plugin : catalog->failedPlugins())
        context.err() << QCoreApplication::applicationName() << ": warning: plugin " << plugin.filePath
                      << " not loaded: " << plugin.errorString() << Qt::endl;
    context.warnAboutShadowedTypes(*catalog);
    if (catalog->registry().types().isEmpty())
        return Error(QStringLiteral("no flow plugin found: there is nothing to run (see --plugins)"));
    // Opened once here: a database that cannot be used (damaged, another application's ...)
    // fails now, with one message, and its schema exists before the workers open their own
    // connections; kept open while they run, so that they do not check the file again. A full
    // disk is no such reason: the workers wait for space.
    auto opened = context.openLog();
    if (!opened && opened.error().kind() != QLatin1String("full"))
        return opened.error();

    SignalWatcher watcher({SIGINT, SIGTERM});
    if (!watcher.isValid())
        return Error(watcher.errorString());

    std::vector<std::unique_ptr<WorkerHandle>> handles;
    QString failure;
    bool stopping = false;
    bool aborted = false;
    size_t stopped = 0;

    const auto beginShutdown = [&] {
        if (stopping)
            return;
        stopping = true;
        for (const auto &handle : handles) {
            // The task only waits for the thread's end, which `stopped` reports as well: the
            // shutdown starts when the task does, and the task may go.
            [[maybe_unused]] auto shutdown = handle->shutdown(*grace);
        }
    };

    QObject guard; // the receiver of every connection below, gone before the handles
    for (qint64 i = 1; i <= *count; ++i) {
        handles.push_back(FlowWorker(context.logOpener(), catalog->registry())
                              .withName(QStringLiteral("%1-%2").arg(name).arg(i))
                              .withConcurrency(int(*concurrency))
                              .withPrefetch(int(*prefetch))
                              .withStealing(!context.isSet(QStringLiteral("no-steal")))
                              .withTimers(milliseconds(500))
                              .withPollInterval(milliseconds(*pollMs))
                              .withLeaseDuration(*lease)
                              .start());
        WorkerHandle *handle = handles.back().get();
        QObject::connect(handle, &WorkerHandle::problem, &guard, [&context](const QString &problem) {
            context.err() << QCoreApplication::applicationName() << ": " << problem << Qt::endl;
        });
        QObject::connect(handle, &WorkerHandle::failed, &guard, [&, handle](const QString &error) {
            if (failure.isEmpty())
                failure = QStringLiteral("worker %1 could not start: %2").arg(handle->name(), error);
            beginShutdown();
        });
        // A damaged database: one line (the first worker's), and every worker stops at once,
        // writing nothing more to it (a graceful stop would hand flows back).
        QObject::connect(handle, &WorkerHandle::halted, &guard, [&, handle](const QString &error) {
            if (failure.isEmpty())
                failure = QStringLiteral("worker %1 %2").arg(handle->name(), error);
            stopping = true;
            for (const auto &each : handles)
                each->abort();
            QCoreApplication::exit(0);
        });
        QObject::connect(handle, &WorkerHandle::stopped, &guard, [&] {
            if (++stopped == handles.size())
                QCoreApplication::exit(0);
            else if (!stopping) // one worker ended by itself: the process is no longer what was asked for
                beginShutdown();
        });
    }

    QObject::connect(&watcher, &SignalWatcher::received, &guard, [&](int) {
        if (!stopping) {
            beginShutdown();
            return;
        }
        // A second signal: stop at once, as a crash would; the leases expire on their own.
        aborted = true;
        for (const auto &handle : handles)
            handle->abort();
        QCoreApplication::exit(0);
    });

    QCoreApplication::exec();
    if (!failure.isEmpty())
        return Error(failure);
    if (aborted)
        return Error(QStringLiteral("stopped at once by a second signal; the flows that were running go to other "
                                    "workers when their leases expire"));
    return {};
}

} // namespace

Verb workerVerb()
{
    return {QStringLiteral("worker"),
            QStringLiteral("Runs workers on the database until SIGINT or SIGTERM."),
            {},
            {},
            QStringLiteral("Each worker runs on its own thread with its own connection, claims the flows of the types\n"
                           "the plugins provide, and drives durable timers. SIGINT or SIGTERM stops them gracefully\n"
                           "(see --grace) and exits 0; a second signal stops them at once and exits 1. Prints\n"
                           "nothing on stdout; passing problems go to stderr."),
            workerOptions,
            work};
}

} // namespace ergon::cli
