// The storage conformance suite, workers: the workers table: registration, heartbeats, lost workers, effective status.
// Run once per backend of ergon::test::backends(), over the shared fixture of conformancesuite.h.

#include "conformancesuite.h"

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

class TestExecutionLogWorkers : public ConformanceSuite
{
    Q_OBJECT

private Q_SLOTS:
    void workers_registerAndList();
    void workers_aReusedNameKeepsEveryRun();
    void workers_countersAloneAreWritten();
    void workers_forgetOnlyThoseNotAlive();
    void heartbeat_updatesAndMarksSilentWorkersLost();
    void effectiveStatus_data();
    void effectiveStatus();
};

void TestExecutionLogWorkers::workers_registerAndList()
{
    ERGON_TRY(empty, m_log->workers());
    QVERIFY(empty.isEmpty());
    WorkerRecord b = workerRecord(u"b"_s, at(3));
    b.inFlight = 2;
    b.completed = 10;
    b.failed = 1;
    b.leaseMs = 1500;
    const WorkerRecord a = workerRecord(u"a"_s, at(4), WorkerStatus::Stopped);
    ERGON_TRY(bRun, m_log->registerWorker(b));
    ERGON_TRY(aRun, m_log->registerWorker(a));
    QVERIFY(bRun > 0);
    QVERIFY(aRun > bRun);
    ERGON_TRY(listed, m_log->workers());
    QCOMPARE(listed.size(), 2);
    QCOMPARE(describe(listed[0]), describe(a)); // by name
    QCOMPARE(listed[0].id, aRun);
    QCOMPARE(describe(listed[1]), describe(b));
    QCOMPARE(listed[1].id, bRun);
}

void TestExecutionLogWorkers::workers_aReusedNameKeepsEveryRun()
{
    WorkerRecord first = workerRecord(u"b"_s, at(3));
    ERGON_TRY(firstRun, m_log->registerWorker(first));
    first.id = firstRun;
    first.completed = 147;
    first.failed = 3;
    first.status = WorkerStatus::Stopped;
    first.heartbeat = at(20);
    ERGON_VERIFY_OK(m_log->heartbeat(first, at(20)));

    // A restarted worker of the same name: a row of its own; the first run's stays as it was.
    WorkerRecord restarted = workerRecord(u"b"_s, at(50));
    restarted.pid = 777;
    restarted.started = at(49);
    restarted.concurrency = 16;
    ERGON_TRY(secondRun, m_log->registerWorker(restarted));
    QVERIFY(secondRun > firstRun);
    restarted.id = secondRun;
    ERGON_VERIFY_OK(m_log->registerWorker(workerRecord(u"a"_s, at(50))));
    ERGON_TRY(listed, m_log->workers());
    QCOMPARE(listed.size(), 3);
    QCOMPARE(listed[0].name, u"a"_s);
    QCOMPARE(listed[1].id, firstRun); // by name, then oldest run first
    QCOMPARE(describe(listed[1]), describe(first));
    QCOMPARE(listed[2].id, secondRun);
    QCOMPARE(describe(listed[2]), describe(restarted));

    // A heartbeat goes to its run; one without a run id to the latest run of the name.
    restarted.completed = 5;
    restarted.heartbeat = at(55);
    ERGON_VERIFY_OK(m_log->heartbeat(restarted, at(55)));
    WorkerRecord byName = restarted;
    byName.id = 0;
    byName.failed = 2;
    byName.heartbeat = at(56);
    ERGON_VERIFY_OK(m_log->heartbeat(byName, at(56)));
    // A steal counts for the thief's latest run.
    const qint64 victim = scheduled(0, at(1));
    ERGON_TRY(claimed, m_log->claimDue(u"busy"_s, at(50), at(90), 1));
    QCOMPARE(claimed, QList<qint64>{victim});
    ERGON_TRY(stolen, m_log->stealFlows(u"b"_s, at(57), at(90), 1));
    QCOMPARE(stolen.size(), 1);
    ERGON_TRY(after, m_log->workers());
    QCOMPARE(after.size(), 3);
    QCOMPARE(describe(after[1]), describe(first));
    byName.steals = 1;
    QCOMPARE(describe(after[2]), describe(byName));
}

void TestExecutionLogWorkers::workers_countersAloneAreWritten()
{
    WorkerRecord worker = workerRecord(u"w"_s, at(1));
    ERGON_TRY(run, m_log->registerWorker(worker));
    WorkerRecord counters = worker;
    counters.id = run;
    counters.inFlight = 3;
    counters.completed = 5328;
    counters.failed = 4;
    counters.heartbeat = at(9);              // not written: only a heartbeat says the worker is alive
    counters.status = WorkerStatus::Stopped; // nor this
    ERGON_VERIFY_OK(m_log->updateWorkerCounters(counters));
    ERGON_TRY(listed, m_log->workers());
    QCOMPARE(listed.size(), 1);
    WorkerRecord expected = worker;
    expected.inFlight = 3;
    expected.completed = 5328;
    expected.failed = 4;
    QCOMPARE(describe(listed.first()), describe(expected));
    // An unknown run changes nothing and is no error.
    counters.id = run + 100;
    counters.completed = 1;
    ERGON_VERIFY_OK(m_log->updateWorkerCounters(counters));
    ERGON_TRY(again, m_log->workers());
    QCOMPARE(again.first().completed, 5328);
}

