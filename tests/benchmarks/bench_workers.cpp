// bench_workers: throughput of workers (issue #4 on SQLite, issue #6 on PostgreSQL), measured
// against the raw rate of single-row commits to the same storage in the same run.
//
// SQLite (default; files in --dir, or a temporary folder):
//   1. baseline: one prepared INSERT per transaction (autocommit, WAL, synchronous=NORMAL);
//   2. N demo.Pipeline flows of 3 steps with 1, 2 and 4 worker threads in this process, then
//      with 2 worker processes (this program, --child-worker), each on a fresh file;
//   3. scheduling --schedule flows through FlowScheduler in batches of 1,000;
//   4. --timers demo.Sleeper flows with a one-second durable timer: how late each timer fired
//      (the timer step's completion against its fire time), p50 and p99.
//   ratio = the best steps/s of step 2 / baseline commits/s (target 1.5).
//   --only-timers runs step 4 alone.
// PostgreSQL (--db postgresql://...; a fresh schema per phase, dropped afterwards):
//   1. baseline: single-row INSERT commits over one connection to the same server;
//   2. N flows of 3 steps with 1, 2 and 4 worker processes.
//   ratio = steps/s with 4 processes / baseline commits/s (target 3).
//
// Flows are scheduled due a moment later (the workers start meanwhile); the clock runs from
// that due time until the last flow completed, as counted by the workers (threads) or by
// polling the log every 100 ms (processes). The last line is "ratio=<value>".

#include "benchoutput.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/openexecutionlog.h>
#include <ergon/plugincatalog.h>

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

using bench::fixed;
using bench::print;

struct Settings {
    QString location; ///< a postgresql:// URL, or empty for SQLite
    QString dir;      ///< SQLite: where the files go
    QString plugins;
    int flows = 20000;
    int steps = 3;
    int concurrency = 256;
    int scheduleFlows = 100000;
    int timers = 10000;
    int baselineCommits = 20000;
    int timeoutSeconds = 600;
};

// --- storage ----------------------------------------------------------------------------

bool isPostgres(const Settings &settings)
{
    return !settings.location.isEmpty();
}

/// A fresh place for one phase: a new SQLite file, or a new schema on the server.
class Storage
{
public:
    Storage(const Settings &settings, const QString &name)
        : m_postgres(isPostgres(settings))
    {
        if (m_postgres) {
            m_schema = QStringLiteral("bench_%1_%2").arg(QCoreApplication::applicationPid()).arg(name);
            QUrl url(settings.location);
            QUrlQuery query(url);
            query.removeAllQueryItems(QStringLiteral("schema"));
            query.addQueryItem(QStringLiteral("schema"), m_schema);
            url.setQuery(query);
            m_location = url.toString();
            admin(settings.location, QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(m_schema));
            m_base = settings.location;
        } else {
            m_location = QDir(settings.dir).filePath(name + QStringLiteral(".db"));
            QFile::remove(m_location);
        }
    }
    ~Storage()
    {
        if (m_postgres)
            admin(m_base, QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(m_schema));
    }

    const QString &location() const { return m_location; }

    /// One statement on an administrative connection to the server.
    static bool admin(const QString &url, const QString &sql)
    {
        const QString name = QStringLiteral("bench-admin");
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            const QUrl parsed(url);
            db.setHostName(parsed.host());
            db.setPort(parsed.port(5432));
            db.setUserName(parsed.userName());
            if (!parsed.password().isEmpty())
                db.setPassword(parsed.password());
            db.setDatabaseName(parsed.path().mid(1));
            if (db.open()) {
                QSqlQuery query(db);
                query.exec(QStringLiteral("SET client_min_messages TO warning"));
                ok = query.exec(sql);
                if (!ok)
                    print(QStringLiteral("  %1: %2").arg(sql, query.lastError().text()));
            } else {
                print(QStringLiteral("  cannot connect: %1").arg(db.lastError().text()));
            }
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    }

private:
    bool m_postgres;
    QString m_location;
    QString m_schema;
    QString m_base;
};

LogOpener opener(const QString &location)
{
    return [location] { return openExecutionLog(location); };
}

// --- baseline ---------------------------------------------------------------------------

