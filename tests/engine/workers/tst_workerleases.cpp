// Leases and stopping: a worker that dies (abort, as a crash) mid-way leaves its flows to
// another worker once its leases expire, re-running only the steps it had in flight, and
// shows as lost; a graceful shutdown under load loses nothing, re-runs nothing and leaves no
// lease behind.

#include "ergontest.h"
#include "workertest.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {
const QStringList pipelineSteps{u"step-1"_s, u"step-2"_s, u"step-3"_s};

std::optional<WorkerRecord> workerRow(ExecutionLog &log, const QString &name)
{
    const auto rows = log.workers();
    if (!rows)
        return std::nullopt;
    for (const WorkerRecord &row : *rows) {
        if (row.name == name)
            return row;
    }
    return std::nullopt;
}

/// The steps each flow has completed, as witness keys.
QSet<QString> completedSteps(ExecutionLog &log, const QList<qint64> &ids)
{
    QSet<QString> done;
    for (const qint64 id : ids) {
        const auto steps = log.steps(id, false);
        if (!steps)
            continue;
        for (const StepRecord &step : *steps) {
            if (step.status == StepStatus::Completed)
                done.insert(witnessKey(id, step.name));
        }
    }
    return done;
}
} // namespace

class TestWorkerLeases : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void abortedWorkersFlowsAreTakenOver_data();
    void abortedWorkersFlowsAreTakenOver();
    void gracefulShutdownUnderLoad_data();
    void gracefulShutdownUnderLoad();
    void shutdownDeadlineAbandonsAndReleases();
    void restartedWorkerTakesBackWhatItsPredecessorHeld();
    void workerWithALongerLeaseIsNotMarkedLost();

private:
    PluginCatalog m_catalog;
    SystemClock m_clock;
    QTemporaryDir m_dir;
};

void TestWorkerLeases::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
    QVERIFY(m_catalog.failedPlugins().isEmpty());
}

void TestWorkerLeases::init()
{
    failOnThreadMisuse();
}

void TestWorkerLeases::abortedWorkersFlowsAreTakenOver_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("memory") << u"memory"_s;
}

