// bench_engine: throughput of the flow engine on one thread against an SQLite file, measured
// against the raw rate of single-row commits on the same disk (issue #2).
//
// Phases, each in this process and in order:
//   1. baseline: one prepared INSERT per transaction into a separate SQLite file of the same
//      folder (WAL, the same synchronous mode), i.e. what "one commit per step" would cost;
//   2. sqlite:   N flows of K steps scheduled in one batch, then N FlowExecutor::run() tasks
//      started at once and awaited in a real event loop (group commit);
//   (1 and 2 run in rounds, --rounds, each round on files of its own: the ratio of each round
//   divides its engine's steps/s by its own baseline, and the median round is reported.)
//   3. memory:   the same against InMemoryExecutionLog, i.e. the engine's own cost.
// The peak RSS is reset before each phase (clear_refs 5), so each phase reports its own peak.
// The last line is "ratio=<the median round's sqlite steps/s divided by its baseline
// commits/s>"; the target is 1.5.

#include "benchoutput.h"

#include <ergon/clock.h>
#include <ergon/flow.h>
#include <ergon/flowcontext.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowregistry.h>
#include <ergon/inmemoryexecutionlog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

using namespace ergon;

const QString flowTypeName = QStringLiteral("bench.Steps");
constexpr double targetRatio = 1.5;

using bench::fixed;
using bench::print;

/// K steps, each returning its index: no I/O, no sleep, so the figures are the engine's and the
/// log's cost alone.
class StepsFlow final : public Flow
{
public:
    explicit StepsFlow(QStringList stepNames)
        : m_stepNames(std::move(stepNames))
    {
    }

    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        qint64 sum = 0;
        for (int i = 0; i < m_stepNames.size(); ++i)
            sum += co_await ctx.step(m_stepNames.at(i), [i] { return i; });
        co_return QJsonValue(sum);
    }

private:
    QStringList m_stepNames; // implicitly shared: every flow holds the same list
};

// --- cpu --------------------------------------------------------------------------------

/// CPU time of this process: the figure that stays meaningful when the machine is shared
/// (wall-clock rates drop when other processes take the cores).
struct CpuTime {
    double user = 0;
    double system = 0;

    static CpuTime now()
    {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        return {usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
                usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6};
    }
    CpuTime operator-(const CpuTime &other) const { return {user - other.user, system - other.system}; }
};

QString describeCpu(const CpuTime &cpu, double wallSeconds, qint64 units, const QString &unit)
{
    return QStringLiteral("cpu %1 s (user %2, sys %3) = %4 us per %5, %6% of wall")
        .arg(fixed(cpu.user + cpu.system, 3), fixed(cpu.user, 3), fixed(cpu.system, 3),
             fixed((cpu.user + cpu.system) * 1e6 / units, 1), unit, fixed(100 * (cpu.user + cpu.system) / wallSeconds));
}

// --- memory -----------------------------------------------------------------------------

struct Memory {
    qint64 rssKiB = -1;
    qint64 hwmKiB = -1;
};

Memory readMemory()
{
    Memory memory;
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly | QIODevice::Text))
        return memory;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const auto field = [&](const char *name) -> std::optional<qint64> {
            if (!line.startsWith(name))
                return std::nullopt;
            return line.mid(qstrlen(name)).trimmed().split(' ').value(0).toLongLong();
        };
        if (auto rss = field("VmRSS:"))
            memory.rssKiB = *rss;
        else if (auto hwm = field("VmHWM:"))
            memory.hwmKiB = *hwm;
    }
    return memory;
}

/// Gives freed heap back to the system, so that RSS shows what is still held.
void trimHeap()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

/// Trims the heap and resets VmHWM to the current RSS, so that the next phase's peak is its
/// own. False when the kernel refuses the reset (the peak is then the whole process's).
bool startMemoryPhase()
{
    trimHeap();
    QFile clearRefs(QStringLiteral("/proc/self/clear_refs"));
    return clearRefs.open(QIODevice::WriteOnly) && clearRefs.write("5") == 1;
}

QString mib(qint64 kib)
{
    return kib < 0 ? QStringLiteral("?") : fixed(kib / 1024.0, 1) + QStringLiteral(" MiB");
}

struct PhaseMemory {
    Memory before;
    Memory end;            ///< peak, and RSS once the work is done (heap trimmed, log still open)
    qint64 closedKiB = -1; ///< RSS once the log is closed too
    bool phasePeak = false;
};

