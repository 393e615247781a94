// bench_workers: throughput of workers (issue #4 on SQLite, issue #6 on PostgreSQL), measured
// against the raw rate of single-row commits to the same storage in the same run.
//
// SQLite (default; files in --dir, or a temporary folder), for synchronous=NORMAL then FULL:
//   1. baseline: one INSERT per transaction (autocommit, WAL, the same synchronous mode) through
//      one statement prepared on SQLite's C API, as the engine commits; the same through Qt SQL
//      once per mode, for information;
//   2. N demo.Pipeline flows of 3 steps with 1, 2 and 4 worker threads in this process, then
//      with 2 worker processes (this program, --child-worker), each on a fresh file, with the
//      baseline measured again after each set-up: each set-up's ratio divides its steps/s by
//      the mean of the baselines just before and just after it;
//   ratio = the median set-up's ratio (target 1.5); the best is printed for information;
//   3. scheduling --schedule flows through FlowScheduler in batches of 1,000 (NORMAL);
//   4. --timers demo.Sleeper flows with a one-second durable timer (NORMAL): how late each timer
//      fired (its recorded fire time against its due time), and how late each flow went on
//      (the next step's start against the due time), p50 and p99.
//   --only-timers runs step 4 alone.
// PostgreSQL (--db postgresql://...; a fresh schema per phase, dropped afterwards):
//   1. baseline: single-row INSERT commits over one connection to the same server (Qt SQL),
//      measured before and after each set-up;
//   2. N flows of 3 steps with 1, 2 and 4 worker processes.
//   ratio = steps/s with 4 processes / the mean of the baselines around it (target 3).
//
// Flows are scheduled due a moment later (the workers start meanwhile); the clock runs from
// that due time until the last flow completed, as counted by the workers (threads) or by
// polling the log every 100 ms (processes). The last line is "ratio=<value>".

#include "benchoutput.h"
#include "rawcommits.h"
#include "timerlateness.h"
#include "workerbench.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/openexecutionlog.h>
#include <ergon/plugincatalog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <limits>
#include <optional>
#include <vector>