void TestWorkerLeases::abortedWorkersFlowsAreTakenOver()
{
    QFETCH(QString, backend);
    constexpr int flows = 200;
    constexpr int concurrency = 8;
    constexpr auto lease = 1000ms;
    const QString witness = m_dir.filePath(u"abort-%1.txt"_s.arg(backend));
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(3, 20, witness), flows)));

    auto doomed = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"doomed"_s)
                      .withConcurrency(concurrency)
                      .withPrefetch(4)
                      .withLeaseDuration(lease)
                      .start();
    QTRY_VERIFY_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) >= flows / 4, 20000);
    doomed->abort();
    QVERIFY(!doomed->isRunning());
    QElapsedTimer sinceAbort;
    sinceAbort.start();

    // What the log holds now is all the dead worker did; only its steps in flight may run again.
    const QSet<QString> doneAtAbort = completedSteps(storage.log(), ids);
    const qint64 completedAtAbort = countOf(storage.log(), FlowStatus::Completed);
    const qint64 runningAtAbort = countOf(storage.log(), FlowStatus::Running);
    QVERIFY2(completedAtAbort < flows, "the first worker finished everything before the abort");
    QVERIFY2(runningAtAbort > 0, qPrintable(countsText(storage.log())));

    // The dead worker's leases, as they stand: nobody may take these flows before they expire,
    // except by stealing one it had prefetched and not started (work stealing takes those from
    // the longest local queue, a dead worker's too, and records the steal).
    QHash<qint64, QDateTime> heldUntil;
    QSet<qint64> prefetchedAtAbort;
    for (const FlowRecord &flow : allFlows(storage.log())) {
        if (flow.leaseOwner != u"doomed"_s)
            continue;
        heldUntil.insert(flow.id, flow.leaseExpires);
        if (!flow.runStarted.isValid())
            prefetchedAtAbort.insert(flow.id);
    }
    QCOMPARE(heldUntil.size(), runningAtAbort);

    ERGON_TRY(rowAtAbort, storage.log().workers());
    QCOMPARE(rowAtAbort.size(), 1);
    QCOMPARE(rowAtAbort.first().status, WorkerStatus::Alive); // nothing was written at the abort
    QCOMPARE(rowAtAbort.first().leaseMs, lease.count());

    auto heir = FlowWorker(storage.opener(), m_catalog.registry())
                    .withName(u"heir"_s)
                    .withConcurrency(concurrency)
                    .withLeaseDuration(lease)
                    .start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == flows,
                              qPrintable(countsText(storage.log())), 30000);
    const qint64 takeOverMs = sinceAbort.elapsed();
    // The heir's heartbeats mark the silent worker lost (its heartbeat is older than a lease).
    QTRY_VERIFY_WITH_TIMEOUT(
        workerRow(storage.log(), u"doomed"_s).value_or(WorkerRecord()).status == WorkerStatus::Lost, 5000);
    const WorkerRecord lost = *workerRow(storage.log(), u"doomed"_s);
    QCOMPARE(effectiveStatus(lost, m_clock.now()), WorkerStatus::Lost);
    QVERIFY(lost.heartbeat.msecsTo(m_clock.now()) > lease.count());
    heir->shutdownAndWait(5s);

    ERGON_TRY(counts, storage.log().countByStatus());
    QCOMPARE(counts, (QMap<FlowStatus, qint64>{{FlowStatus::Completed, flows}})); // nothing stays running

    // The witness: every step ran; a step completed before the abort ran exactly once; only
    // steps in flight at the abort (at most one per slot) ran twice.
    const QHash<QString, int> runs = witnessCounts(witness);
    ERGON_TRY(steals, storage.log().steals(flows));
    QSet<qint64> stolenFromTheDead;
    for (const StealRecord &steal : std::as_const(steals)) {
        if (steal.fromWorker == u"doomed"_s && steal.toWorker == u"heir"_s)
            stolenFromTheDead.insert(steal.flowId);
    }
    int ranTwice = 0;
    for (const qint64 id : std::as_const(ids)) {
        ERGON_TRY(steps, storage.log().steps(id, true));
        QCOMPARE(steps.size(), 3);
        for (const StepRecord &step : std::as_const(steps)) {
            const bool stolenUnstarted = prefetchedAtAbort.contains(id) && stolenFromTheDead.contains(id);
            if (step.worker == u"heir"_s && heldUntil.contains(id) && !stolenUnstarted)
                QVERIFY2(step.attemptLog.last().started >= heldUntil.value(id),
                         qPrintable(u"flow %1 was taken before its lease expired: "_s.arg(id) + describe(steps)));
        }
        for (const QString &step : pipelineSteps) {
            const QString key = witnessKey(id, step);
            const int count = runs.value(key);
            if (doneAtAbort.contains(key))
                QVERIFY2(count == 1,
                         qPrintable(u"%1 was completed before the abort, and ran %2 times"_s.arg(key).arg(count)));
            else
                QVERIFY2(count == 1 || count == 2, qPrintable(u"%1 ran %2 times"_s.arg(key).arg(count)));
            ranTwice += count == 2 ? 1 : 0;
        }
    }
    qInfo("aborted after %lld of %d flows (%lld running); the heir finished %lld flows, %lld ms after the abort; %d "
          "steps in flight ran again",
          completedAtAbort, flows, runningAtAbort, heir->stats().completed, takeOverMs, ranTwice);
    QVERIFY2(ranTwice <= concurrency, qPrintable(u"%1 steps ran twice"_s.arg(ranTwice)));
    QCOMPARE(heir->stats().completed, flows - completedAtAbort);
}

void TestWorkerLeases::gracefulShutdownUnderLoad_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<bool>("awaited"); // WorkerHandle::shutdown() awaited, or shutdownAndWait()
    QTest::newRow("sqlite, shutdownAndWait") << u"sqlite"_s << false;
    QTest::newRow("memory, co_await shutdown") << u"memory"_s << true;
}