void printMemory(const PhaseMemory &memory, qint64 flows)
{
    QString line = QStringLiteral("  rss: before %1, peak %2 (%3), at the end (log open) %4")
                       .arg(mib(memory.before.rssKiB), mib(memory.end.hwmKiB),
                            memory.phasePeak ? QStringLiteral("this phase") : QStringLiteral("whole process so far"),
                            mib(memory.end.rssKiB));
    if (memory.closedKiB >= 0)
        line += QStringLiteral(", after closing the log %1").arg(mib(memory.closedKiB));
    if (flows > 0 && memory.phasePeak) {
        line += QStringLiteral("; peak above the start: %1 B per flow")
                    .arg(fixed((memory.end.hwmKiB - memory.before.rssKiB) * 1024.0 / flows));
    }
    print(line);
}

qint64 trimmedRss()
{
    trimHeap();
    return readMemory().rssKiB;
}

// --- baseline ---------------------------------------------------------------------------

struct Baseline {
    double commitsPerSecond = 0;
    double seconds = 0;
    CpuTime cpu;
};

/// How each single-row transaction is made.
enum class CommitStyle {
    /// One prepared INSERT in autocommit mode: the cheapest single-row commit there is, and the
    /// baseline of the ratio, so that it is not slowed by anything the engine does not also pay.
    Autocommit,
    /// BEGIN IMMEDIATE, the INSERT, COMMIT: what the engine's write() would pay per step
    /// without group commit. Printed for information.
    Explicit,
};

std::optional<Baseline> measureBaseline(const QString &path, int commits, int stepsPerFlow, bool full,
                                        CommitStyle style)
{
    const QString connection = QStringLiteral("bench-baseline");
    std::optional<Baseline> baseline;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        db.setDatabaseName(path);
        if (!db.open()) {
            print(QStringLiteral("baseline: cannot open %1: %2").arg(path, db.lastError().text()));
            return std::nullopt;
        }
        QSqlQuery setup(db);
        const QStringList statements{
            QStringLiteral("PRAGMA journal_mode = WAL"),
            full ? QStringLiteral("PRAGMA synchronous = FULL") : QStringLiteral("PRAGMA synchronous = NORMAL"),
            QStringLiteral("CREATE TABLE rows (id INTEGER PRIMARY KEY, flow_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
                           " result TEXT)"),
        };
        for (const QString &sql : statements) {
            if (!setup.exec(sql)) {
                print(QStringLiteral("baseline: %1: %2").arg(sql, setup.lastError().text()));
                return std::nullopt;
            }
        }
        setup.finish();

        QSqlQuery insert(db);
        QSqlQuery begin(db);
        if (!insert.prepare(QStringLiteral("INSERT INTO rows (flow_id, seq, result) VALUES (?, ?, ?)")) ||
            !begin.prepare(QStringLiteral("BEGIN IMMEDIATE"))) {
            print(QStringLiteral("baseline: prepare: %1").arg(insert.lastError().text()));
            return std::nullopt;
        }
        const bool explicitTransactions = style == CommitStyle::Explicit;
        QElapsedTimer timer;
        const CpuTime cpuStart = CpuTime::now();
        timer.start();
        for (int i = 0; i < commits; ++i) {
            if (explicitTransactions && !begin.exec()) {
                print(QStringLiteral("baseline: begin: %1").arg(begin.lastError().text()));
                return std::nullopt;
            }
            insert.bindValue(0, i / stepsPerFlow);
            insert.bindValue(1, i % stepsPerFlow);
            insert.bindValue(2, QString::number(i % stepsPerFlow));
            if (!insert.exec()) {
                print(QStringLiteral("baseline: insert: %1").arg(insert.lastError().text()));
                return std::nullopt;
            }
            if (explicitTransactions && !db.commit()) {
                print(QStringLiteral("baseline: commit: %1").arg(db.lastError().text()));
                return std::nullopt;
            }
        }
        const qint64 nanoseconds = timer.nsecsElapsed();
        baseline = Baseline{commits / (nanoseconds / 1e9), nanoseconds / 1e9, CpuTime::now() - cpuStart};
        insert.finish();
        begin.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return baseline;
}

// --- flows ------------------------------------------------------------------------------

struct Tally {
    qint64 completed = 0;
    qint64 other = 0;
    QString firstProblem;
};