namespace {

using namespace ergon;
using namespace std::chrono_literals;

constexpr double sqliteTarget = 1.5;
constexpr double postgresTarget = 3.0;

using namespace ergon::bench;

// --- baseline ---------------------------------------------------------------------------

/// Single-row commits, each its own transaction: on SQLite through SQLite's C API (one
/// prepared INSERT, autocommit), on PostgreSQL through Qt SQL (one prepared INSERT, autocommit,
/// one connection). Returns commits/s.
std::optional<double> measureBaseline(const Settings &settings, const QString &name)
{
    Storage storage(settings, name);
    if (!isPostgres(settings)) {
        const int commits =
            settings.synchronous == bench::Synchronous::Full ? settings.baselineCommitsFull : settings.baselineCommits;
        const auto rate = bench::sqliteCApiCommits(storage.location(), commits, settings.steps, settings.synchronous);
        if (!rate)
            return std::nullopt;
        print(QStringLiteral("baseline: %1 single-row commits (SQLite C API, one prepared INSERT, autocommit, WAL, "
                             "synchronous=%2) in %3 s = %4 commits/s")
                  .arg(commits)
                  .arg(bench::toString(settings.synchronous), fixed(rate->seconds, 3), fixed(rate->commitsPerSecond)));
        return rate->commitsPerSecond;
    }
    const QString connection = QStringLiteral("bench-baseline");
    std::optional<bench::CommitRate> rate;
    {
        const QUrl url(settings.location);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        if (!url.password().isEmpty())
            db.setPassword(url.password());
        db.setDatabaseName(url.path().mid(1));
        const QString schema = QUrlQuery(QUrl(storage.location())).queryItemValue(QStringLiteral("schema"));
        const QStringList setup{QStringLiteral("SET client_min_messages TO warning"),
                                QStringLiteral("CREATE SCHEMA %1").arg(schema),
                                QStringLiteral("SET search_path TO %1").arg(schema),
                                QStringLiteral("CREATE TABLE rows (id BIGSERIAL PRIMARY KEY, flow_id BIGINT NOT NULL, "
                                               "seq INTEGER NOT NULL, result TEXT)")};
        if (!db.open()) {
            print(QStringLiteral("baseline: cannot open: %1").arg(db.lastError().text()));
        } else {
            QSqlQuery query(db);
            bool ready = true;
            for (const QString &sql : setup) {
                if (ready && !query.exec(sql)) {
                    print(QStringLiteral("baseline: %1: %2").arg(sql, query.lastError().text()));
                    ready = false;
                }
            }
            query.finish();
            if (ready)
                rate =
                    bench::qtSqlCommits(db, settings.baselineCommits, settings.steps, bench::QtCommitStyle::Autocommit);
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    if (!rate)
        return std::nullopt;
    print(
        QStringLiteral("baseline: %1 single-row INSERT commits (Qt SQL, prepared, autocommit, one connection) in %2 s "
                       "= %3 commits/s")
            .arg(settings.baselineCommits)
            .arg(fixed(rate->seconds, 3), fixed(rate->commitsPerSecond)));
    return rate->commitsPerSecond;
}

/// SQLite only, for information: the same single-row commits through Qt SQL (QSqlQuery).
void printQtBaseline(const Settings &settings)
{
    Storage storage(settings, QStringLiteral("baseline-qt"));
    const int commits =
        settings.synchronous == bench::Synchronous::Full ? settings.baselineCommitsFull : settings.baselineCommits;
    const auto rate = bench::sqliteQtCommits(storage.location(), commits, settings.steps, settings.synchronous,
                                             bench::QtCommitStyle::Autocommit);
    if (rate) {
        print(QStringLiteral("  for information, the same through Qt SQL (QSqlQuery): %1 commits/s")
                  .arg(fixed(rate->commitsPerSecond)));
    }
}

// --- runs ---------------------------------------------------------------------------------

struct Figures {
    bool ok = false;
    double flowsPerSecond = 0;
    double stepsPerSecond = 0;
};

Figures report(const QString &label, int flows, int steps, double seconds, bool ok, const QString &note = {})
{
    Figures figures;
    figures.ok = ok;
    if (!ok) {
        print(QStringLiteral("%1: FAILED (not every flow completed within the timeout)").arg(label));
        return figures;
    }
    figures.flowsPerSecond = flows / seconds;
    figures.stepsPerSecond = double(flows) * steps / seconds;
    print(QStringLiteral("%1: %2 flows in %3 s = %4 flows/s, %5 steps/s%6")
              .arg(label)
              .arg(flows)
              .arg(fixed(seconds, 3), fixed(figures.flowsPerSecond), fixed(figures.stepsPerSecond), note));
    return figures;
}

QJsonObject pipelineArgs(const Settings &settings)
{
    return {{QStringLiteral("steps"), settings.steps}, {QStringLiteral("step_ms"), 0}};
}

/// N worker threads in this process over fresh flows: the clock runs from the workers' start
/// to the last completion their counters report.
Figures runThreads(const Settings &settings, const FlowRegistry &registry, int threads)
{
    const QString label =
        QStringLiteral("%1 worker thread%2").arg(threads).arg(threads > 1 ? QStringLiteral("s") : QString());
    Storage storage(settings, QStringLiteral("threads%1").arg(threads));
    auto log = openExecutionLog(storage.location());
    if (!log) {
        print(QStringLiteral("%1: %2").arg(label, log.errorString()));
        return {};
    }
    if (auto scheduled =
            schedule(**log, registry, QStringLiteral("demo.Pipeline"), pipelineArgs(settings), settings.flows);
        !scheduled) {
        print(QStringLiteral("%1: %2").arg(label, scheduled.errorString()));
        return {};
    }
    QElapsedTimer timer;
    timer.start();
    std::vector<std::unique_ptr<WorkerHandle>> workers;
    for (int i = 1; i <= threads; ++i)
        workers.push_back(FlowWorker(opener(storage.location(), settings.synchronous), registry)
                              .withName(QStringLiteral("bench-%1").arg(i))
                              .withConcurrency(settings.concurrency)
                              .withPollInterval(100ms)
                              .start());
    const auto completed = [&] {
        qint64 sum = 0;
        for (const auto &worker : workers)
            sum += worker->stats().completed;
        return sum >= settings.flows;
    };
    const bool ok = waitUntil(completed, 5ms, settings.timeoutSeconds);
    const double seconds = timer.nsecsElapsed() / 1e9;
    for (auto &worker : workers)
        worker->shutdownAndWait(10s);
    QStringList shares;
    for (const auto &worker : workers)
        shares.append(QString::number(worker->stats().completed));
    return report(label, settings.flows, settings.steps, seconds, ok,
                  threads > 1 ? QStringLiteral(" (per worker: %1)").arg(shares.join(QLatin1Char('/'))) : QString());
}

/// N worker processes (this program with --child-worker), one worker thread each. They load
/// their plugins and say "ready"; the clock starts when they are told "go" and stops when the
/// log counts every flow completed (polled every 50 ms).
Figures runProcesses(const Settings &settings, const FlowRegistry &registry, int processes)
{
    const QString label =
        QStringLiteral("%1 worker process%2").arg(processes).arg(processes > 1 ? QStringLiteral("es") : QString());
    Storage storage(settings, QStringLiteral("processes%1").arg(processes));
    auto log = openExecutionLog(storage.location());
    if (!log) {
        print(QStringLiteral("%1: %2").arg(label, log.errorString()));
        return {};
    }
    if (auto scheduled =
            schedule(**log, registry, QStringLiteral("demo.Pipeline"), pipelineArgs(settings), settings.flows);
        !scheduled) {
        print(QStringLiteral("%1: %2").arg(label, scheduled.errorString()));
        return {};
    }
    std::vector<std::unique_ptr<QProcess>> children;
    for (int i = 1; i <= processes; ++i) {
        auto child = std::make_unique<QProcess>();
        child->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child->start(QCoreApplication::applicationFilePath(),
                     {QStringLiteral("--child-worker"), QStringLiteral("bench-p%1").arg(i), QStringLiteral("--db"),
                      storage.location(), QStringLiteral("--plugins"), settings.plugins,
                      QStringLiteral("--concurrency"), QString::number(settings.concurrency),
                      QStringLiteral("--synchronous"), bench::toString(settings.synchronous).toLower()});
        children.push_back(std::move(child));
    }
    const auto ready = [&] {
        return std::all_of(children.begin(), children.end(), [](const auto &child) {
            return child->canReadLine() || child->state() == QProcess::NotRunning;
        });
    };
    if (!waitUntil(ready, 10ms, 60)) {
        print(QStringLiteral("%1: the worker processes did not start").arg(label));
        return {};
    }
    QElapsedTimer timer;
    timer.start();
    for (auto &child : children)
        child->write("go\n");
    const auto completed = [&] {
        const auto counts = (*log)->countByStatus();
        return counts && counts->value(FlowStatus::Completed) >= settings.flows;
    };
    const bool ok = waitUntil(completed, 50ms, settings.timeoutSeconds);
    const double seconds = timer.nsecsElapsed() / 1e9;
    for (auto &child : children) {
        child->terminate();
        if (!child->waitForFinished(15000))
            child->kill();
    }
    return report(label, settings.flows, settings.steps, seconds, ok);
}

/// Scheduling alone: `count` flows in batches of 1,000 through FlowScheduler.
std::optional<double> runScheduling(const Settings &settings, const FlowRegistry &registry)
{
    Storage storage(settings, QStringLiteral("schedule"));
    auto log = openExecutionLog(storage.location());
    if (!log) {
        print(QStringLiteral("scheduling: %1").arg(log.errorString()));
        return std::nullopt;
    }
    QElapsedTimer timer;
    timer.start();
    auto scheduled =
        schedule(**log, registry, QStringLiteral("demo.Pipeline"), pipelineArgs(settings), settings.scheduleFlows);
    const double seconds = timer.nsecsElapsed() / 1e9;
    if (!scheduled) {
        print(QStringLiteral("scheduling: %1").arg(scheduled.errorString()));
        return std::nullopt;
    }
    const double rate = settings.scheduleFlows / seconds;
    print(QStringLiteral("scheduling: %1 flows in batches of 1,000 in %2 s = %3 flows/s")
              .arg(settings.scheduleFlows)
              .arg(fixed(seconds, 3), fixed(rate)));
    return rate;
}

// --- set-ups between baselines ----------------------------------------------------------

struct SetUp {
    int count = 1;          ///< worker threads, or processes
    bool processes = false; ///< worker processes rather than threads of this one
};

struct SetUpRatios {
    std::vector<double> ratios; ///< in the order of the set-ups
    bool ok = true;             ///< every flow of every set-up completed

    double median() const
    {
        std::vector<double> sorted = ratios;
        std::sort(sorted.begin(), sorted.end());
        return sorted.empty() ? 0 : sorted[sorted.size() / 2];
    }
    QString ratioList() const
    {
        QStringList list;
        for (const double ratio : ratios)
            list.append(fixed(ratio, 2));
        return list.join(QStringLiteral(", "));
    }
};

/// Runs the set-ups with the baseline measured before the first and after each: each set-up's
/// ratio divides its steps/s by the mean of the two baselines around it, so that both sides
/// saw the same machine (a baseline measured once drifts away from set-ups run minutes later).
std::optional<SetUpRatios> measureSetups(const Settings &settings, const std::vector<SetUp> &setUps,
                                         const std::function<Figures(const SetUp &)> &run)
{
    SetUpRatios result;
    auto before = measureBaseline(settings, QStringLiteral("baseline"));
    if (!before)
        return std::nullopt;
    for (const SetUp &setUp : setUps) {
        const Figures figures = run(setUp);
        const auto after = measureBaseline(settings, QStringLiteral("baseline"));
        if (!after)
            return std::nullopt;
        const double baseline = (*before + *after) / 2;
        result.ok = result.ok && figures.ok;
        result.ratios.push_back(figures.stepsPerSecond / baseline);
        print(QStringLiteral("  ratio %1 (%2 steps/s against %3 commits/s, the mean of the baselines around it)")
                  .arg(fixed(result.ratios.back(), 2), fixed(figures.stepsPerSecond), fixed(baseline)));
        before = after;
    }
    return result;
}

// --- the child: one worker until SIGTERM -------------------------------------------------

std::atomic<bool> terminated{false};

void onTerminate(int)
{
    terminated = true;
}

int runChild(const QString &name, const QString &location, const QString &plugins, int concurrency,
             bench::Synchronous synchronous)
{
    PluginCatalog catalog;
    catalog.load({plugins});
    if (catalog.registry().types().isEmpty()) {
        std::fprintf(stderr, "%s: no flow plugin in %s\n", qPrintable(name), qPrintable(plugins));
        return 1;
    }
    std::signal(SIGTERM, onTerminate);
    print(QStringLiteral("ready"));
    // "go" on stdin starts the worker: every process begins at the same moment.
    char line[16];
    if (!std::fgets(line, sizeof line, stdin))
        return 1;
    auto worker = FlowWorker(opener(location, synchronous), catalog.registry())
                      .withName(name)
                      .withConcurrency(concurrency)
                      .withPollInterval(100ms)
                      .start();
    QObject::connect(worker.get(), &WorkerHandle::problem, worker.get(), [&name](const QString &problem) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(name), qPrintable(problem));
    });
    waitUntil([] { return terminated.load(); }, 20ms, 24 * 3600);
    worker->shutdownAndWait(10s);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_workers"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Worker throughput against single-row commits to the same storage."));
    parser.addHelpOption();
    const QCommandLineOption dbOption(
        QStringLiteral("db"), QStringLiteral("postgresql://user@host:port/dbname: benchmark PostgreSQL (else SQLite)."),
        QStringLiteral("url"));
    const QCommandLineOption dirOption(QStringLiteral("dir"), QStringLiteral("SQLite: the folder of the files."),
                                       QStringLiteral("dir"));
    const QCommandLineOption flowsOption(QStringLiteral("flows"), QStringLiteral("Flows per worker run (20000)."),
                                         QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption concurrencyOption(QStringLiteral("concurrency"),
                                               QStringLiteral("Flows each worker runs at once (256: the more flows "
                                                              "reach a durable point together, the larger each "
                                                              "group commit)."),
                                               QStringLiteral("n"), QStringLiteral("256"));
    const QCommandLineOption scheduleOption(QStringLiteral("schedule"),
                                            QStringLiteral("SQLite: flows scheduled in batches (100000)."),
                                            QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption timersOption(QStringLiteral("timers"),
                                          QStringLiteral("SQLite: one-second durable timers (10000)."),
                                          QStringLiteral("n"), QStringLiteral("10000"));
    const QCommandLineOption baselineOption(QStringLiteral("baseline-commits"),
                                            QStringLiteral("Single-row commits of each baseline (SQLite "
                                                           "synchronous=NORMAL 20000, PostgreSQL 2000)."),
                                            QStringLiteral("n"));
    const QCommandLineOption baselineFullOption(
        QStringLiteral("baseline-commits-full"),
        QStringLiteral("SQLite: single-row commits of each baseline under synchronous=FULL (2000)."),
        QStringLiteral("n"), QStringLiteral("2000"));
    const QCommandLineOption syncOption(QStringLiteral("synchronous"),
                                        QStringLiteral("SQLite: normal, full or both (both: NORMAL, then FULL)."),
                                        QStringLiteral("mode"), QStringLiteral("both"));
    const QCommandLineOption pluginsOption(QStringLiteral("plugins"), QStringLiteral("The folder of the demo plugin."),
                                           QStringLiteral("dir"), QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR));
    const QCommandLineOption childOption(QStringLiteral("child-worker"),
                                         QStringLiteral("Internal: run one worker of that name until SIGTERM."),
                                         QStringLiteral("name"));
    const QCommandLineOption onlyTimersOption(QStringLiteral("only-timers"),
                                              QStringLiteral("SQLite: run the durable timers part (4.) only."));
    parser.addOptions({dbOption, dirOption, flowsOption, concurrencyOption, scheduleOption, timersOption,
                       baselineOption, baselineFullOption, syncOption, pluginsOption, childOption, onlyTimersOption});
    parser.process(app);

    if (parser.isSet(childOption)) {
        return runChild(parser.value(childOption), parser.value(dbOption), parser.value(pluginsOption),
                        parser.value(concurrencyOption).toInt(),
                        parser.value(syncOption) == QLatin1String("full") ? bench::Synchronous::Full
                                                                          : bench::Synchronous::Normal);
    }

    Settings settings;
    settings.location = parser.value(dbOption);
    if (!settings.location.isEmpty() && !isDatabaseUrl(settings.location)) {
        print(QStringLiteral("--db takes a postgresql:// URL; SQLite files go to --dir"));
        return 2;
    }
    settings.plugins = parser.value(pluginsOption);
    settings.flows = parser.value(flowsOption).toInt();
    settings.concurrency = parser.value(concurrencyOption).toInt();
    settings.scheduleFlows = parser.value(scheduleOption).toInt();
    settings.timers = parser.value(timersOption).toInt();
    settings.baselineCommits =
        parser.isSet(baselineOption) ? parser.value(baselineOption).toInt() : (isPostgres(settings) ? 2000 : 20000);
    settings.baselineCommitsFull = parser.value(baselineFullOption).toInt();
    const QString syncName = parser.value(syncOption).toLower();
    std::vector<bench::Synchronous> modes;
    if (syncName == QLatin1String("normal") || syncName == QLatin1String("both"))
        modes.push_back(bench::Synchronous::Normal);
    if (syncName == QLatin1String("full") || syncName == QLatin1String("both"))
        modes.push_back(bench::Synchronous::Full);
    if (modes.empty()) {
        print(QStringLiteral("--synchronous must be normal, full or both"));
        return 2;
    }
    std::unique_ptr<QTemporaryDir> temporary;
    if (!isPostgres(settings)) {
        if (parser.isSet(dirOption)) {
            settings.dir = parser.value(dirOption);
        } else {
            temporary = std::make_unique<QTemporaryDir>();
            settings.dir = temporary->path();
        }
    }

    PluginCatalog catalog;
    catalog.load({settings.plugins});
    if (!catalog.registry().info(QStringLiteral("demo.Pipeline"))) {
        print(QStringLiteral("demo.Pipeline not found in %1 (see --plugins)").arg(settings.plugins));
        return 2;
    }
    const FlowRegistry &registry = catalog.registry();

    print(QStringLiteral("bench_workers: %1, %2 demo.Pipeline flows of %3 steps per run, concurrency %4 per worker")
              .arg(isPostgres(settings) ? QStringLiteral("PostgreSQL %1").arg(displayLocation(settings.location))
                                        : QStringLiteral("SQLite files in %1 (WAL)").arg(settings.dir))
              .arg(settings.flows)
              .arg(settings.steps)
              .arg(settings.concurrency));
    print(QStringLiteral("setup: %1 cores, flows scheduled first (batches of 1,000), then the workers started; "
                         "threads: timed by the workers' counters; processes: started, then told to go, timed by "
                         "polling the log every 50 ms")
              .arg(QThread::idealThreadCount()));

    if (parser.isSet(onlyTimersOption) && !isPostgres(settings)) {
        const auto timers = runTimers(settings, registry);
        printTimers(timers);
        return timers ? 0 : 1;
    }

    bool ok = true;
    double ratio = 0;
    if (isPostgres(settings)) {
        const auto measured = measureSetups(settings, {{1, true}, {2, true}, {4, true}}, [&](const SetUp &setUp) {
            return runProcesses(settings, registry, setUp.count);
        });
        if (!measured)
            return 1;
        ok = measured->ok;
        ratio = measured->ratios.back();
        print(QStringLiteral("4 worker processes: ratio %1 against the baselines around it (target >= %2: %3); the "
                             "median set-up's %4")
                  .arg(fixed(ratio, 2), fixed(postgresTarget, 1),
                       ratio >= postgresTarget ? QStringLiteral("met") : QStringLiteral("NOT met"),
                       fixed(measured->median(), 2)));
    } else {
        std::vector<double> medians;
        for (const bench::Synchronous mode : modes) {
            settings.synchronous = mode;
            print(QStringLiteral("synchronous=%1").arg(bench::toString(mode)));
            printQtBaseline(settings);
            const auto measured =
                measureSetups(settings, {{1, false}, {2, false}, {4, false}, {2, true}}, [&](const SetUp &setUp) {
                    return setUp.processes ? runProcesses(settings, registry, setUp.count)
                                           : runThreads(settings, registry, setUp.count);
                });
            if (!measured)
                return 1;
            ok = ok && measured->ok;
            const double median = measured->median();
            const double best = *std::max_element(measured->ratios.begin(), measured->ratios.end());
            print(QStringLiteral("synchronous=%1: set-ups' ratios %2; median %3 (target >= %4: %5); best %6, for "
                                 "information")
                      .arg(bench::toString(mode), measured->ratioList(), fixed(median, 2), fixed(sqliteTarget, 1),
                           median >= sqliteTarget ? QStringLiteral("met") : QStringLiteral("NOT met"), fixed(best, 2)));
            medians.push_back(median);
        }
        settings.synchronous = bench::Synchronous::Normal;
        ok = runScheduling(settings, registry).has_value() && ok;
        const auto timers = runTimers(settings, registry);
        ok = ok && timers.has_value();
        printTimers(timers);
        if (medians.size() > 1)
            print(QStringLiteral("ratio_full=%1").arg(fixed(medians.back(), 2)));
        ratio = medians.front();
    }
    if (!ok)
        print(QStringLiteral("FAILED: see above"));
    print(QStringLiteral("ratio=%1").arg(fixed(ratio, 2)));
    return ok ? 0 : 1;
}
