// bench_engine: throughput of the flow engine on one thread against an SQLite file, measured
// against the raw rate of single-row commits on the same disk (issue #2).
//
// Phases, each in this process and in order, for synchronous=NORMAL and then FULL (--synchronous):
//   1. baseline: one prepared INSERT per transaction (autocommit) into a separate SQLite file of
//      the same folder (WAL, the same synchronous mode), on SQLite's C API as the engine commits,
//      i.e. what "one commit per step" costs at the cheapest; the same through Qt SQL, autocommit
//      and BEGIN IMMEDIATE + INSERT + COMMIT, is printed for information;
//   2. sqlite:   N flows of K steps scheduled in one batch, then N FlowExecutor::run() tasks
//      started at once and awaited in a real event loop (group commit);
//   (1 and 2 run in rounds, --rounds, each round on files of its own: the ratio of each round
//   divides its engine's steps/s by its own C API baseline, and the median round is reported.)
//   3. memory:   the same against InMemoryExecutionLog, i.e. the engine's own cost.
// The peak RSS is reset before each phase (clear_refs 5), so each phase reports its own peak.
// The last lines are "ratio_full=<...>" and "ratio=<the median round's sqlite steps/s divided
// by its baseline commits/s, synchronous=NORMAL>"; the target is 1.5.

#include "benchoutput.h"
#include "processmemory.h"
#include "rawcommits.h"

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
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