/// Starts every run at once (each runs eagerly to its first durable point), then collects
/// them in order; a run that finished already is collected without suspending.
QCoro::Task<Tally> runAll(FlowExecutor *executor, QList<qint64> ids)
{
    std::vector<QCoro::Task<Result<FlowOutcome>>> runs;
    runs.reserve(ids.size());
    for (const qint64 id : std::as_const(ids))
        runs.push_back(executor->run(id));
    Tally tally;
    for (auto &run : runs) {
        const Result<FlowOutcome> outcome = co_await run;
        run = QCoro::Task<Result<FlowOutcome>>(); // frees the finished coroutine's frame now
        if (outcome && outcome->status == FlowStatus::Completed) {
            ++tally.completed;
            continue;
        }
        ++tally.other;
        if (tally.firstProblem.isEmpty())
            tally.firstProblem = outcome ? QStringLiteral("flow %1 ended %2 %3")
                                               .arg(outcome->flowId)
                                               .arg(toString(outcome->status), outcome->error)
                                         : outcome.errorString();
    }
    co_return tally;
}

struct RunFigures {
    bool ok = false;
    double flowsPerSecond = 0;
    double stepsPerSecond = 0;
};

/// Schedules N flows in one batch, runs them all concurrently on this thread, checks they all
/// completed, and prints the figures of one backend.
RunFigures benchmarkBackend(const QString &label, ExecutionLog &log, const FlowRegistry &registry, int flows,
                            int stepsPerFlow, int maxBatchRows, int timeoutSeconds)
{
    RunFigures figures;
    SystemClock clock;
    QList<NewFlow> batch;
    batch.reserve(flows);
    for (int i = 0; i < flows; ++i) {
        NewFlow flow;
        flow.type = flowTypeName;
        batch.append(flow);
    }
    QElapsedTimer timer;
    timer.start();
    auto ids = log.scheduleFlows(batch, clock.now());
    const double scheduleSeconds = timer.nsecsElapsed() / 1e9;
    batch.clear();
    if (!ids || ids->size() != flows) {
        print(QStringLiteral("%1: scheduling failed: %2")
                  .arg(label, ids ? QStringLiteral("wrong count") : ids.errorString()));
        return figures;
    }

    FlowExecutor executor(log, registry, clock, QStringLiteral("bench"));
    if (maxBatchRows > 0)
        executor.setMaxBatchSize(maxBatchRows);

    QEventLoop loop;
    std::optional<Tally> tally;
    bool timedOut = false;
    QTimer watchdog;
    watchdog.setSingleShot(true);
    QObject::connect(&watchdog, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        loop.quit();
    });
    watchdog.start(std::chrono::seconds(timeoutSeconds));

    const CpuTime cpuStart = CpuTime::now();
    timer.restart();
    QCoro::connect(runAll(&executor, ids.take()), &loop, [&](Tally result) {
        tally = std::move(result);
        loop.quit();
    });
    if (!tally)
        loop.exec();
    const double runSeconds = timer.nsecsElapsed() / 1e9;
    const CpuTime cpu = CpuTime::now() - cpuStart;
    watchdog.stop();

    if (timedOut || !tally) {
        print(QStringLiteral("%1: timed out after %2 s with %3 flows in flight")
                  .arg(label)
                  .arg(timeoutSeconds)
                  .arg(executor.inFlight()));
        return figures;
    }

    figures.flowsPerSecond = flows / runSeconds;
    figures.stepsPerSecond = double(flows) * stepsPerFlow / runSeconds;
    print(QStringLiteral("%1: scheduled %2 flows in %3 s; ran them in %4 s = %5 flows/s, %6 steps/s")
              .arg(label)
              .arg(flows)
              .arg(fixed(scheduleSeconds, 3), fixed(runSeconds, 3), fixed(figures.flowsPerSecond),
                   fixed(figures.stepsPerSecond)));
    print(QStringLiteral("  ") + describeCpu(cpu, runSeconds, flows, QStringLiteral("flow")));
    const qint64 commits = executor.commits();
    const qint64 rows = executor.committedRows();
    print(QStringLiteral("  batches: %1 commits, %2 rows, %3 rows per commit, %4 commits per flow"
                         " (claims included)")
              .arg(commits)
              .arg(rows)
              .arg(commits > 0 ? fixed(double(rows) / commits, 1) : QStringLiteral("-"),
                   fixed(double(commits) / flows, 4)));

    const auto counts = log.countByStatus();
    if (!counts) {
        print(QStringLiteral("  status: cannot count: %1").arg(counts.errorString()));
        return figures;
    }
    QStringList parts;
    for (auto it = counts->cbegin(); it != counts->cend(); ++it)
        parts.append(QStringLiteral("%1=%2").arg(toString(it.key())).arg(it.value()));
    const qint64 completed = counts->value(FlowStatus::Completed);
    print(QStringLiteral("  status: %1 of %2 flows completed (%3); run results: %4 completed, %5 not")
              .arg(completed)
              .arg(flows)
              .arg(parts.join(QLatin1Char(' ')))
              .arg(tally->completed)
              .arg(tally->other));
    if (!tally->firstProblem.isEmpty())
        print(QStringLiteral("  first problem: %1").arg(tally->firstProblem));
    figures.ok = completed == flows && tally->completed == flows;
    return figures;
}

