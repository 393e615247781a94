// bench_console (issue #5): the console on a database of a million flows while two in-process
// workers run demo.Pipeline flows at full speed. Measures the GUI thread's event-loop stalls
// (a 1 ms precise timer, the gap between its ticks) on Overview and then on Flows, the readers'
// snapshot build times, the time from a filter change to the updated table (text searches
// included, answered from the Flows page's search mirror), the mirror's first load (time and
// memory), and peak RSS.
//
// Usage: bench_console [--flows N] [--seconds S] [--pending P] [--concurrency C] [--keep DIR]
// Last line: stall_p99_ms=<p99 of the gaps over both pages>.

#include "bulkflows.h"
#include "session/consolesession.h"
#include "session/consolesnapshot.h"
#include "session/flowpagereader.h"
#include "pages/flowspage.h"
#include "models/flowtablemodel.h"
#include "shell/mainwindow.h"

#include <ergon/flowscheduler.h>
#include <ergon/flowtextmirror.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <limits>

using namespace ergon;
using namespace std::chrono_literals;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

LogOpener opener(const QString &path)
{
    return [path]() -> Result<std::unique_ptr<ExecutionLog>> {
        auto log = SqliteExecutionLog::open(path);
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(log.take());
    };
}

// Runs the event loop for `ms` milliseconds, or until `done` holds.
bool spin(qint64 ms, const std::function<bool()> &done = {})
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms) {
        if (done && done())
            return true;
        QEventLoop loop;
        QTimer::singleShot(done ? 2 : std::min<qint64>(50, ms - clock.elapsed() + 1), &loop, &QEventLoop::quit);
        loop.exec();
    }
    return done ? done() : true;
}

// The gaps between the ticks of a 1 ms precise timer on the GUI thread, in microseconds.
class StallMeter
{
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed() / 1000;
            if (m_last >= 0)
                m_gaps.append(now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_gaps.clear();
        m_last = -1;
        m_clock.start();
        m_timer.start();
    }
    QList<qint64> stop()
    {
        m_timer.stop();
        return m_gaps;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;
    QList<qint64> m_gaps;
};

double percentile(QList<qint64> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = std::min<qsizetype>(values.size() - 1, qsizetype(p / 100.0 * double(values.size())));
    return double(values.at(index));
}

QString ms(double microseconds)
{
    return QString::number(microseconds / 1000.0, 'f', 2);
}

void printStalls(const QString &what, const QList<qint64> &gaps)
{
    qint64 over16 = 0;
    for (const qint64 gap : gaps)
        over16 += gap > 16'000 ? 1 : 0;
    out() << what << ": " << gaps.size() << " ticks, gap p50 " << ms(percentile(gaps, 50)) << " ms, p99 "
          << ms(percentile(gaps, 99)) << " ms, max "
          << ms(gaps.isEmpty() ? 0 : double(*std::max_element(gaps.cbegin(), gaps.cend())))
          << " ms, gaps over 16 ms: " << over16 << Qt::endl;
}

// A field of /proc/self/status in kB ("VmHWM:" peak RSS, "VmRSS:" current RSS).
qint64 statusKb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qsizetype(qstrlen(field))).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

qint64 peakRssKb()
{
    return statusKb("VmHWM:");
}

qint64 rssKb()
{
    return statusKb("VmRSS:");
}

// Keeps the workers busy: tops the queue of pending demo.Pipeline flows up from its own thread
// and connection whenever it runs low.
class Feeder : public QObject
{
public:
    Feeder(QString path, const FlowRegistry &registry, int low, int batch)
        : m_path(std::move(path))
        , m_registry(registry)
        , m_low(low)
        , m_batch(batch)
    {
    }
    std::atomic<qint64> scheduled{0};
    std::atomic<qint64> pendingSeen{-1};