void TestWorkerLeases::gracefulShutdownUnderLoad()
{
    QFETCH(QString, backend);
    QFETCH(bool, awaited);
    constexpr int flows = 300;
    const QString witness = m_dir.filePath(u"shutdown-%1.txt"_s.arg(backend));
    WorkerStorage storage(backend);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(3, 20, witness), flows)));

    auto first = FlowWorker(storage.opener(), m_catalog.registry())
                     .withName(u"first"_s)
                     .withConcurrency(16)
                     .withPrefetch(32)
                     .start();
    QTRY_VERIFY_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) >= flows / 4, 20000);
    QElapsedTimer stopping;
    stopping.start();
    if (awaited)
        QVERIFY(awaitTask(first->shutdown(10s)));
    else
        first->shutdownAndWait(10s);
    const qint64 stopMs = stopping.elapsed();
    QVERIFY(!first->isRunning()); // the shutdown resolved when the worker's thread ended

    // Stopped at step boundaries: nothing runs, nothing is leased, every step that ran is stored.
    ERGON_TRY(counts, storage.log().countByStatus());
    QCOMPARE(counts.value(FlowStatus::Running), 0);
    QVERIFY2(counts.value(FlowStatus::Completed) < flows, "the worker finished everything before the shutdown");
    const qint64 completedByFirst = counts.value(FlowStatus::Completed);
    for (const FlowRecord &flow : allFlows(storage.log())) {
        QVERIFY2(flow.leaseOwner.isEmpty() && !flow.leaseExpires.isValid(), qPrintable(describe(flow)));
        if (!isFinished(flow.status))
            QCOMPARE(flow.status, FlowStatus::Pending);
    }
    const QSet<QString> doneAtStop = completedSteps(storage.log(), ids);
    const QHash<QString, int> ranAtStop = witnessCounts(witness);
    QCOMPARE(QSet<QString>(ranAtStop.keyBegin(), ranAtStop.keyEnd()), doneAtStop); // each step that ran was stored
    const auto row = workerRow(storage.log(), u"first"_s);
    QVERIFY(row);
    QCOMPARE(row->status, WorkerStatus::Stopped);
    QCOMPARE(row->inFlight, 0);
    QCOMPARE(row->completed, first->stats().completed);
    QCOMPARE(first->stats().completed, completedByFirst);

    auto second = FlowWorker(storage.opener(), m_catalog.registry()).withName(u"second"_s).withConcurrency(16).start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == flows,
                              qPrintable(countsText(storage.log())), 30000);
    second->shutdownAndWait(5s);
    QCOMPARE(second->stats().completed, flows - completedByFirst);

    // Nothing ran twice: the shutdown let each step in progress commit before it stopped.
    const QHash<QString, int> runs = witnessCounts(witness);
    QCOMPARE(runs.size(), flows * 3);
    for (auto it = runs.cbegin(); it != runs.cend(); ++it)
        QVERIFY2(it.value() == 1, qPrintable(u"%1 ran %2 times"_s.arg(it.key()).arg(it.value())));
    qInfo("shutdown under load took %lld ms; %lld of %d flows were done, the second worker did the rest", stopMs,
          completedByFirst, flows);
}

void TestWorkerLeases::shutdownDeadlineAbandonsAndReleases()
{
    constexpr int flows = 6;
    const QString witness = m_dir.filePath(u"deadline.txt"_s);
    WorkerStorage storage(u"sqlite"_s);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(1, 700, witness), flows)));

    auto first = FlowWorker(storage.opener(), m_catalog.registry()).withName(u"first"_s).withConcurrency(flows).start();
    QTRY_COMPARE_WITH_TIMEOUT(witnessCounts(witness).size(), flows, 30000); // every step body has begun
    // The leases as the first worker holds them (the default 30 s): had the shutdown left them
    // to expire, nobody could start these flows before then.
    QHash<qint64, QDateTime> heldUntil;
    for (const FlowRecord &flow : allFlows(storage.log())) {
        QCOMPARE(flow.leaseOwner, u"first"_s);
        heldUntil.insert(flow.id, flow.leaseExpires);
    }
    QElapsedTimer stopping;
    stopping.start();
    first->shutdownAndWait(200ms); // shorter than a step: the steps in progress are abandoned
    const qint64 stopMs = stopping.elapsed();
    QVERIFY(!first->isRunning());

    ERGON_TRY(counts, storage.log().countByStatus());
    QCOMPARE(counts, (QMap<FlowStatus, qint64>{{FlowStatus::Pending, flows}}));
    for (const FlowRecord &flow : allFlows(storage.log()))
        QVERIFY2(flow.leaseOwner.isEmpty() && !flow.leaseExpires.isValid(), qPrintable(describe(flow)));
    QCOMPARE(workerRow(storage.log(), u"first"_s).value_or(WorkerRecord()).status, WorkerStatus::Stopped);

    // Released, not left to expire: another worker starts them before the first's leases end.
    auto second =
        FlowWorker(storage.opener(), m_catalog.registry()).withName(u"second"_s).withConcurrency(flows).start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == flows,
                              qPrintable(countsText(storage.log())), 30000);
    second->shutdownAndWait(5s);
    for (const qint64 id : std::as_const(ids)) {
        QCOMPARE(witnessCounts(witness).value(witnessKey(id, u"step-1"_s)), 2); // abandoned, then run again
        ERGON_TRY(steps, storage.log().steps(id, true));
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps.first().worker, u"second"_s);
        QVERIFY2(steps.first().attemptLog.first().started < heldUntil.value(id), qPrintable(describe(steps)));
    }
    qInfo("the shutdown with a 200 ms deadline took %lld ms", stopMs);
}