/// Deletes a measured database with its WAL: each phase writes tens of megabytes that the
/// kernel would otherwise write back to disk in the background during the next phase (the
/// 20,000 single-row commits of the baseline alone write 80 MB of WAL frames).
void removeDatabase(const QString &path)
{
    for (const char *end : {"", "-wal", "-shm"})
        QFile::remove(path + QLatin1String(end));
}

/// One round: the baselines, then the engine against SQLite on a database of its own.
struct RoundFigures {
    double commitsPerSecond = 0;         ///< autocommit INSERT: the ratio's baseline
    double explicitCommitsPerSecond = 0; ///< BEGIN IMMEDIATE + INSERT + COMMIT, for information
    RunFigures sqlite;

    double ratio() const { return commitsPerSecond > 0 ? sqlite.stepsPerSecond / commitsPerSecond : 0; }
};

std::optional<RoundFigures> measureRound(const QString &folder, int round, int flows, int stepsPerFlow,
                                         int baselineCommits, bool full, const QString &syncName,
                                         const FlowRegistry &registry, int maxBatchRows, int timeoutSeconds,
                                         qint64 &peakKiB)
{
    const QString suffix = QStringLiteral("-%1.db").arg(round);
    RoundFigures figures;

    // The baseline: one commit per row on the same disk, same journal and synchronous mode.
    PhaseMemory memory;
    memory.phasePeak = startMemoryPhase();
    memory.before = readMemory();
    const auto baseline = measureBaseline(QDir(folder).filePath(QStringLiteral("baseline") + suffix), baselineCommits,
                                          stepsPerFlow, full, CommitStyle::Autocommit);
    if (!baseline)
        return std::nullopt;
    print(
        QStringLiteral(
            "baseline: %1 single-row commits (prepared INSERT, autocommit, WAL, synchronous=%2) in %3 s = %4 commits/s")
            .arg(baselineCommits)
            .arg(syncName, fixed(baseline->seconds, 3), fixed(baseline->commitsPerSecond)));
    print(QStringLiteral("  ") +
          describeCpu(baseline->cpu, baseline->seconds, baselineCommits, QStringLiteral("commit")));
    const auto explicitBaseline = measureBaseline(QDir(folder).filePath(QStringLiteral("baseline-explicit") + suffix),
                                                  baselineCommits, stepsPerFlow, full, CommitStyle::Explicit);
    if (!explicitBaseline)
        return std::nullopt;
    memory.end = readMemory();
    print(QStringLiteral(
              "  for information, BEGIN IMMEDIATE + INSERT + COMMIT per row (how the engine commits): %1 commits/s")
              .arg(fixed(explicitBaseline->commitsPerSecond)));
    printMemory(memory, 0);
    peakKiB = std::max(peakKiB, memory.end.hwmKiB);
    removeDatabase(QDir(folder).filePath(QStringLiteral("baseline") + suffix));
    removeDatabase(QDir(folder).filePath(QStringLiteral("baseline-explicit") + suffix));
    figures.commitsPerSecond = baseline->commitsPerSecond;
    figures.explicitCommitsPerSecond = explicitBaseline->commitsPerSecond;

    // The engine against SQLite.
    memory = {};
    memory.phasePeak = startMemoryPhase();
    memory.before = readMemory();
    {
        SqliteExecutionLog::Options options;
        options.synchronous = full ? SqliteExecutionLog::Synchronous::Full : SqliteExecutionLog::Synchronous::Normal;
        auto log = SqliteExecutionLog::open(QDir(folder).filePath(QStringLiteral("engine") + suffix), options);
        if (!log) {
            print(QStringLiteral("sqlite: %1").arg(log.errorString()));
            return std::nullopt;
        }
        figures.sqlite = benchmarkBackend(QStringLiteral("sqlite"), **log, registry, flows, stepsPerFlow, maxBatchRows,
                                          timeoutSeconds);
        memory.end = readMemory();
        memory.end.rssKiB = trimmedRss();
    }
    memory.closedKiB = trimmedRss();
    printMemory(memory, flows);
    peakKiB = std::max(peakKiB, memory.end.hwmKiB);

    removeDatabase(QDir(folder).filePath(QStringLiteral("engine") + suffix));
    return figures;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_engine"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Group-commit throughput of the flow engine against one commit per row."));
    parser.addHelpOption();
    const QCommandLineOption flowsOption(QStringLiteral("flows"), QStringLiteral("Flows to run (default 20000)."),
                                         QStringLiteral("N"), QStringLiteral("20000"));
    const QCommandLineOption stepsOption(QStringLiteral("steps"), QStringLiteral("Steps per flow (default 3)."),
                                         QStringLiteral("K"), QStringLiteral("3"));
    const QCommandLineOption syncOption(QStringLiteral("synchronous"), QStringLiteral("normal (default) or full."),
                                        QStringLiteral("mode"), QStringLiteral("normal"));
    const QCommandLineOption dirOption(QStringLiteral("dir"),
                                       QStringLiteral("Folder for the database files (default: a temporary folder)."),
                                       QStringLiteral("path"));
    const QCommandLineOption baselineOption(QStringLiteral("baseline-commits"),
                                            QStringLiteral("Single-row commits of the baseline (default 20000)."),
                                            QStringLiteral("N"), QStringLiteral("20000"));
    const QCommandLineOption batchOption(QStringLiteral("max-batch"),
                                         QStringLiteral("Rows per grouped transaction (default: the executor's)."),
                                         QStringLiteral("rows"), QStringLiteral("0"));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
                                           QStringLiteral("Watchdog per phase, seconds (default 600)."),
                                           QStringLiteral("s"), QStringLiteral("600"));
    const QCommandLineOption roundsOption(
        QStringLiteral("rounds"),
        QStringLiteral("Rounds of baseline then engine on SQLite; the median round is reported (default 3)."),
        QStringLiteral("N"), QStringLiteral("3"));
    parser.addOptions(
        {flowsOption, stepsOption, syncOption, dirOption, baselineOption, batchOption, timeoutOption, roundsOption});
    parser.process(app);

    bool valid = true;
    const auto positive = [&](const QCommandLineOption &option, int minimum) {
        bool ok = false;
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < minimum) {
            print(QStringLiteral("--%1 must be an integer >= %2").arg(option.names().constFirst()).arg(minimum));
            valid = false;
        }
        return value;
    };
    const int flows = positive(flowsOption, 1);
    const int stepsPerFlow = positive(stepsOption, 1);
    const int baselineCommits = positive(baselineOption, 1);
    const int maxBatchRows = positive(batchOption, 0);
    const int timeoutSeconds = positive(timeoutOption, 1);
    const int roundCount = positive(roundsOption, 1);
    const QString syncName = parser.value(syncOption).toLower();
    if (syncName != QLatin1String("normal") && syncName != QLatin1String("full")) {
        print(QStringLiteral("--synchronous must be normal or full"));
        valid = false;
    }
    if (!valid)
        return 2;
    const bool full = syncName == QLatin1String("full");

    std::optional<QTemporaryDir> temporary;
    QString folder;
    if (parser.isSet(dirOption)) {
        QDir chosen(parser.value(dirOption));
        if (!chosen.exists()) {
            print(QStringLiteral("--dir %1 does not exist").arg(parser.value(dirOption)));
            return 2;
        }
        temporary.emplace(chosen.absoluteFilePath(QStringLiteral("bench_engine-XXXXXX")));
    } else {
        temporary.emplace();
    }
    if (!temporary->isValid()) {
        print(QStringLiteral("cannot create a temporary folder: %1").arg(temporary->errorString()));
        return 2;
    }
    folder = temporary->path();

    FlowRegistry registry;
    FlowTypeInfo info;
    info.name = flowTypeName;
    info.description = QStringLiteral("benchmark: steps returning their index");
    QStringList stepNames;
    for (int i = 0; i < stepsPerFlow; ++i)
        stepNames.append(QStringLiteral("step%1").arg(i));
    const auto factory = [stepNames](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
        return std::unique_ptr<Flow>(std::make_unique<StepsFlow>(stepNames));
    };
    if (auto added = registry.add(info, factory); !added) {
        print(added.errorString());
        return 2;
    }

    print(QStringLiteral("bench_engine: %1 flows of %2 steps, run concurrently on one thread")
              .arg(flows)
              .arg(stepsPerFlow));
    print(QStringLiteral(
              "setup: flows=%1 steps_per_flow=%2 synchronous=%3 journal=wal max_batch_rows=%4 baseline_commits=%5 "
              "rounds=%6 dir=%7")
              .arg(flows)
              .arg(stepsPerFlow)
              .arg(syncName, maxBatchRows > 0 ? QString::number(maxBatchRows) : QStringLiteral("default"))
              .arg(baselineCommits)
              .arg(roundCount)
              .arg(folder));

    // 1 and 2, in rounds: each round measures the baseline, then the engine right after it on
    // a database of its own, so that both sides of each round's ratio see the same machine.
    // The figure reported is the median round: a single pair swings with whatever else the
    // machine did during either half (the baseline alone varies by 10% from run to run here).
    std::vector<RoundFigures> rounds;
    qint64 peakKiB = 0;
    bool sqliteOk = true;
    for (int round = 1; round <= roundCount; ++round) {
        print(QStringLiteral("round %1 of %2").arg(round).arg(roundCount));
        const auto figures = measureRound(folder, round, flows, stepsPerFlow, baselineCommits, full, syncName, registry,
                                          maxBatchRows, timeoutSeconds, peakKiB);
        if (!figures)
            return 1;
        sqliteOk = sqliteOk && figures->sqlite.ok;
        rounds.push_back(*figures);
        print(QStringLiteral("  round %1: ratio %2").arg(round).arg(fixed(figures->ratio(), 2)));
    }

    // 3. The engine alone, in memory.
    RunFigures inMemory;
    PhaseMemory memory;
    memory.phasePeak = startMemoryPhase();
    memory.before = readMemory();
    {
        InMemoryExecutionLog log;
        inMemory = benchmarkBackend(QStringLiteral("memory"), log, registry, flows, stepsPerFlow, maxBatchRows,
                                    timeoutSeconds);
        memory.end = readMemory();
        memory.end.rssKiB = trimmedRss(); // what the store holds, without freed heap
    }
    memory.closedKiB = trimmedRss();
    printMemory(memory, flows);
    peakKiB = std::max(peakKiB, memory.end.hwmKiB);

    std::sort(rounds.begin(), rounds.end(),
              [](const RoundFigures &a, const RoundFigures &b) { return a.ratio() < b.ratio(); });
    const RoundFigures &median = rounds.at(rounds.size() / 2);
    QStringList ratios;
    for (const RoundFigures &round : rounds)
        ratios.append(fixed(round.ratio(), 2));
    const double ratio = median.ratio();
    print(QStringLiteral("peak rss (VmHWM): %1").arg(mib(peakKiB)));
    print(QStringLiteral("rounds, by ratio: %1").arg(ratios.join(QStringLiteral(", "))));
    print(QStringLiteral("median round: sqlite steps/s %1 / baseline commits/s %2 = %3 (target >= %4: %5; against "
                         "BEGIN+INSERT+COMMIT: %6)")
              .arg(fixed(median.sqlite.stepsPerSecond), fixed(median.commitsPerSecond), fixed(ratio, 2),
                   fixed(targetRatio, 1), ratio >= targetRatio ? QStringLiteral("met") : QStringLiteral("NOT met"),
                   fixed(median.sqlite.stepsPerSecond / median.explicitCommitsPerSecond, 2)));
    print(QStringLiteral("in-memory steps/s %1 = %2x sqlite (the median round)")
              .arg(fixed(inMemory.stepsPerSecond),
                   fixed(median.sqlite.stepsPerSecond > 0 ? inMemory.stepsPerSecond / median.sqlite.stepsPerSecond : 0,
                         1)));
    const bool ok = sqliteOk && inMemory.ok;
    if (!ok)
        print(QStringLiteral("FAILED: not every flow completed"));
    print(QStringLiteral("ratio=%1").arg(fixed(ratio, 2)));
    return ok ? 0 : 1;
}
