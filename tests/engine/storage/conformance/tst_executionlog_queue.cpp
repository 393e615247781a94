// The storage conformance suite, queue: the work queue: prefetch claims, leases, releasing, stealing, what is upcoming.
// Run once per backend of ergon::test::backends(), over the shared fixture of conformancesuite.h.

#include "conformancesuite.h"

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

class TestExecutionLogQueue : public ConformanceSuite
{
    Q_OBJECT

private Q_SLOTS:
    void claimDue_ordersByPriorityThenDueTime();
    void claimDue_takesAnExpiredLeaseWithinASecond();
    void claimDueStarted_leasesStartsAndReturnsTheFlows();
    void claimDue_whatIsClaimable_data();
    void claimDue_whatIsClaimable();
    void claimDue_limit();
    void claimDue_typesFilter();
    void claimDue_prefetchedIsClaimedByItsOwnerOnly();
    void renewLeases();
    void releaseFlows();
    void stealFlows_takesHalfOfTheLongestQueue();
    void stealFlows_neverStartedFlows();
    void stealFlows_nothingToSteal();
    void upcoming();
};

void TestExecutionLogQueue::claimDue_ordersByPriorityThenDueTime()
{
    // Scheduled out of order; pending, waiting and expired flows compete in one order.
    const qint64 low = scheduled(-1, at(1));
    const qint64 normalLate = scheduled(0, at(10));
    const qint64 urgentLate = scheduled(5, at(20));
    const qint64 urgentEarly = scheduled(5, at(5));
    const qint64 normalWaiting = waitingFlow(u"nap"_s, at(3));
    QVERIFY(normalWaiting > 0);
    const qint64 urgentExpired = scheduled(5, at(7));
    ERGON_TRY(taken, claimInCommit(*m_log, urgentExpired, u"crashed"_s, at(7), at(50)));
    QVERIFY(taken);

    ERGON_TRY(claimed, m_log->claimDue(u"me"_s, at(100), at(160), 100));
    const QList<qint64> expected{urgentEarly, urgentExpired, urgentLate, normalWaiting, normalLate, low};
    QCOMPARE(claimed, expected);
}

void TestExecutionLogQueue::claimDue_takesAnExpiredLeaseWithinASecond()
{
    // A backend may look for expired leases less often than at every claim (they are rare,
    // and leases last seconds), but never leaves one unclaimed for more than a second.
    const qint64 id = scheduled(0, at(1));
    ERGON_TRY(taken, claimInCommit(*m_log, id, u"crashed"_s, at(2), at(50)));
    QVERIFY(taken);
    ERGON_TRY(early, m_log->claimDue(u"me"_s, at(49), at(109), 10));
    QVERIFY(early.isEmpty()); // still leased
    ERGON_TRY(late, m_log->claimDue(u"me"_s, at(51), at(111), 10));
    QCOMPARE(late, QList<qint64>{id});
    QCOMPARE(stored(id)->leaseOwner, u"me"_s);
}