void TestWorkerLeases::restartedWorkerTakesBackWhatItsPredecessorHeld()
{
    // A worker restarted under its name (a service restart) must neither keep its dead
    // predecessor's flows leased forever by renewing them, nor leave them to expire.
    constexpr int flows = 40;
    WorkerStorage storage(u"sqlite"_s);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    FlowScheduler scheduler(storage.log(), m_catalog.registry(), m_clock);
    ERGON_TRY(ids, scheduler.scheduleMany(requests(u"demo.Pipeline"_s, pipelineArguments(3, 30), flows)));
    QCOMPARE(ids.size(), flows);

    // Leases of a minute: left to expire, the predecessor's flows would outlast the test.
    constexpr auto lease = 60s;
    auto before = FlowWorker(storage.opener(), m_catalog.registry())
                      .withName(u"svc"_s)
                      .withConcurrency(8)
                      .withPrefetch(8)
                      .withLeaseDuration(lease)
                      .start();
    QTRY_VERIFY_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) >= 8, 30000);
    before->abort();
    QVERIFY(countOf(storage.log(), FlowStatus::Running) > 0);
    QHash<qint64, QDateTime> heldUntil; // the dead predecessor's leases, as it left them
    for (const FlowRecord &flow : allFlows(storage.log())) {
        if (flow.status == FlowStatus::Running)
            heldUntil.insert(flow.id, flow.leaseExpires);
    }

    QElapsedTimer elapsed;
    elapsed.start();
    auto after = FlowWorker(storage.opener(), m_catalog.registry())
                     .withName(u"svc"_s)
                     .withConcurrency(8)
                     .withLeaseDuration(lease)
                     .start();
    QTRY_VERIFY2_WITH_TIMEOUT(countOf(storage.log(), FlowStatus::Completed) == flows,
                              qPrintable(countsText(storage.log())), 30000);
    after->shutdownAndWait(5s);
    qInfo("the restarted worker finished everything %lld ms after it started", qlonglong(elapsed.elapsed()));
    ERGON_TRY(counts, storage.log().countByStatus());
    QCOMPARE(counts, (QMap<FlowStatus, qint64>{{FlowStatus::Completed, flows}}));
    // Taken back at once, not after the old leases expired: each flow the predecessor held
    // went on (its last step's last attempt) before that lease's end.
    for (auto it = heldUntil.cbegin(); it != heldUntil.cend(); ++it) {
        ERGON_TRY(steps, storage.log().steps(it.key(), true));
        QCOMPARE(steps.size(), 3);
        QVERIFY2(steps.last().attemptLog.last().started < it.value(), qPrintable(describe(steps)));
    }
}

void TestWorkerLeases::workerWithALongerLeaseIsNotMarkedLost()
{
    // Liveness is judged by each worker's own lease: a worker with a 30 s lease beats every
    // 10 s, and a neighbour with a short lease must not call it lost in between.
    WorkerStorage storage(u"sqlite"_s);
    QVERIFY2(storage.isValid(), qPrintable(storage.error()));
    auto patient =
        FlowWorker(storage.opener(), m_catalog.registry()).withName(u"patient"_s).withLeaseDuration(30s).start();
    auto hasty =
        FlowWorker(storage.opener(), m_catalog.registry()).withName(u"hasty"_s).withLeaseDuration(300ms).start();
    QTRY_COMPARE_WITH_TIMEOUT(storage.log().workers().value_or({}).size(), 2, 5000);
    // A barrier rather than a wait: the hasty worker has beaten (and judged its neighbours) for
    // over a second past the patient one's last heartbeat, many times its own lease.
    QTRY_VERIFY_WITH_TIMEOUT(
        workerRow(storage.log(), u"hasty"_s).value_or(WorkerRecord()).heartbeat >
            workerRow(storage.log(), u"patient"_s).value_or(WorkerRecord()).heartbeat.addMSecs(1000),
        30000);
    const auto row = workerRow(storage.log(), u"patient"_s);
    QVERIFY(row);
    QCOMPARE(effectiveStatus(*row, m_clock.now()), WorkerStatus::Alive);
    QCOMPARE(row->status, WorkerStatus::Alive);
    hasty->shutdownAndWait(5s);
    patient->shutdownAndWait(5s);
}

QTEST_GUILESS_MAIN(TestWorkerLeases)
#include "tst_workerleases.moc"