/// Single-row commits: one prepared INSERT in autocommit mode, the cheapest durable write of
/// one row there is on that storage.
std::optional<double> measureBaseline(const Settings &settings)
{
    const QString connection = QStringLiteral("bench-baseline");
    std::optional<double> rate;
    Storage storage(settings, QStringLiteral("baseline"));
    {
        QSqlDatabase db;
        QStringList setup;
        if (isPostgres(settings)) {
            const QUrl url(settings.location);
            db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            db.setHostName(url.host());
            db.setPort(url.port(5432));
            db.setUserName(url.userName());
            if (!url.password().isEmpty())
                db.setPassword(url.password());
            db.setDatabaseName(url.path().mid(1));
            const QString schema = QUrlQuery(QUrl(storage.location())).queryItemValue(QStringLiteral("schema"));
            setup = {QStringLiteral("SET client_min_messages TO warning"),
                     QStringLiteral("CREATE SCHEMA %1").arg(schema),
                     QStringLiteral("SET search_path TO %1").arg(schema),
                     QStringLiteral("CREATE TABLE rows (id BIGSERIAL PRIMARY KEY, flow_id BIGINT NOT NULL, seq INTEGER"
                                    " NOT NULL, result TEXT)")};
        } else {
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
            db.setDatabaseName(storage.location());
            setup = {QStringLiteral("PRAGMA journal_mode = WAL"), QStringLiteral("PRAGMA synchronous = NORMAL"),
                     QStringLiteral("CREATE TABLE rows (id INTEGER PRIMARY KEY, flow_id INTEGER NOT NULL, seq INTEGER"
                                    " NOT NULL, result TEXT)")};
        }
        if (!db.open()) {
            print(QStringLiteral("baseline: cannot open: %1").arg(db.lastError().text()));
            return std::nullopt;
        }
        {
            QSqlQuery query(db);
            for (const QString &sql : std::as_const(setup)) {
                if (!query.exec(sql)) {
                    print(QStringLiteral("baseline: %1: %2").arg(sql, query.lastError().text()));
                    return std::nullopt;
                }
            }
            query.finish();
            QSqlQuery insert(db);
            if (!insert.prepare(QStringLiteral("INSERT INTO rows (flow_id, seq, result) VALUES (?, ?, ?)"))) {
                print(QStringLiteral("baseline: prepare: %1").arg(insert.lastError().text()));
                return std::nullopt;
            }
            QElapsedTimer timer;
            timer.start();
            for (int i = 0; i < settings.baselineCommits; ++i) {
                insert.bindValue(0, i / settings.steps);
                insert.bindValue(1, i % settings.steps);
                insert.bindValue(2, QString::number(i % settings.steps));
                if (!insert.exec()) {
                    print(QStringLiteral("baseline: insert: %1").arg(insert.lastError().text()));
                    return std::nullopt;
                }
            }
            const double seconds = timer.nsecsElapsed() / 1e9;
            rate = settings.baselineCommits / seconds;
            print(QStringLiteral(
                      "baseline: %1 single-row INSERT commits (prepared, autocommit, one connection) in %2 s = %3 "
                      "commits/s")
                      .arg(settings.baselineCommits)
                      .arg(fixed(seconds, 3), fixed(*rate)));
            insert.finish();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return rate;
}

// --- runs ---------------------------------------------------------------------------------

/// Schedules `count` flows through the scheduler, in batches of 1,000 (due at once).
Result<int> schedule(ExecutionLog &log, const FlowRegistry &registry, const QString &type, const QJsonObject &args,
                     int count)
{
    SystemClock clock;
    FlowScheduler scheduler(log, registry, clock);
    ScheduleRequest request;
    request.type = type;
    request.arguments = args;
    int scheduled = 0;
    while (scheduled < count) {
        const int batch = std::min(1000, count - scheduled);
        auto ids = scheduler.scheduleMany(QList<ScheduleRequest>(batch, request));
        if (!ids)
            return ids.error();
        scheduled += batch;
    }
    return scheduled;
}

/// Runs the event loop until `done` says so (checked every `every`) or the timeout.
bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds every, int timeoutSeconds)
{
    if (done())
        return true;
    QElapsedTimer elapsed;
    elapsed.start();
    QEventLoop loop;
    QTimer check;
    bool finished = false;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done()) {
            finished = true;
            loop.quit();
        } else if (elapsed.elapsed() > timeoutSeconds * 1000LL) {
            loop.quit();
        }
    });
    check.start(every);
    loop.exec();
    return finished;
}

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
        workers.push_back(FlowWorker(opener(storage.location()), registry)
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
                      QStringLiteral("--concurrency"), QString::number(settings.concurrency)});
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