void TestExecutionLogQueue::claimDueStarted_leasesStartsAndReturnsTheFlows()
{
    const qint64 normal = scheduled(0, at(10));
    const qint64 urgent = scheduled(5, at(5));
    const qint64 waiting = waitingFlow(u"nap"_s, at(3));
    QVERIFY(waiting > 0);
    const qint64 other = scheduled(9, at(1), u"billing.Invoice"_s);

    ERGON_TRY(claimed, m_log->claimDueStarted(u"me"_s, at(100), at(160), 2, {u"orders.Process"_s}));
    QCOMPARE(claimed.size(), 2);
    // In claim order, of the given types only, at most the limit.
    QCOMPARE(claimed.at(0).record.id, urgent);
    QCOMPARE(claimed.at(1).record.id, waiting);
    for (const ClaimedFlow &flow : std::as_const(claimed)) {
        QCOMPARE(flow.record.type, u"orders.Process"_s);
        const auto row = stored(flow.record.id);
        QVERIFY(row);
        QCOMPARE(row->status, FlowStatus::Running);
        QCOMPARE(row->leaseOwner, u"me"_s);
        QCOMPARE(row->leaseExpires, at(160));
        QVERIFY2(row->runStarted.isValid(), "a flow claimed to run at once is marked started");
    }
    QVERIFY(!claimed.at(0).hasSteps);
    // The waiting flow comes with what it needs to replay: its steps, if the log read them.
    QVERIFY(claimed.at(1).hasSteps);
    if (claimed.at(1).steps) {
        ERGON_TRY(steps, m_log->steps(waiting));
        QCOMPARE(claimed.at(1).steps->size(), steps.size());
        for (int i = 0; i < steps.size(); ++i) {
            QCOMPARE(claimed.at(1).steps->at(i).name, steps.at(i).name);
            QCOMPARE(claimed.at(1).steps->at(i).resultJson, steps.at(i).resultJson);
            QCOMPARE(claimed.at(1).steps->at(i).nextAttemptAt, steps.at(i).nextAttemptAt);
        }
    }

    // Started: neither stolen nor claimed by anyone else; the rest is still queued.
    ERGON_VERIFY_OK(m_log->registerWorker(workerRecord(u"me"_s, at(100))));
    ERGON_VERIFY_OK(m_log->registerWorker(workerRecord(u"thief"_s, at(100))));
    ERGON_TRY(stolen, m_log->stealFlows(u"thief"_s, at(110), at(170), 10));
    QVERIFY(stolen.isEmpty());
    ERGON_TRY(others, m_log->claimDue(u"thief"_s, at(110), at(170), 10));
    QCOMPARE(QSet<qint64>(others.cbegin(), others.cend()), (QSet<qint64>{normal, other}));
}

void TestExecutionLogQueue::claimDue_whatIsClaimable_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<bool>("claimable");

    QTest::newRow("pending, due") << u"pending-due"_s << true;
    QTest::newRow("pending, due exactly now") << u"pending-now"_s << true;
    QTest::newRow("pending, before runAt") << u"pending-later"_s << false;
    QTest::newRow("waiting, due") << u"waiting-due"_s << true;
    QTest::newRow("waiting, not due") << u"waiting-later"_s << false;
    QTest::newRow("running, lease expired") << u"running-expired"_s << true;
    QTest::newRow("running, someone else's live lease") << u"running-live"_s << false;
    // Already in the claimer's queue: a second prefetch must not hand it out again.
    QTest::newRow("prefetched by the claimer") << u"prefetched-own"_s << false;
    QTest::newRow("prefetched by someone else") << u"prefetched-other"_s << false;
    QTest::newRow("completed") << u"completed"_s << false;
    QTest::newRow("failed") << u"failed"_s << false;
    QTest::newRow("cancelled") << u"cancelled"_s << false;
}

void TestExecutionLogQueue::claimDue_whatIsClaimable()
{
    QFETCH(QString, setup);
    QFETCH(bool, claimable);

    const QDateTime now = at(100);
    const qint64 id = flowForClaim(setup);
    QVERIFY(id > 0);
    const auto before = stored(id);
    QVERIFY(before);

    ERGON_TRY(claimed, m_log->claimDue(u"me"_s, now, now.addSecs(60), 10));
    QCOMPARE(claimed, claimable ? QList<qint64>{id} : QList<qint64>());

    const auto after = stored(id);
    QVERIFY(after);
    if (claimable) {
        // Leased to the claimer, not started: its run starts with claimFlow().
        QCOMPARE(after->status, FlowStatus::Running);
        QCOMPARE(after->leaseOwner, u"me"_s);
        QCOMPARE(after->leaseExpires, now.addSecs(60));
        QVERIFY(!after->runStarted.isValid());
        QCOMPARE(after->runAt, before->runAt);
        QCOMPARE(after->arguments, before->arguments);
        QCOMPARE(after->stepCount, before->stepCount);
        QCOMPARE(after->created, before->created);
        // Nobody else gets it while the lease lives.
        ERGON_TRY(again, m_log->claimDue(u"other2"_s, now.addSecs(1), now.addSecs(61), 10));
        QVERIFY(again.isEmpty());
    } else {
        QCOMPARE(describe(*after), describe(*before));
    }
}