namespace {

using namespace ergon;

const QString flowTypeName = QStringLiteral("bench.Steps");
constexpr double targetRatio = 1.5;

using bench::fixed;
using bench::print;
using namespace bench::memory;

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

using bench::CpuTime;

QString describeCpu(const CpuTime &cpu, double wallSeconds, qint64 units, const QString &unit)
{
    return QStringLiteral("cpu %1 s (user %2, sys %3) = %4 us per %5, %6% of wall")
        .arg(fixed(cpu.user + cpu.system, 3), fixed(cpu.user, 3), fixed(cpu.system, 3),
             fixed((cpu.user + cpu.system) * 1e6 / units, 1), unit, fixed(100 * (cpu.user + cpu.system) / wallSeconds));
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

/// One round: the baselines, then the engine against SQLite on a database of its own.
struct RoundFigures {
    double commitsPerSecond = 0;         ///< C API autocommit INSERT: the ratio's baseline
    double qtCommitsPerSecond = 0;       ///< the same through QSqlQuery, for information
    double explicitCommitsPerSecond = 0; ///< BEGIN IMMEDIATE + INSERT + COMMIT through QSqlQuery, for information
    RunFigures sqlite;

    double ratio() const { return commitsPerSecond > 0 ? sqlite.stepsPerSecond / commitsPerSecond : 0; }
};

/// What one synchronous mode is measured with.
struct ModeSettings {
    bench::Synchronous synchronous = bench::Synchronous::Normal;
    int baselineCommits = 20000;
};

std::optional<RoundFigures> measureRound(const QString &folder, int round, int flows, int stepsPerFlow,
                                         const ModeSettings &mode, const FlowRegistry &registry, int maxBatchRows,
                                         int timeoutSeconds, qint64 &peakKiB)
{
    const QString suffix = QStringLiteral("-%1-%2.db").arg(bench::toString(mode.synchronous).toLower()).arg(round);
    const auto file = [&](const char *name) { return QDir(folder).filePath(QLatin1String(name) + suffix); };
    const int commits = mode.baselineCommits;
    RoundFigures figures;

    // The baseline: one commit per row on the same disk, same journal and synchronous mode.
    PhaseMemory memory;
    memory.phasePeak = startMemoryPhase();
    memory.before = readMemory();
    const auto baseline = bench::sqliteCApiCommits(file("baseline"), commits, stepsPerFlow, mode.synchronous);
    if (!baseline)
        return std::nullopt;
    print(QStringLiteral("baseline: %1 single-row commits (SQLite C API, one prepared INSERT, autocommit, WAL, "
                         "synchronous=%2) in %3 s = %4 commits/s")
              .arg(commits)
              .arg(bench::toString(mode.synchronous), fixed(baseline->seconds, 3), fixed(baseline->commitsPerSecond)));
    print(QStringLiteral("  ") + describeCpu(baseline->cpu, baseline->seconds, commits, QStringLiteral("commit")));
    const auto qtBaseline = bench::sqliteQtCommits(file("baseline-qt"), commits, stepsPerFlow, mode.synchronous,
                                                   bench::QtCommitStyle::Autocommit);
    const auto explicitBaseline = bench::sqliteQtCommits(file("baseline-explicit"), commits, stepsPerFlow,
                                                         mode.synchronous, bench::QtCommitStyle::Explicit);
    if (!qtBaseline || !explicitBaseline)
        return std::nullopt;
    memory.end = readMemory();
    print(QStringLiteral("  for information, through Qt SQL (QSqlQuery): autocommit INSERT %1 commits/s (%2 us of CPU "
                         "each); BEGIN IMMEDIATE + INSERT + COMMIT per row %3 commits/s")
              .arg(fixed(qtBaseline->commitsPerSecond), fixed(qtBaseline->cpu.total() * 1e6 / commits, 1),
                   fixed(explicitBaseline->commitsPerSecond)));
    printMemory(memory, 0);
    peakKiB = std::max(peakKiB, memory.end.hwmKiB);
    for (const char *name : {"baseline", "baseline-qt", "baseline-explicit"})
        bench::removeSqliteFiles(file(name));
    figures.commitsPerSecond = baseline->commitsPerSecond;
    figures.qtCommitsPerSecond = qtBaseline->commitsPerSecond;
    figures.explicitCommitsPerSecond = explicitBaseline->commitsPerSecond;

    // The engine against SQLite.
    memory = {};
    memory.phasePeak = startMemoryPhase();
    memory.before = readMemory();
    {
        SqliteExecutionLog::Options options;
        options.synchronous = mode.synchronous == bench::Synchronous::Full ? SqliteExecutionLog::Synchronous::Full
                                                                           : SqliteExecutionLog::Synchronous::Normal;
        auto log = SqliteExecutionLog::open(file("engine"), options);
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

    bench::removeSqliteFiles(file("engine"));
    return figures;
}

/// The rounds of one synchronous mode; the median round (by ratio), or nothing on an error.
struct ModeFigures {
    RoundFigures median;
    QStringList ratios; ///< every round's, lowest first
    bool ok = true;     ///< every flow completed in every round
};

std::optional<ModeFigures> measureMode(const QString &folder, int roundCount, int flows, int stepsPerFlow,
                                       const ModeSettings &mode, const FlowRegistry &registry, int maxBatchRows,
                                       int timeoutSeconds, qint64 &peakKiB)
{
    // Each round measures the baseline, then the engine right after it on a database of its
    // own, so that both sides of each round's ratio see the same machine. The figure reported
    // is the median round: a single pair swings with whatever else the machine did during
    // either half (the baseline alone varies by 10% from run to run here).
    std::vector<RoundFigures> rounds;
    ModeFigures figures;
    for (int round = 1; round <= roundCount; ++round) {
        print(QStringLiteral("synchronous=%1, round %2 of %3")
                  .arg(bench::toString(mode.synchronous))
                  .arg(round)
                  .arg(roundCount));
        const auto measured =
            measureRound(folder, round, flows, stepsPerFlow, mode, registry, maxBatchRows, timeoutSeconds, peakKiB);
        if (!measured)
            return std::nullopt;
        figures.ok = figures.ok && measured->sqlite.ok;
        rounds.push_back(*measured);
        print(QStringLiteral("  round %1: ratio %2").arg(round).arg(fixed(measured->ratio(), 2)));
    }
    std::sort(rounds.begin(), rounds.end(),
              [](const RoundFigures &a, const RoundFigures &b) { return a.ratio() < b.ratio(); });
    figures.median = rounds.at(rounds.size() / 2);
    for (const RoundFigures &round : rounds)
        figures.ratios.append(fixed(round.ratio(), 2));
    return figures;
}

void printMode(const ModeSettings &mode, const ModeFigures &figures, bool withTarget)
{
    const RoundFigures &median = figures.median;
    const double ratio = median.ratio();
    print(QStringLiteral("synchronous=%1: rounds, by ratio: %2")
              .arg(bench::toString(mode.synchronous), figures.ratios.join(QStringLiteral(", "))));
    print(
        QStringLiteral("synchronous=%1, median round: sqlite steps/s %2 / C API single-row commits/s %3 = %4%5; "
                       "for information, against Qt SQL autocommit %6 commits/s: %7, against Qt SQL BEGIN+INSERT+"
                       "COMMIT %8 commits/s: %9")
            .arg(bench::toString(mode.synchronous), fixed(median.sqlite.stepsPerSecond), fixed(median.commitsPerSecond),
                 fixed(ratio, 2),
                 withTarget ? QStringLiteral(" (target >= %1: %2)")
                                  .arg(fixed(targetRatio, 1),
                                       ratio >= targetRatio ? QStringLiteral("met") : QStringLiteral("NOT met"))
                            : QString(),
                 fixed(median.qtCommitsPerSecond),
                 fixed(median.qtCommitsPerSecond > 0 ? median.sqlite.stepsPerSecond / median.qtCommitsPerSecond : 0, 2),
                 fixed(median.explicitCommitsPerSecond),
                 fixed(median.explicitCommitsPerSecond > 0
                           ? median.sqlite.stepsPerSecond / median.explicitCommitsPerSecond
                           : 0,
                       2)));
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
    const QCommandLineOption syncOption(QStringLiteral("synchronous"),
                                        QStringLiteral("normal, full, or both (default: NORMAL, then FULL)."),
                                        QStringLiteral("mode"), QStringLiteral("both"));
    const QCommandLineOption dirOption(QStringLiteral("dir"),
                                       QStringLiteral("Folder for the database files (default: a temporary folder)."),
                                       QStringLiteral("path"));
    const QCommandLineOption baselineOption(
        QStringLiteral("baseline-commits"),
        QStringLiteral("Single-row commits of each baseline under synchronous=NORMAL (default 20000)."),
        QStringLiteral("N"), QStringLiteral("20000"));
    const QCommandLineOption baselineFullOption(
        QStringLiteral("baseline-commits-full"),
        QStringLiteral("Single-row commits of each baseline under synchronous=FULL, each an fsync (default 2000)."),
        QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption batchOption(QStringLiteral("max-batch"),
                                         QStringLiteral("Rows per grouped transaction (default: the executor's)."),
                                         QStringLiteral("rows"), QStringLiteral("0"));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
                                           QStringLiteral("Watchdog per phase, seconds (default 600)."),
                                           QStringLiteral("s"), QStringLiteral("600"));
    const QCommandLineOption roundsOption(
        QStringLiteral("rounds"),
        QStringLiteral("Rounds of baseline then engine on SQLite per synchronous mode; the median round is reported "
                       "(default 3)."),
        QStringLiteral("N"), QStringLiteral("3"));
    parser.addOptions({flowsOption, stepsOption, syncOption, dirOption, baselineOption, baselineFullOption, batchOption,
                       timeoutOption, roundsOption});
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
    const int baselineCommitsFull = positive(baselineFullOption, 1);
    const int maxBatchRows = positive(batchOption, 0);
    const int timeoutSeconds = positive(timeoutOption, 1);
    const int roundCount = positive(roundsOption, 1);
    const QString syncName = parser.value(syncOption).toLower();
    std::vector<ModeSettings> modes;
    if (syncName == QLatin1String("normal") || syncName == QLatin1String("both"))
        modes.push_back({bench::Synchronous::Normal, baselineCommits});
    if (syncName == QLatin1String("full") || syncName == QLatin1String("both"))
        modes.push_back({bench::Synchronous::Full, baselineCommitsFull});
    if (modes.empty()) {
        print(QStringLiteral("--synchronous must be normal, full or both"));
        valid = false;
    }
    if (!valid)
        return 2;

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
    print(QStringLiteral("setup: flows=%1 steps_per_flow=%2 synchronous=%3 journal=wal max_batch_rows=%4 "
                         "baseline_commits=%5 (FULL: %6) rounds=%7 dir=%8")
              .arg(flows)
              .arg(stepsPerFlow)
              .arg(syncName, maxBatchRows > 0 ? QString::number(maxBatchRows) : QStringLiteral("default"))
              .arg(baselineCommits)
              .arg(baselineCommitsFull)
              .arg(roundCount)
              .arg(folder));

    // 1 and 2, in rounds, for each synchronous mode.
    qint64 peakKiB = 0;
    std::vector<ModeFigures> measured;
    for (const ModeSettings &mode : modes) {
        auto figures =
            measureMode(folder, roundCount, flows, stepsPerFlow, mode, registry, maxBatchRows, timeoutSeconds, peakKiB);
        if (!figures)
            return 1;
        measured.push_back(std::move(*figures));
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

    print(QStringLiteral("peak rss (VmHWM): %1").arg(mib(peakKiB)));
    bool ok = inMemory.ok;
    for (size_t i = 0; i < modes.size(); ++i) {
        printMode(modes[i], measured[i], modes[i].synchronous == bench::Synchronous::Normal);
        ok = ok && measured[i].ok;
    }
    const RoundFigures &first = measured.front().median;
    print(
        QStringLiteral("in-memory steps/s %1 = %2x sqlite (synchronous=%3, the median round)")
            .arg(fixed(inMemory.stepsPerSecond),
                 fixed(first.sqlite.stepsPerSecond > 0 ? inMemory.stepsPerSecond / first.sqlite.stepsPerSecond : 0, 1),
                 bench::toString(modes.front().synchronous)));
    if (!ok)
        print(QStringLiteral("FAILED: not every flow completed"));
    // The line to compare runs by comes last: NORMAL's ratio (the log's default mode), or that
    // of the only mode measured.
    if (measured.size() > 1)
        print(QStringLiteral("ratio_full=%1").arg(fixed(measured.back().median.ratio(), 2)));
    print(QStringLiteral("ratio=%1").arg(fixed(measured.front().median.ratio(), 2)));
    return ok ? 0 : 1;
}