/// One-second durable timers: how late each fired, from its timer step (fire time against the
/// moment the replay completed it). Two worker threads drive them.
std::optional<std::pair<double, double>> runTimers(const Settings &settings, const FlowRegistry &registry)
{
    Storage storage(settings, QStringLiteral("timers"));
    auto log = openExecutionLog(storage.location());
    if (!log) {
        print(QStringLiteral("timers: %1").arg(log.errorString()));
        return std::nullopt;
    }
    auto scheduled =
        schedule(**log, registry, QStringLiteral("demo.Sleeper"), {{QStringLiteral("seconds"), 1}}, settings.timers);
    if (!scheduled) {
        print(QStringLiteral("timers: %1").arg(scheduled.errorString()));
        return std::nullopt;
    }
    QElapsedTimer timer;
    timer.start();
    std::vector<std::unique_ptr<WorkerHandle>> workers;
    for (int i = 1; i <= 2; ++i)
        workers.push_back(FlowWorker(opener(storage.location()), registry)
                              .withName(QStringLiteral("timers-%1").arg(i))
                              .withConcurrency(std::max(settings.concurrency, 256))
                              .withPollInterval(100ms)
                              .withTimers(500ms)
                              .start());
    const auto completed = [&] {
        qint64 sum = 0;
        for (const auto &worker : workers)
            sum += worker->stats().completed;
        return sum >= settings.timers;
    };
    const bool ok = waitUntil(completed, 20ms, settings.timeoutSeconds);
    const double seconds = timer.nsecsElapsed() / 1e9;
    for (auto &worker : workers)
        worker->shutdownAndWait(10s);
    if (!ok) {
        print(QStringLiteral("timers: FAILED (not every timer fired within the timeout)"));
        return std::nullopt;
    }
    std::vector<double> lateness;
    lateness.reserve(size_t(settings.timers));
    FlowQuery query;
    query.limit = settings.timers;
    auto flows = (*log)->flows(query);
    if (!flows) {
        print(QStringLiteral("timers: %1").arg(flows.errorString()));
        return std::nullopt;
    }
    // Besides the lateness itself (the timer step's completion against its fire time), what
    // explains it: when the first runs parked (a timer falls due one second after its flow's
    // first run, so first runs still going on then compete with the firings), and how late
    // each flow went on past its sleep (the next step's start).
    std::vector<double> resumed;
    qint64 firstParked = std::numeric_limits<qint64>::max();
    qint64 lastParked = std::numeric_limits<qint64>::min();
    for (const FlowRecord &flow : std::as_const(*flows)) {
        auto steps = (*log)->steps(flow.id, false);
        if (!steps)
            continue;
        QDateTime due;
        for (const StepRecord &step : std::as_const(*steps)) {
            if (step.kind == StepKind::Timer && step.finished.isValid() && step.nextAttemptAt.isValid()) {
                due = step.nextAttemptAt;
                lateness.push_back(double(step.nextAttemptAt.msecsTo(step.finished)));
                if (step.started.isValid()) {
                    firstParked = std::min(firstParked, step.started.toMSecsSinceEpoch());
                    lastParked = std::max(lastParked, step.started.toMSecsSinceEpoch());
                }
            } else if (step.kind == StepKind::Step && due.isValid() && step.started.isValid()) {
                resumed.push_back(double(due.msecsTo(step.started)));
                due = QDateTime();
            }
        }
    }
    if (lateness.empty()) {
        print(QStringLiteral("timers: no fired timer found"));
        return std::nullopt;
    }
    const auto percentile = [](std::vector<double> &values, double p) {
        std::sort(values.begin(), values.end());
        return values.empty() ? std::nan("") : values[size_t(p * double(values.size() - 1))];
    };
    const double p50 = percentile(lateness, 0.50);
    const double p99 = percentile(lateness, 0.99);
    print(QStringLiteral("timers: %1 one-second timers over 2 worker threads, all fired in %2 s; lateness p50 %3 ms, "
                         "p99 %4 ms, max %5 ms")
              .arg(lateness.size())
              .arg(fixed(seconds, 3), fixed(p50, 1), fixed(p99, 1), fixed(lateness.back(), 1)));
    const double resumedP50 = percentile(resumed, 0.50);
    const double resumedP99 = percentile(resumed, 0.99);
    print(QStringLiteral("timers: first runs parked over %1 ms; the flows went on past their sleep p50 %2 ms, "
                         "p99 %3 ms, max %4 ms after the due time")
              .arg(lastParked >= firstParked ? lastParked - firstParked : 0)
              .arg(fixed(resumedP50, 1), fixed(resumedP99, 1),
                   fixed(resumed.empty() ? std::nan("") : resumed.back(), 1)));
    return std::pair{p50, p99};
}

// --- the child: one worker until SIGTERM -------------------------------------------------

std::atomic<bool> terminated{false};

void onTerminate(int)
{
    terminated = true;
}

