// The console's reader: opens its own connection on its own thread, builds a snapshot of
// counts, workers, pending timers (capped), latest failures and steals at an adjustable rate,
// and never touches the log from the GUI thread.

#include "session/consolereader.h"
#include "consoletest.h"
#include "ergontest.h"
#include "threadrecordinglog.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>

#include <QSignalSpy>
#include <QThread>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

// A reader on a thread of its own, as the console runs it; stopped and deleted on its thread.
class ReaderThread
{
public:
    ReaderThread(ConsoleReader::Opener opener, ConsoleReader::Options options)
        : reader(new ConsoleReader(std::move(opener), options))
    {
        reader->moveToThread(&thread);
        QObject::connect(&thread, &QThread::started, reader, &ConsoleReader::start);
        QObject::connect(&thread, &QThread::finished, reader, &QObject::deleteLater);
    }
    ~ReaderThread()
    {
        thread.quit();
        thread.wait();
    }
    void start() { thread.start(); }

    QThread thread;
    ConsoleReader *reader;
};

ConsoleSnapshot last(const QSignalSpy &spy)
{
    return spy.last().first().value<ConsoleSnapshot>();
}

/// The reader's next periodic read, read on its thread once every call queued to it before has
/// run: the interval it was set with and the milliseconds left (a coarse timer: up to 5% more
/// than the interval), or -1 for both when none is to come (paused, or never started). The
/// reader reads by itself only when its timer says so, so this says which reads can come.
struct PeriodicRead {
    int intervalMs = -1;
    int remainingMs = -1;
};

PeriodicRead nextPeriodicRead(ConsoleReader *reader)
{
    PeriodicRead next;
    QMetaObject::invokeMethod(
        reader,
        [reader, &next] {
            const QTimer *timer = reader->findChild<QTimer *>();
            if (timer && timer->isActive())
                next = {timer->interval(), timer->remainingTime()};
        },
        Qt::BlockingQueuedConnection);
    return next;
}

} // namespace

class TestConsoleReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        loadBundledPlugins(m_catalog);
        QVERIFY(m_catalog.registry().contains(u"demo.Sleeper"_s));
    }

    void countsByStatus()
    {
        ConsoleDatabase db;
        auto log = db.open();
        QVERIFY(log);
        FlowScheduler scheduler(*log, m_catalog.registry(), m_clock);
        ScheduleRequest later;
        later.type = u"demo.Pipeline"_s;
        later.delay = 1h;
        ERGON_TRY(ids, scheduler.scheduleMany(QList<ScheduleRequest>(3, later)));
        ERGON_VERIFY_OK(scheduler.cancel(ids.first()));

        ReaderThread reader(db.opener(), {});
        QSignalSpy opened(reader.reader, &ConsoleReader::opened);
        QSignalSpy snapshots(reader.reader, &ConsoleReader::snapshotAvailable);
        reader.start();
        QTRY_COMPARE_WITH_TIMEOUT(snapshots.size(), 1, 5000);
        QCOMPARE(opened.size(), 1);
        const ConsoleSnapshot snapshot = last(snapshots);
        QCOMPARE(snapshot.count(FlowStatus::Pending), 2);
        QCOMPARE(snapshot.count(FlowStatus::Cancelled), 1);
        QCOMPARE(snapshot.total(), 3);
        QCOMPARE(snapshot.queueDepth(), 2);
        QVERIFY(snapshot.workers.isEmpty());
        QVERIFY(snapshot.timers.isEmpty());
        QVERIFY(snapshot.latestFailures.isEmpty());
        QVERIFY(snapshot.taken.isValid());
        QVERIFY(!snapshot.location.isEmpty());
    }

    // Workers, their timers (capped, with the cut reported), the latest failures.
    void workersTimersAndFailures()
    {
        ConsoleDatabase db;
        auto log = db.open();
        QVERIFY(log);
        FlowScheduler scheduler(*log, m_catalog.registry(), m_clock);
        ScheduleRequest nap;
        nap.type = u"demo.Sleeper"_s;
        nap.arguments = {{u"seconds"_s, 600}};
        ERGON_VERIFY_OK(scheduler.scheduleMany(QList<ScheduleRequest>(5, nap)));
        ScheduleRequest flaky;
        flaky.type = u"demo.Flaky"_s;
        flaky.arguments = {{u"fail_times"_s, 5}};
        ERGON_TRY(failing, scheduler.scheduleMany(QList<ScheduleRequest>(2, flaky)));

        // A short lease: heartbeats, which carry the worker's counters, come three times a second.
        auto worker = FlowWorker(db.opener(), m_catalog.registry())
                          .withName(u"reader-test"_s)
                          .withConcurrency(8)
                          .withLeaseDuration(1s)
                          .start();
        QTRY_VERIFY_WITH_TIMEOUT(
            statusCount(*log, FlowStatus::Waiting) == 5 && statusCount(*log, FlowStatus::Failed) == 2, 15000);

        ConsoleReader::Options options;
        options.timerLimit = 3;
        options.interval = 100ms;
        ReaderThread reader(db.opener(), options);
        QSignalSpy snapshots(reader.reader, &ConsoleReader::snapshotAvailable);
        reader.start();
        QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty() && !workerLoads(last(snapshots)).isEmpty() &&
                                     workerLoads(last(snapshots)).first().failed == 2,
                                 5000);
        const ConsoleSnapshot snapshot = last(snapshots);
        QCOMPARE(snapshot.timers.size(), 3);
        QVERIFY(snapshot.timersTruncated);
        QCOMPARE(snapshot.timers.first().name, u"nap"_s);
        QCOMPARE(snapshot.timers.first().flowType, u"demo.Sleeper"_s);
        QVERIFY(snapshot.timers.first().fireAt > snapshot.taken.addSecs(500));
        QCOMPARE(snapshot.workers.size(), 1);
        QCOMPARE(snapshot.workers.first().name, u"reader-test"_s);
        QCOMPARE(snapshot.aliveWorkers(), 1);
        QCOMPARE(snapshot.latestFailures.size(), 2);
        QCOMPARE(snapshot.latestFailures.first().id, failing.last()); // newest first
        QCOMPARE(workerLoads(snapshot).size(), 1);
        QCOMPARE(workerLoads(snapshot).first().failed, 2);
        worker->shutdownAndWait(2s);
    }

    void rateIsAdjustable()
    {
        ConsoleDatabase db;
        ConsoleReader::Options options;
        options.interval = 100ms;
        ReaderThread reader(db.opener(), options);
        QSignalSpy snapshots(reader.reader, &ConsoleReader::snapshotAvailable);
        reader.start();
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.size() >= 4, 3000);

        // Slower at once: the read under way is rescheduled to the new interval, not left at
        // the old one (the reads at 100 ms would otherwise go on until the next one).
        QMetaObject::invokeMethod(
            reader.reader, [r = reader.reader] { r->setInterval(5s); }, Qt::QueuedConnection);
        const PeriodicRead slowed = nextPeriodicRead(reader.reader);
        QCOMPARE(slowed.intervalMs, 5000);
        QVERIFY2(slowed.remainingMs > 1000, qPrintable(QString::number(slowed.remainingMs)));

        // A refresh reads at once, whatever the rate, and the next read is an interval later.
        const qsizetype slow = snapshots.size();
        QMetaObject::invokeMethod(reader.reader, &ConsoleReader::refresh, Qt::QueuedConnection);
        QTRY_COMPARE_WITH_TIMEOUT(snapshots.size(), slow + 1, 30000);
        QVERIFY(nextPeriodicRead(reader.reader).remainingMs > 1000);

        // Paused, no periodic read is left to come, whatever the rate set meanwhile.
        QMetaObject::invokeMethod(
            reader.reader, [r = reader.reader] { r->setPaused(true); }, Qt::QueuedConnection);
        QMetaObject::invokeMethod(
            reader.reader, [r = reader.reader] { r->setInterval(100ms); }, Qt::QueuedConnection);
        QCOMPARE(nextPeriodicRead(reader.reader).remainingMs, -1);
        // A refresh still reads, and leaves the reader paused.
        const qsizetype paused = snapshots.size();
        QMetaObject::invokeMethod(reader.reader, &ConsoleReader::refresh, Qt::BlockingQueuedConnection);
        QCOMPARE(snapshots.size(), paused + 1); // the spy records on the reader's thread, during the call
        QCOMPARE(nextPeriodicRead(reader.reader).remainingMs, -1);
        // Resumed, at the rate set while paused.
        QMetaObject::invokeMethod(
            reader.reader, [r = reader.reader] { r->setPaused(false); }, Qt::QueuedConnection);
        QCOMPARE(nextPeriodicRead(reader.reader).intervalMs, 100);
    }

    void openFailureIsReported()
    {
        ReaderThread reader([]() -> Result<std::unique_ptr<ExecutionLog>> { return Error(u"no such database"_s); }, {});
        QSignalSpy failed(reader.reader, &ConsoleReader::openFailed);
        QSignalSpy snapshots(reader.reader, &ConsoleReader::snapshotAvailable);
        reader.start();
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QCOMPARE(failed.first().first().toString(), u"no such database"_s);
        // Stopped: no periodic read to come, and a refresh reads nothing (there is no log).
        QCOMPARE(nextPeriodicRead(reader.reader).remainingMs, -1);
        QMetaObject::invokeMethod(reader.reader, &ConsoleReader::refresh, Qt::BlockingQueuedConnection);
        QVERIFY(snapshots.isEmpty());
    }

    // Every call the reader makes runs on its own thread.
    void neverReadsOnTheCallingThread()
    {
        ConsoleDatabase db;
        auto record = std::make_shared<ThreadRecord>();
        ConsoleReader::Options options;
        options.interval = 50ms;
        ReaderThread reader(ThreadRecordingLog::wrap(db.opener(), record), options);
        QSignalSpy snapshots(reader.reader, &ConsoleReader::snapshotAvailable);
        reader.start();
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.size() >= 3, 3000);
        QVERIFY(record->total() > 0);
        QCOMPARE(record->callsOn(QThread::currentThread()), QStringList());
        QCOMPARE(record->callsOn(&reader.thread).first(), u"open"_s);
    }

private:
    PluginCatalog m_catalog;
    SystemClock m_clock;
};

QTEST_MAIN(TestConsoleReader)
#include "tst_consolereader.moc"