void TestExecutionLogQueue::claimDue_limit()
{
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i)
        ids.append(scheduled(0, at(i)));

    ERGON_TRY(none, m_log->claimDue(u"w0"_s, at(10), at(70), 0));
    QVERIFY(none.isEmpty());
    ERGON_TRY(first, m_log->claimDue(u"w1"_s, at(10), at(70), 2));
    QCOMPARE(first, ids.mid(0, 2));
    ERGON_TRY(rest, m_log->claimDue(u"w2"_s, at(11), at(71), 10));
    QCOMPARE(rest, ids.mid(2));
    ERGON_TRY(nothing, m_log->claimDue(u"w3"_s, at(12), at(72), 10));
    QVERIFY(nothing.isEmpty());
    QCOMPARE(stored(ids[0])->leaseOwner, u"w1"_s);
    QCOMPARE(stored(ids[4])->leaseOwner, u"w2"_s);
}

void TestExecutionLogQueue::claimDue_typesFilter()
{
    const qint64 a = scheduled(0, at(1), u"type.A"_s);
    const qint64 b = scheduled(9, at(1), u"type.B"_s);
    const qint64 c = scheduled(0, at(2), u"type.C"_s);

    ERGON_TRY(claimed, m_log->claimDue(u"me"_s, at(10), at(70), 10, {u"type.A"_s, u"type.C"_s}));
    QCOMPARE(claimed, (QList<qint64>{a, c}));
    QCOMPARE(stored(b)->status, FlowStatus::Pending);
    QVERIFY(stored(b)->leaseOwner.isEmpty());

    ERGON_TRY(unknown, m_log->claimDue(u"other"_s, at(10), at(70), 10, {u"type.Z"_s}));
    QVERIFY(unknown.isEmpty());
    ERGON_TRY(any, m_log->claimDue(u"other"_s, at(10), at(70), 10)); // no filter: every type
    QCOMPARE(any, QList<qint64>{b});
}

void TestExecutionLogQueue::claimDue_prefetchedIsClaimedByItsOwnerOnly()
{
    const qint64 id = scheduled(0, at(1));
    ERGON_TRY(leased, m_log->claimDue(u"me"_s, at(10), at(70), 1));
    QCOMPARE(leased, QList<qint64>{id});

    ERGON_TRY(byOther, claimInCommit(*m_log, id, u"other"_s, at(11), at(71)));
    QVERIFY(!byOther);
    QCOMPARE(stored(id)->leaseOwner, u"me"_s);
    QVERIFY(!stored(id)->runStarted.isValid());

    ERGON_TRY(byOwner, claimInCommit(*m_log, id, u"me"_s, at(12), at(72)));
    QVERIFY(byOwner);
    const auto started = stored(id);
    QCOMPARE(started->status, FlowStatus::Running);
    QCOMPARE(started->leaseOwner, u"me"_s);
    QCOMPARE(started->leaseExpires, at(72));
    QCOMPARE(started->runStarted, at(12));

    // Once its lease has expired, anyone may claim it.
    ERGON_TRY(afterExpiry, claimInCommit(*m_log, id, u"other"_s, at(73), at(133)));
    QVERIFY(afterExpiry);
    QCOMPARE(stored(id)->leaseOwner, u"other"_s);
}