void TestExecutionLogWorkers::workers_forgetOnlyThoseNotAlive()
{
    ERGON_TRY(kept, m_log->registerWorker(workerRecord(u"kept"_s, at(1), WorkerStatus::Stopped)));
    ERGON_TRY(alive, m_log->registerWorker(workerRecord(u"alive"_s, at(35))));
    ERGON_TRY(markedLost, m_log->registerWorker(workerRecord(u"marked-lost"_s, at(1), WorkerStatus::Lost)));
    ERGON_TRY(silent, m_log->registerWorker(workerRecord(u"silent"_s, at(1)))); // lost by 40 s (30 s lease)
    ERGON_TRY(stopped, m_log->registerWorker(workerRecord(u"stopped"_s, at(1), WorkerStatus::Stopped)));
    ERGON_TRY(forgotten, m_log->forgetWorkers({stopped, markedLost, silent, alive, stopped + 100}, at(40)));
    QCOMPARE(forgotten, 3);
    ERGON_TRY(left, m_log->workers());
    QStringList names;
    for (const WorkerRecord &worker : std::as_const(left))
        names.append(worker.name);
    QCOMPARE(names, (QStringList{u"alive"_s, u"kept"_s}));
    ERGON_TRY(none, m_log->forgetWorkers({}, at(40)));
    QCOMPARE(none, 0);
    // A new run never gets a forgotten run's id, the latest one's included.
    ERGON_TRY(next, m_log->registerWorker(workerRecord(u"stopped"_s, at(41))));
    QVERIFY(next > stopped);
    QVERIFY(kept > 0);
}

void TestExecutionLogWorkers::heartbeat_updatesAndMarksSilentWorkersLost()
{
    ERGON_VERIFY_OK(m_log->registerWorker(workerRecord(u"silent"_s, at(0))));
    ERGON_VERIFY_OK(m_log->registerWorker(workerRecord(u"recent"_s, at(35))));
    ERGON_VERIFY_OK(m_log->registerWorker(workerRecord(u"stopped"_s, at(0), WorkerStatus::Stopped)));
    const WorkerRecord registered = workerRecord(u"me"_s, at(1));
    ERGON_VERIFY_OK(m_log->registerWorker(registered));

    WorkerRecord beat = registered;
    beat.heartbeat = at(60);
    beat.inFlight = 3;
    beat.completed = 42;
    beat.failed = 2;
    // At 60 s, with 30 s leases: "silent" (last heard at 0 s) is lost, "recent" (35 s) is not.
    ERGON_VERIFY_OK(m_log->heartbeat(beat, at(60)));

    ERGON_TRY(workers, m_log->workers());
    QCOMPARE(workers.size(), 4);
    QHash<QString, WorkerRecord> byName;
    for (const WorkerRecord &worker : std::as_const(workers))
        byName.insert(worker.name, worker);
    QCOMPARE(describe(byName.value(u"me"_s)), describe(beat));
    QCOMPARE(byName.value(u"silent"_s).status, WorkerStatus::Lost);
    QCOMPARE(byName.value(u"silent"_s).heartbeat, at(0));
    QCOMPARE(byName.value(u"recent"_s).status, WorkerStatus::Alive);
    QCOMPARE(byName.value(u"stopped"_s).status, WorkerStatus::Stopped);

    // A last heartbeat says stopped; a heartbeat of an unknown worker adds no row.
    beat.status = WorkerStatus::Stopped;
    beat.inFlight = 0;
    beat.heartbeat = at(61);
    ERGON_VERIFY_OK(m_log->heartbeat(beat, at(61)));
    WorkerRecord stranger = workerRecord(u"stranger"_s, at(61));
    ERGON_VERIFY_OK(m_log->heartbeat(stranger, at(61)));
    ERGON_TRY(after, m_log->workers());
    QCOMPARE(after.size(), 4);
    for (const WorkerRecord &worker : std::as_const(after)) {
        if (worker.name == u"me"_s)
            QCOMPARE(describe(worker), describe(beat));
    }
}

void TestExecutionLogWorkers::effectiveStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<qint64>("silentMs");
    QTest::addColumn<int>("expected");
    const int alive = int(WorkerStatus::Alive);
    const int lost = int(WorkerStatus::Lost);
    const int stopped = int(WorkerStatus::Stopped);
    QTest::newRow("alive, recent") << alive << qint64(500) << alive;
    QTest::newRow("alive, silent exactly its lease") << alive << qint64(1000) << alive;
    QTest::newRow("alive, silent past its lease") << alive << qint64(1001) << lost;
    QTest::newRow("stopped long ago") << stopped << qint64(100000) << stopped;
    QTest::newRow("marked lost") << lost << qint64(10) << lost;
}

void TestExecutionLogWorkers::effectiveStatus()
{
    QFETCH(int, status);
    QFETCH(qint64, silentMs);
    QFETCH(int, expected);
    WorkerRecord worker = workerRecord(u"w"_s, at(10), WorkerStatus(status));
    worker.leaseMs = 1000;
    ERGON_VERIFY_OK(m_log->registerWorker(worker));
    ERGON_TRY(stored, m_log->workers());
    QCOMPARE(stored.size(), 1);
    QCOMPARE(int(ergon::effectiveStatus(stored.first(), at(10).addMSecs(silentMs))), expected);
}

QTEST_GUILESS_MAIN(TestExecutionLogWorkers)
#include "tst_executionlog_workers.moc"