    void tick()
    {
        if (!m_log) {
            auto log = SqliteExecutionLog::open(m_path);
            if (!log)
                return;
            m_log = log.take();
        }
        auto counts = m_log->countByStatus();
        if (!counts)
            return;
        const qint64 pending = counts->value(FlowStatus::Pending);
        pendingSeen = pending;
        // The million generated flows include pending ones due tomorrow; count only ours.
        if (pending - m_generatedPending >= m_low)
            return;
        SystemClock clock;
        FlowScheduler scheduler(*m_log, m_registry, clock);
        const ScheduleRequest request{QStringLiteral("demo.Pipeline"),
                                      {{QStringLiteral("steps"), 3}, {QStringLiteral("step_ms"), 0}},
                                      0ms,
                                      {},
                                      0,
                                      {}};
        if (scheduler.scheduleMany(QList<ScheduleRequest>(m_batch, request)))
            scheduled += m_batch;
    }
    void setGeneratedPending(qint64 count) { m_generatedPending = count; }
    /// Closes the connection on the feeder's thread, where it was opened.
    void close() { m_log.reset(); }

private:
    QString m_path;
    const FlowRegistry &m_registry;
    int m_low;
    int m_batch;
    qint64 m_generatedPending = 0;
    std::unique_ptr<SqliteExecutionLog> m_log;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("bench_console"));

    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("flows"), QStringLiteral("Flows in the generated database."), QStringLiteral("N"),
                      QStringLiteral("1000000")});
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Seconds measured on each page."), QStringLiteral("S"),
                      QStringLiteral("10")});
    parser.addOption({QStringLiteral("pending"), QStringLiteral("demo.Pipeline flows queued for the workers."),
                      QStringLiteral("P"), QStringLiteral("50000")});
    parser.addOption({QStringLiteral("concurrency"), QStringLiteral("Flows each worker runs at once."),
                      QStringLiteral("C"), QStringLiteral("16")});
    parser.addOption({QStringLiteral("keep"), QStringLiteral("Keep the database in DIR."), QStringLiteral("DIR")});
    parser.process(app);
    const qint64 flowCount = parser.value(QStringLiteral("flows")).toLongLong();
    const int seconds = parser.value(QStringLiteral("seconds")).toInt();
    const int pendingCount = parser.value(QStringLiteral("pending")).toInt();
    const int concurrency = parser.value(QStringLiteral("concurrency")).toInt();

    QTemporaryDir tempDir;
    const QString dir = parser.isSet(QStringLiteral("keep")) ? parser.value(QStringLiteral("keep")) : tempDir.path();
    const QString path = dir + QStringLiteral("/bench-console.db");
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(path + suffix);

    out() << "bench_console: the console on a database of " << flowCount << " flows, two in-process workers running"
          << " demo.Pipeline (3 steps, 0 ms) at full speed, concurrency " << concurrency << " each" << Qt::endl;
    out() << "setup: Qt " << qVersion() << ", platform " << QGuiApplication::platformName() << ", "
          << QThread::idealThreadCount() << " cores, " << seconds << " s per page, 1 ms precise timer on the GUI thread"
          << Qt::endl;

    // 1. The database: a million flows in one transaction, then the queue for the workers.
    QElapsedTimer clock;
    clock.start();
    test::BulkFlows bulk;
    bulk.count = flowCount;
    bulk.spacingMs = 100;
    if (auto generated = test::generateFlows(path, bulk); !generated) {
        out() << "cannot generate the database: " << generated.errorString() << Qt::endl;
        return 1;
    }
    out() << "generated " << flowCount << " flows in " << clock.elapsed() << " ms ("
          << QFileInfo(path).size() / (1024 * 1024) << " MB)" << Qt::endl;

    PluginCatalog catalog;
    catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
    if (!catalog.registry().contains(QStringLiteral("demo.Pipeline"))) {
        out() << "the bundled plugins are not built (" << ERGON_BUNDLED_PLUGIN_DIR << ")" << Qt::endl;
        return 1;
    }
    qint64 generatedPending = 0;
    {
        auto log = SqliteExecutionLog::open(path);
        if (!log) {
            out() << log.errorString() << Qt::endl;
            return 1;
        }
        generatedPending = (*log)->countByStatus()->value(FlowStatus::Pending);
        clock.restart();
        SystemClock systemClock;
        FlowScheduler scheduler(**log, catalog.registry(), systemClock);
        const ScheduleRequest request{QStringLiteral("demo.Pipeline"),
                                      {{QStringLiteral("steps"), 3}, {QStringLiteral("step_ms"), 0}},
                                      0ms,
                                      {},
                                      0,
                                      {}};
        for (int done = 0; done < pendingCount; done += 5000) {
            if (auto ids = scheduler.scheduleMany(QList<ScheduleRequest>(std::min(5000, pendingCount - done), request));
                !ids) {
                out() << ids.errorString() << Qt::endl;
                return 1;
            }
        }
        out() << "queued " << pendingCount << " demo.Pipeline flows in " << clock.elapsed() << " ms" << Qt::endl;
    }

    // 2. Two workers at full speed, and a feeder that keeps their queue from running dry.
    std::vector<std::unique_ptr<WorkerHandle>> workers;
    for (int i = 1; i <= 2; ++i) {
        workers.push_back(FlowWorker(opener(path), catalog.registry())
                              .withName(QStringLiteral("bench-%1").arg(i))
                              .withConcurrency(concurrency)
                              .withPrefetch(concurrency)
                              .withPollInterval(50ms)
                              .start());
    }
    QThread feederThread;
    Feeder feeder(path, catalog.registry(), pendingCount / 2, pendingCount / 2);
    feeder.setGeneratedPending(generatedPending);
    feeder.moveToThread(&feederThread);
    QTimer feederTimer;
    feederTimer.setInterval(1000);
    feederTimer.moveToThread(&feederThread);
    QObject::connect(&feederTimer, &QTimer::timeout, &feeder, [&feeder] { feeder.tick(); });
    QObject::connect(&feederThread, &QThread::started, &feederTimer, qOverload<>(&QTimer::start));
    feederThread.start();
    const auto completed = [&workers] {
        qint64 total = 0;
        for (const auto &worker : workers)
            total += worker->stats().completed;
        return total;
    };

    // 3. A baseline: the GUI thread's timer with no console open, the workers running.
    StallMeter meter;
    spin(1000);
    meter.start();
    spin(3000);
    const QList<qint64> baseline = meter.stop();

    // 4. The console, on Overview.
    MainWindow::Options options;
    options.persistent = false;
    // The Flows page's search mirror loads in the background from the moment the page opens
    // the database: its first load is timed from openDatabase(), and RSS read around it.
    struct MirrorLoad {
        bool done = false;
        qint64 flows = 0;
        qint64 bytes = 0;
        qint64 readerMs = 0;
        qint64 sinceOpenMs = 0;
        qint64 rssAtOpenKb = 0;
        qint64 rssAfterKb = 0;
    } mirror;
    QElapsedTimer openClock;
    MainWindow window(catalog, {QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)}, options);
    QList<qint64> consoleBuild;
    QList<qint64> flowsBuild;
    bool opened = false;
    bool flowsShown = false;
    QObject::connect(&window, &MainWindow::databaseOpened, [&] {
        opened = true;
        QObject::connect(window.flowsPage(), &FlowsPage::searchMirrorLoaded, &window,
                         [&](qint64 mirroredFlows, qint64 bytes, qint64 milliseconds) {
                             mirror.done = true;
                             mirror.flows = mirroredFlows;
                             mirror.bytes = bytes;
                             mirror.readerMs = milliseconds;
                             mirror.sinceOpenMs = openClock.elapsed();
                             mirror.rssAfterKb = rssKb();
                         });
        QObject::connect(
            window.session(), &ConsoleSession::snapshotAvailable, &window,
            [&](const ConsoleSnapshot &snapshot) { consoleBuild.append(qint64(snapshot.buildTime.count()) * 1000); });
    });
    QObject::connect(&window, &MainWindow::flowsShown, [&] { flowsShown = true; });
    mirror.rssAtOpenKb = rssKb();
    clock.restart();
    openClock.start();
    window.resize(1400, 860);
    window.show();
    window.showPage(MainWindow::OverviewPageIndex);
    window.openDatabase(path);
    if (!spin(60000, [&] { return opened && flowsShown && !consoleBuild.isEmpty(); })) {
        out() << "the console did not open the database within a minute" << Qt::endl;
        return 1;
    }
    out() << "console open: first snapshot and first page of flows after " << clock.elapsed() << " ms" << Qt::endl;
    FlowsPage *flows = window.flowsPage();
    QObject::connect(flows, &FlowsPage::snapshotApplied, flows,
                     [&flowsBuild, flows] { flowsBuild.append(flows->lastSnapshot().buildMicroseconds); });

    qint64 before = completed();
    clock.restart();
    meter.start();
    spin(seconds * 1000);
    const QList<qint64> overview = meter.stop();
    const double overviewRate = double(completed() - before) * 1000.0 / double(std::max<qint64>(1, clock.elapsed()));

    // 5. Flows: live refresh, then a user scrolling a few pages and picking flows.
    window.showPage(MainWindow::FlowsPageIndex);
    before = completed();
    clock.restart();
    meter.start();
    for (int second = 0; second < seconds; ++second) {
        spin(500);
        if (second % 3 == 1)
            flows->view()->scrollToBottom();
        if (second % 3 == 2 && flows->view()->model()->rowCount() > 10)
            flows->view()->selectRow(second % flows->view()->model()->rowCount());
        spin(500);
    }
    const QList<qint64> flowsPage = meter.stop();
    const double flowsRate = double(completed() - before) * 1000.0 / double(std::max<qint64>(1, clock.elapsed()));
    const int loadedRows = flows->model()->rowCount();

    // 6. Filter changes: from the change to the merged table, each timed alone.
    struct Change {
        QString name;
        FlowFilter filter;
    };
    const QList<Change> changes{
        {QStringLiteral("status failed"), FlowFilter{FlowStatus::Failed, {}, {}}},
        {QStringLiteral("status pending"), FlowFilter{FlowStatus::Pending, {}, {}}},
        {QStringLiteral("status completed"), FlowFilter{FlowStatus::Completed, {}, {}}},
        {QStringLiteral("type billing.Invoice"), FlowFilter{std::nullopt, QStringLiteral("billing.Invoice"), {}}},
        {QStringLiteral("failed demo.Flaky"), FlowFilter{FlowStatus::Failed, QStringLiteral("demo.Flaky"), {}}},
        {QStringLiteral("id 123456"), FlowFilter{std::nullopt, {}, QStringLiteral("123456")}},
        {QStringLiteral("search \"ORD-0123455\" (one match)"),
         FlowFilter{std::nullopt, {}, QStringLiteral("ORD-0123455")}},
        {QStringLiteral("search \"ORD-\" (a fifth of the flows)"),
         FlowFilter{std::nullopt, {}, QStringLiteral("ORD-")}},
        {QStringLiteral("search \"ord-0123455\", status completed"),
         FlowFilter{FlowStatus::Completed, {}, QStringLiteral("ord-0123455")}},
        {QStringLiteral("all"), FlowFilter{}},
    };
    // Text searches are measured once the search mirror is loaded (its first load is printed
    // apart below).
    if (!spin(120000, [&] { return mirror.done; })) {
        out() << "the Flows page's search mirror did not load within two minutes" << Qt::endl;
        return 1;
    }
    QList<qint64> filterTimes;
    meter.start();
    for (const Change &change : changes) {
        spin(300);
        QElapsedTimer filterClock;
        filterClock.start();
        flows->setFilter(change.filter);
        const quint64 generation = flows->filterGeneration();
        const bool done = spin(30000, [&] {
            return flows->lastSnapshot().generation == generation && flows->lastSnapshot().readAt.isValid();
        });
        const qint64 elapsed = filterClock.nsecsElapsed() / 1000;
        filterTimes.append(elapsed);
        out() << "filter " << change.name << ": " << (done ? ms(double(elapsed)) : QStringLiteral("timeout")) << " ms, "
              << flows->model()->rowCount() << " rows" << (flows->model()->isComplete() ? " (all)" : "")
              << ", read on the reader thread in " << ms(double(flows->lastSnapshot().buildMicroseconds)) << " ms"
              << (flows->lastSnapshot().searchMirrored ? ", text found in the search mirror" : "") << Qt::endl;
    }
    const QList<qint64> filtering = meter.stop();

    // The baseline for the searches: the same terms through the log's LIKE on a connection of
    // its own, as the page searched before the mirror (a full scan when matches are rare).
    QStringList likeScans;
    {
        auto log = SqliteExecutionLog::open(path);
        for (const QString &term : {QStringLiteral("ORD-0123455"), QStringLiteral("ORD-")}) {
            FlowQuery query;
            query.text = term;
            query.limit = FlowPageReader::defaultPageSize + 1;
            QElapsedTimer likeClock;
            likeClock.start();
            const bool ok = log && (*log)->flows(query).ok();
            likeScans.append(
                QStringLiteral("\"%1\" %2 ms")
                    .arg(term, ok ? ms(double(likeClock.nsecsElapsed() / 1000)) : QStringLiteral("failed")));
        }
    }

    // The mirror's memory, measured apart from the console's: a second mirror of the same log
    // loaded here alone (the GUI thread's figures are taken by now), RSS read around it. The
    // console's peak RSS is read before it.
    const qint64 consolePeakRssKb = peakRssKb();
    QString aloneLoad = QStringLiteral("failed");
    {
        auto log = SqliteExecutionLog::open(path);
        FlowTextMirror alone;
        const qint64 rssBefore = rssKb();
        QElapsedTimer loadClock;
        loadClock.start();
        if (log && alone.load(**log, std::numeric_limits<qsizetype>::max(), 20000)) {
            alone.squeeze();
            const qint64 loadMs = loadClock.elapsed();
            const QString term = QStringLiteral("ORD-0123455");
            loadClock.restart();
            const qsizetype hits = alone.find(term).size();
            aloneLoad = QStringLiteral("%1 flows in %2 ms, RSS +%3 MB (%4 MB before, its own count %5 MB);"
                                       " \"%6\" found in it in %7 ms (%8 hit)")
                            .arg(alone.size())
                            .arg(loadMs)
                            .arg((rssKb() - rssBefore) / 1024)
                            .arg(rssBefore / 1024)
                            .arg(QString::number(double(alone.memoryBytes()) / (1024.0 * 1024.0), 'f', 1), term,
                                 ms(double(loadClock.nsecsElapsed() / 1000)))
                            .arg(hits);
        }
    }

    // 7. The figures.
    out() << Qt::endl
          << "workers: " << completed() << " flows completed in all; " << QString::number(overviewRate, 'f', 0)
          << " flows/s on Overview, " << QString::number(flowsRate, 'f', 0) << " flows/s on Flows; the feeder queued "
          << feeder.scheduled.load() << " more" << Qt::endl;
    printStalls(QStringLiteral("baseline (no console)"), baseline);
    printStalls(QStringLiteral("Overview"), overview);
    printStalls(QStringLiteral("Flows"), flowsPage);
    printStalls(QStringLiteral("filter changes"), filtering);
    out() << "console snapshot build (reader thread): " << consoleBuild.size() << " snapshots, p50 "
          << ms(percentile(consoleBuild, 50)) << " ms, max "
          << ms(consoleBuild.isEmpty() ? 0 : double(*std::max_element(consoleBuild.cbegin(), consoleBuild.cend())))
          << " ms" << Qt::endl;
    out() << "flows page snapshot build (its reader thread): " << flowsBuild.size() << " snapshots, p50 "
          << ms(percentile(flowsBuild, 50)) << " ms, max "
          << ms(flowsBuild.isEmpty() ? 0 : double(*std::max_element(flowsBuild.cbegin(), flowsBuild.cend())))
          << " ms; table held " << loadedRows << " loaded rows of " << flowCount << Qt::endl;
    out() << "filter change to updated table: p50 " << ms(percentile(filterTimes, 50)) << " ms, max "
          << ms(double(*std::max_element(filterTimes.cbegin(), filterTimes.cend()))) << " ms (target < 200 ms)"
          << Qt::endl;
    out() << "text search through LIKE in the log, first page (the old way, for comparison): "
          << likeScans.join(QLatin1String(", ")) << Qt::endl;
    out() << "search mirror: first load of " << mirror.flows << " flows in " << mirror.readerMs
          << " ms on the Flows page's reader thread (ready " << mirror.sinceOpenMs << " ms after opening the database);"
          << " it holds " << QString::number(double(mirror.bytes) / (1024.0 * 1024.0), 'f', 1) << " MB; RSS "
          << mirror.rssAtOpenKb / 1024 << " MB before opening the database, " << mirror.rssAfterKb / 1024
          << " MB when the mirror was loaded" << Qt::endl;
    out() << "search mirror loaded again alone on the main thread, after the measurements: " << aloneLoad << Qt::endl;
    out() << "peak RSS: " << consolePeakRssKb / 1024 << " MB (target < 400 MB; before the second mirror)" << Qt::endl;

    QList<qint64> pages = overview;
    pages.append(flowsPage);
    const double p99 = percentile(pages, 99) / 1000.0;
    const double maxGap = double(*std::max_element(pages.cbegin(), pages.cend())) / 1000.0;
    out() << "GUI stall over both pages: p99 " << QString::number(p99, 'f', 2) << " ms (target < 16), max "
          << QString::number(maxGap, 'f', 2) << " ms (target < 100); p99 against the baseline's: "
          << QString::number(p99 / std::max(0.001, percentile(baseline, 99) / 1000.0), 'f', 2) << "x" << Qt::endl;

    QMetaObject::invokeMethod(
        &feeder,
        [&] {
            feederTimer.stop();
            feeder.close();
        },
        Qt::BlockingQueuedConnection);
    feederThread.quit();
    feederThread.wait();
    for (auto &worker : workers)
        worker->shutdownAndWait(5s);
    window.close();
    out() << "stall_p99_ms=" << QString::number(p99, 'f', 2) << Qt::endl;
    return 0;
}