void TestExecutionLogQueue::renewLeases()
{
    const qint64 prefetched = scheduled(0, at(1));
    ERGON_TRY(leased, m_log->claimDue(u"me"_s, at(2), at(60), 1));
    QCOMPARE(leased, QList<qint64>{prefetched});
    const qint64 started = scheduled(0, at(1));
    ERGON_TRY(claimedMine, claimInCommit(*m_log, started, u"me"_s, at(3), at(60)));
    QVERIFY(claimedMine);
    const qint64 others = scheduled(0, at(1));
    ERGON_TRY(claimedOther, claimInCommit(*m_log, others, u"other"_s, at(3), at(60)));
    QVERIFY(claimedOther);
    const qint64 pending = scheduled(0, at(1));
    const qint64 done = flowIn(State::Completed); // finished by w1
    QVERIFY(done > 0);
    const QString othersBefore = storedText(others);
    const QString pendingBefore = storedText(pending);
    const QString doneBefore = storedText(done);

    ERGON_TRY(renewed, m_log->renewLeases(u"me"_s, at(40), at(100)));
    QCOMPARE(renewed, 2);
    QCOMPARE(stored(prefetched)->leaseExpires, at(100));
    QVERIFY(!stored(prefetched)->runStarted.isValid()); // renewing does not start a run
    QCOMPARE(stored(prefetched)->status, FlowStatus::Running);
    QCOMPARE(stored(started)->leaseExpires, at(100));
    QCOMPARE(stored(started)->runStarted, at(3));
    QCOMPARE(storedText(others), othersBefore);
    QCOMPARE(storedText(pending), pendingBefore);
    QCOMPARE(storedText(done), doneBefore);

    ERGON_TRY(w1Renewed, m_log->renewLeases(u"w1"_s, at(41), at(101)));
    QCOMPARE(w1Renewed, 0); // its only flow has finished
    ERGON_TRY(nobody, m_log->renewLeases(u"nobody"_s, at(41), at(101)));
    QCOMPARE(nobody, 0);
}

void TestExecutionLogQueue::releaseFlows()
{
    QList<qint64> queued;
    for (int i = 0; i < 2; ++i)
        queued.append(scheduled(0, at(i)));
    ERGON_TRY(leased, m_log->claimDue(u"me"_s, at(5), at(60), 2));
    QCOMPARE(leased, queued);
    const qint64 started = scheduled(0, at(1));
    ERGON_TRY(claimed, claimInCommit(*m_log, started, u"me"_s, at(6), at(60)));
    QVERIFY(claimed);
    const qint64 others = scheduled(0, at(1));
    ERGON_TRY(othersLeased, m_log->claimDue(u"other"_s, at(7), at(60), 1));
    QCOMPARE(othersLeased, QList<qint64>{others});
    const QString othersBefore = storedText(others);

    // A graceful shutdown first hands back what it has not started.
    ERGON_TRY(notStarted, m_log->releaseFlows(u"me"_s, at(30), true));
    QCOMPARE(notStarted, 2);
    for (const qint64 id : std::as_const(queued)) {
        const auto flow = stored(id);
        QCOMPARE(flow->status, FlowStatus::Pending);
        QVERIFY(flow->leaseOwner.isEmpty());
        QVERIFY(!flow->leaseExpires.isValid());
        QVERIFY(!flow->runStarted.isValid());
        QCOMPARE(flow->updated, at(30));
        QVERIFY(flow->runAt <= at(30)); // due at once for the next worker
    }
    QCOMPARE(stored(started)->status, FlowStatus::Running);
    QCOMPARE(stored(started)->leaseOwner, u"me"_s);
    QCOMPARE(storedText(others), othersBefore);

    ERGON_TRY(all, m_log->releaseFlows(u"me"_s, at(31), false));
    QCOMPARE(all, 1);
    QCOMPARE(stored(started)->status, FlowStatus::Pending);
    QVERIFY(stored(started)->leaseOwner.isEmpty());
    QVERIFY(!stored(started)->runStarted.isValid());
    QCOMPARE(storedText(others), othersBefore);
    ERGON_TRY(again, m_log->releaseFlows(u"me"_s, at(32), false));
    QCOMPARE(again, 0);

    // Released flows are anyone's at once.
    ERGON_TRY(next, m_log->claimDue(u"next"_s, at(33), at(90), 10));
    QCOMPARE(QSet<qint64>(next.cbegin(), next.cend()), (QSet<qint64>{queued[0], queued[1], started}));
}