int runChild(const QString &name, const QString &location, const QString &plugins, int concurrency)
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
    auto worker = FlowWorker(opener(location), catalog.registry())
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
                                            QStringLiteral("Single-row commits of the baseline (SQLite 20000, "
                                                           "PostgreSQL 2000)."),
                                            QStringLiteral("n"));
    const QCommandLineOption pluginsOption(QStringLiteral("plugins"), QStringLiteral("The folder of the demo plugin."),
                                           QStringLiteral("dir"), QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR));
    const QCommandLineOption childOption(QStringLiteral("child-worker"),
                                         QStringLiteral("Internal: run one worker of that name until SIGTERM."),
                                         QStringLiteral("name"));
    const QCommandLineOption onlyTimersOption(QStringLiteral("only-timers"),
                                              QStringLiteral("SQLite: run the durable timers part (4.) only."));
    parser.addOptions({dbOption, dirOption, flowsOption, concurrencyOption, scheduleOption, timersOption,
                       baselineOption, pluginsOption, childOption, onlyTimersOption});
    parser.process(app);

    if (parser.isSet(childOption)) {
        return runChild(parser.value(childOption), parser.value(dbOption), parser.value(pluginsOption),
                        parser.value(concurrencyOption).toInt());
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
              .arg(isPostgres(settings)
                       ? QStringLiteral("PostgreSQL %1").arg(displayLocation(settings.location))
                       : QStringLiteral("SQLite files in %1 (WAL, synchronous=NORMAL)").arg(settings.dir))
              .arg(settings.flows)
              .arg(settings.steps)
              .arg(settings.concurrency));
    print(QStringLiteral("setup: %1 cores, flows scheduled first (batches of 1,000), then the workers started; "
                         "threads: timed by the workers' counters; processes: started, then told to go, timed by "
                         "polling the log every 50 ms")
              .arg(QThread::idealThreadCount()));

    if (parser.isSet(onlyTimersOption) && !isPostgres(settings)) {
        const auto timers = runTimers(settings, registry);
        print(QStringLiteral("timers_p50_ms=%1").arg(timers ? fixed(timers->first, 1) : QStringLiteral("nan")));
        print(QStringLiteral("timers_p99_ms=%1").arg(timers ? fixed(timers->second, 1) : QStringLiteral("nan")));
        return timers ? 0 : 1;
    }

    const auto baseline = measureBaseline(settings);
    if (!baseline)
        return 1;

    bool ok = true;
    double ratio = 0;
    if (isPostgres(settings)) {
        double fourProcesses = 0;
        for (const int processes : {1, 2, 4}) {
            const Figures figures = runProcesses(settings, registry, processes);
            ok = ok && figures.ok;
            if (processes == 4)
                fourProcesses = figures.stepsPerSecond;
        }
        ratio = fourProcesses / *baseline;
        print(QStringLiteral("4 worker processes: %1 steps/s / baseline %2 commits/s = %3 (target >= %4: %5)")
                  .arg(fixed(fourProcesses), fixed(*baseline), fixed(ratio, 2), fixed(postgresTarget, 1),
                       ratio >= postgresTarget ? QStringLiteral("met") : QStringLiteral("NOT met")));
    } else {
        double best = 0;
        QString bestLabel;
        for (const int threads : {1, 2, 4}) {
            const Figures figures = runThreads(settings, registry, threads);
            ok = ok && figures.ok;
            if (figures.stepsPerSecond > best) {
                best = figures.stepsPerSecond;
                bestLabel = QStringLiteral("%1 thread(s)").arg(threads);
            }
        }
        const Figures processes = runProcesses(settings, registry, 2);
        ok = ok && processes.ok;
        if (processes.stepsPerSecond > best) {
            best = processes.stepsPerSecond;
            bestLabel = QStringLiteral("2 processes");
        }
        ok = runScheduling(settings, registry).has_value() && ok;
        const auto timers = runTimers(settings, registry);
        ok = ok && timers.has_value();
        ratio = best / *baseline;
        print(QStringLiteral("best: %1, %2 steps/s / baseline %3 commits/s = %4 (target >= %5: %6)")
                  .arg(bestLabel, fixed(best), fixed(*baseline), fixed(ratio, 2), fixed(sqliteTarget, 1),
                       ratio >= sqliteTarget ? QStringLiteral("met") : QStringLiteral("NOT met")));
        print(QStringLiteral("timers_p50_ms=%1").arg(timers ? fixed(timers->first, 1) : QStringLiteral("nan")));
        print(QStringLiteral("timers_p99_ms=%1").arg(timers ? fixed(timers->second, 1) : QStringLiteral("nan")));
    }
    if (!ok)
        print(QStringLiteral("FAILED: see above"));
    print(QStringLiteral("ratio=%1").arg(fixed(ratio, 2)));
    return ok ? 0 : 1;
}