void TestExecutionLogQueue::stealFlows_takesHalfOfTheLongestQueue()
{
    for (const QString &name : {u"thief"_s, u"victim"_s, u"small"_s})
        ERGON_VERIFY_OK(m_log->registerWorker(workerRecord(name, at(1))));
    // The thief's own queue is the longest: a worker never steals from itself.
    for (int i = 0; i < 6; ++i)
        scheduled(0, at(1));
    ERGON_TRY(own, m_log->claimDue(u"thief"_s, at(2), at(60), 6));
    QCOMPARE(own.size(), 6);
    // The victim's queue: five flows, priority 1..5; one more it has started.
    QList<qint64> victims;
    for (int priority = 1; priority <= 5; ++priority)
        victims.append(scheduled(priority, at(1)));
    ERGON_TRY(victimQueue, m_log->claimDue(u"victim"_s, at(3), at(60), 5));
    QCOMPARE(victimQueue.size(), 5);
    const qint64 running = scheduled(0, at(1));
    ERGON_TRY(runningClaimed, claimInCommit(*m_log, running, u"victim"_s, at(3), at(60)));
    QVERIFY(runningClaimed);
    const qint64 smalls = scheduled(0, at(1));
    ERGON_TRY(smallQueue, m_log->claimDue(u"small"_s, at(4), at(60), 1));
    QCOMPARE(smallQueue, QList<qint64>{smalls});

    // Half of five, rounded up, highest priority first.
    ERGON_TRY(first, m_log->stealFlows(u"thief"_s, at(10), at(70), 10));
    QCOMPARE(idsOf(first), (QSet<qint64>{victims[4], victims[3], victims[2]}));
    for (const StealRecord &steal : std::as_const(first)) {
        QCOMPARE(steal.fromWorker, u"victim"_s);
        QCOMPARE(steal.toWorker, u"thief"_s);
        QCOMPARE(steal.at, at(10));
        const auto flow = stored(steal.flowId);
        QCOMPARE(flow->status, FlowStatus::Running);
        QCOMPARE(flow->leaseOwner, u"thief"_s);
        QCOMPARE(flow->leaseExpires, at(70));
        QVERIFY(!flow->runStarted.isValid());
    }
    QCOMPARE(stored(running)->leaseOwner, u"victim"_s);
    QCOMPARE(stored(smalls)->leaseOwner, u"small"_s);

    // The victim's claim of a stolen flow fails; the thief's succeeds.
    ERGON_TRY(victimClaim, claimInCommit(*m_log, victims[4], u"victim"_s, at(11), at(71)));
    QVERIFY(!victimClaim);
    ERGON_TRY(thiefClaim, claimInCommit(*m_log, victims[4], u"thief"_s, at(11), at(71)));
    QVERIFY(thiefClaim);

    // Two left with the victim, one with `small`: the limit bounds the half.
    ERGON_TRY(second, m_log->stealFlows(u"thief"_s, at(12), at(72), 1));
    QCOMPARE(second.size(), 1);
    QCOMPARE(second.first().flowId, victims[1]);
    QCOMPARE(second.first().fromWorker, u"victim"_s);

    ERGON_TRY(recorded, m_log->steals(100));
    QCOMPARE(recorded.size(), 4);
    QCOMPARE(recorded.first().flowId, victims[1]); // newest first
    QCOMPARE(recorded.first().at, at(12));
    QCOMPARE(idsOf(recorded.mid(1)), idsOf(first));
    ERGON_TRY(newest, m_log->steals(1));
    QCOMPARE(newest.size(), 1);
    QCOMPARE(newest.first().flowId, victims[1]);

    ERGON_TRY(workers, m_log->workers());
    QCOMPARE(workers.size(), 3);
    for (const WorkerRecord &worker : std::as_const(workers))
        QCOMPARE(worker.steals, worker.name == u"thief"_s ? 4 : 0);
}

void TestExecutionLogQueue::stealFlows_neverStartedFlows()
{
    ERGON_VERIFY_OK(m_log->registerWorker(workerRecord(u"thief"_s, at(1))));
    for (int i = 0; i < 3; ++i) {
        const qint64 id = scheduled(0, at(1));
        ERGON_TRY(claimed, claimInCommit(*m_log, id, u"busy"_s, at(2), at(60)));
        QVERIFY(claimed);
    }
    const qint64 waiting = flowIn(State::Waiting);
    QVERIFY(waiting > 0);
    const qint64 pending = scheduled(0, at(1));

    ERGON_TRY(stolen, m_log->stealFlows(u"thief"_s, at(10), at(70), 10));
    QVERIFY(stolen.isEmpty());
    ERGON_TRY(recorded, m_log->steals(10));
    QVERIFY(recorded.isEmpty());
    QCOMPARE(stored(pending)->status, FlowStatus::Pending); // queued in storage, not in a worker: claimDue's
    QVERIFY(stored(waiting)->leaseOwner.isEmpty());
    ERGON_TRY(workers, m_log->workers());
    QCOMPARE(workers.first().steals, 0);
}

void TestExecutionLogQueue::stealFlows_nothingToSteal()
{
    ERGON_TRY(empty, m_log->stealFlows(u"thief"_s, at(10), at(70), 10));
    QVERIFY(empty.isEmpty());
    scheduled(0, at(1));
    ERGON_TRY(leased, m_log->claimDue(u"victim"_s, at(2), at(60), 1));
    QCOMPARE(leased.size(), 1);
    ERGON_TRY(noRoom, m_log->stealFlows(u"thief"_s, at(10), at(70), 0));
    QVERIFY(noRoom.isEmpty());
    QCOMPARE(stored(leased.first())->leaseOwner, u"victim"_s);
    ERGON_TRY(recorded, m_log->steals(10));
    QVERIFY(recorded.isEmpty());
}

void TestExecutionLogQueue::upcoming()
{
    scheduled(0, at(5)); // due already: claimDue's, not a timer's
    const qint64 later = scheduled(0, at(20));
    const qint64 waiting = waitingFlow(u"nap"_s, at(15));
    const qint64 atHorizon = scheduled(9, at(30));
    scheduled(0, at(40)); // beyond the horizon
    const qint64 leased = scheduled(0, at(25));
    ERGON_TRY(claimed, claimInCommit(*m_log, leased, u"w1"_s, at(25), at(90)));
    QVERIFY(claimed);
    const qint64 cancelled = scheduled(0, at(22));
    ERGON_VERIFY_OK(m_log->cancelFlow(cancelled, at(6)));
    QVERIFY(waiting > 0);

    using Due = std::pair<qint64, QDateTime>;
    ERGON_TRY(due, m_log->upcoming(at(10), at(30), 100));
    QCOMPARE(due, (QList<Due>{{waiting, at(15)}, {later, at(20)}, {atHorizon, at(30)}}));
    ERGON_TRY(limited, m_log->upcoming(at(10), at(30), 2));
    QCOMPARE(limited, (QList<Due>{{waiting, at(15)}, {later, at(20)}}));
    ERGON_TRY(none, m_log->upcoming(at(41), at(100), 100));
    QVERIFY(none.isEmpty());
}

QTEST_GUILESS_MAIN(TestExecutionLogQueue)
#include "tst_executionlog_queue.moc"
