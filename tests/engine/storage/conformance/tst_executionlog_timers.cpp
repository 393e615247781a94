// The storage conformance suite, timers: durable timers: pending, fired now, fired when due, fired and claimed.
// Run once per backend of ergon::test::backends(), over the shared fixture of conformancesuite.h.

#include "conformancesuite.h"

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

class TestExecutionLogTimers : public ConformanceSuite
{
    Q_OBJECT

private Q_SLOTS:
    void pendingTimers();
    void fireTimerNow();
    void fireDueTimers();
    void fireAndClaimDue_leasesFiredFlowsToTheFiringWorker();
    void fireAndClaimDue_limitAndTypes();
    void fireTimerNow_errors_data();
    void fireTimerNow_errors();
};

void TestExecutionLogTimers::pendingTimers()
{
    const qint64 later = waitingFlow(u"nap"_s, at(30));
    const qint64 sooner = waitingFlow(u"short-nap"_s, at(20), u"demo.Sleeper"_s);
    const qint64 cancelled = waitingFlow(u"nap"_s, at(10));
    ERGON_VERIFY_OK(m_log->cancelFlow(cancelled, at(5)));
    // A timer that has fired (completed step) of a flow still running.
    const qint64 fired = waitingFlow(u"nap"_s, at(8));
    ERGON_TRY(claimed, claimInCommit(*m_log, fired, u"w1"_s, at(9), at(69)));
    QVERIFY(claimed);
    ERGON_TRY(firedSteps, m_log->steps(fired));
    StepRecord firedTimer = firedSteps.at(1);
    firedTimer.status = StepStatus::Completed;
    firedTimer.finished = at(9);
    LogBatch batch;
    batch.steps.append(firedTimer);
    ERGON_TRY(refused, m_log->write(batch));
    QVERIFY(refused.isEmpty());
    QVERIFY(later > 0 && sooner > 0 && cancelled > 0 && fired > 0);

    ERGON_TRY(timers, m_log->pendingTimers(100));
    QCOMPARE(timers.size(), 2);
    QCOMPARE(timers[0].flowId, sooner);
    QCOMPARE(timers[0].seq, 1);
    QCOMPARE(timers[0].name, u"short-nap"_s);
    QCOMPARE(timers[0].flowType, u"demo.Sleeper"_s);
    QCOMPARE(timers[0].fireAt, at(20));
    QCOMPARE(timers[1].flowId, later);
    QCOMPARE(timers[1].name, u"nap"_s);
    QCOMPARE(timers[1].flowType, u"orders.Process"_s);
    QCOMPARE(timers[1].fireAt, at(30));
    ERGON_TRY(first, m_log->pendingTimers(1));
    QCOMPARE(first.size(), 1);
    QCOMPARE(first[0].flowId, sooner);
}

void TestExecutionLogTimers::fireTimerNow()
{
    const qint64 id = waitingFlow(u"nap"_s, at(3600));
    QVERIFY(id > 0);
    ERGON_TRY(notYet, m_log->claimDue(u"w2"_s, at(10), at(70), 10));
    QVERIFY(notYet.isEmpty());

    ERGON_VERIFY_OK(m_log->fireTimerNow(id, at(10)));
    const auto flow = stored(id);
    QCOMPARE(flow->status, FlowStatus::Waiting);
    QCOMPARE(flow->runAt, at(10));
    // The replay reads the fire time from the timer's step: it must have moved as well, or
    // the replay would park the flow again until the original time.
    ERGON_TRY(steps, m_log->steps(id));
    QCOMPARE(steps.size(), 2);
    QCOMPARE(steps[1].kind, StepKind::Timer);
    QCOMPARE(steps[1].nextAttemptAt, at(10));
    QCOMPARE(steps[0].status, StepStatus::Completed); // the rest is untouched
    ERGON_TRY(timers, m_log->pendingTimers(10));
    QCOMPARE(timers.size(), 1);
    QCOMPARE(timers[0].fireAt, at(10));

    ERGON_TRY(due, m_log->claimDue(u"w2"_s, at(10), at(70), 10));
    QCOMPARE(due, QList<qint64>{id});
}

void TestExecutionLogTimers::fireDueTimers()
{
    const qint64 sooner = waitingFlow(u"short-nap"_s, at(20));
    const qint64 later = waitingFlow(u"nap"_s, at(30));
    QVERIFY(sooner > 0 && later > 0);

    ERGON_TRY(none, m_log->fireDueTimers(at(19)));
    QCOMPARE(none, 0);
    ERGON_TRY(first, m_log->fireDueTimers(at(25)));
    QCOMPARE(first, 1);
    ERGON_TRY(steps, m_log->steps(sooner));
    QCOMPARE(steps[1].kind, StepKind::Timer);
    QCOMPARE(steps[1].status, StepStatus::Completed);
    QCOMPARE(steps[1].finished, at(25));
    QCOMPARE(steps[1].nextAttemptAt, at(20)); // the due time stays: lateness is finished - due
    ERGON_TRY(pending, m_log->pendingTimers(10));
    QCOMPARE(pending.size(), 1);
    QCOMPARE(pending[0].flowId, later);

    // Each timer fires once; its flow stays waiting, due, for a worker to run on.
    ERGON_TRY(again, m_log->fireDueTimers(at(26)));
    QCOMPARE(again, 0);
    ERGON_TRY(steps2, m_log->steps(sooner));
    QCOMPARE(steps2[1].finished, at(25));
    QCOMPARE(stored(sooner)->status, FlowStatus::Waiting);
    ERGON_TRY(due, m_log->claimDue(u"w2"_s, at(26), at(86), 10));
    QCOMPARE(due, QList<qint64>{sooner});
}

void TestExecutionLogTimers::fireAndClaimDue_leasesFiredFlowsToTheFiringWorker()
{
    // A flow that has not started, due before the timers: a plain claim would take it first.
    const qint64 fresh = scheduled(0, at(1));
    const qint64 sooner = waitingFlow(u"short-nap"_s, at(20));
    const qint64 later = waitingFlow(u"nap"_s, at(30));
    QVERIFY(fresh > 0 && sooner > 0 && later > 0);

    ERGON_TRY(tick, m_log->fireAndClaimDue(u"timers-1"_s, clockAt(25), 60s, 10));
    QCOMPARE(tick.fired, 1);
    QCOMPARE(tick.claimed, QList<qint64>{sooner}); // the fired flow, not the fresh one
    const auto leased = stored(sooner);
    QCOMPARE(leased->status, FlowStatus::Running);
    QCOMPARE(leased->leaseOwner, u"timers-1"_s);
    QCOMPARE(leased->leaseExpires, at(85));
    ERGON_TRY(steps, m_log->steps(sooner));
    QCOMPARE(steps[1].status, StepStatus::Completed);
    QCOMPARE(steps[1].finished, at(25));
    QCOMPARE(stored(fresh)->status, FlowStatus::Pending);
    QCOMPARE(stored(later)->status, FlowStatus::Waiting);

    // The leased flow is the firing worker's: another one's claim passes it by, the owner's
    // run claims it; its timer does not fire again.
    ERGON_TRY(others, m_log->claimDue(u"timers-2"_s, at(26), at(86), 10));
    QCOMPARE(others, QList<qint64>{fresh});
    ERGON_TRY(stolenClaim, claimInCommit(*m_log, sooner, u"timers-2"_s, at(26), at(86)));
    QVERIFY(!stolenClaim);
    ERGON_TRY(ownClaim, claimInCommit(*m_log, sooner, u"timers-1"_s, at(26), at(86)));
    QVERIFY(ownClaim);
    ERGON_TRY(again, m_log->fireAndClaimDue(u"timers-2"_s, clockAt(27), 60s, 10));
    QCOMPARE(again.fired, 0);
    QVERIFY(again.claimed.isEmpty());
}

void TestExecutionLogTimers::fireAndClaimDue_limitAndTypes()
{
    const qint64 first = waitingFlow(u"nap"_s, at(20));
    const qint64 second = waitingFlow(u"nap"_s, at(21));
    const qint64 other = waitingFlow(u"nap"_s, at(19), u"demo.Sleeper"_s);
    QVERIFY(first > 0 && second > 0 && other > 0);

    // No room: every due timer fires all the same, and nothing is leased.
    ERGON_TRY(full, m_log->fireAndClaimDue(u"busy"_s, clockAt(22), 60s, 0));
    QCOMPARE(full.fired, 3);
    QVERIFY(full.claimed.isEmpty());
    for (const qint64 id : {first, second, other})
        QCOMPARE(stored(id)->status, FlowStatus::Waiting);

    // Fired flows not taken yet are taken by a later tick, within its room and its types.
    ERGON_TRY(one, m_log->fireAndClaimDue(u"w1"_s, clockAt(23), 60s, 1, {u"orders.Process"_s}));
    QCOMPARE(one.fired, 0);
    QCOMPARE(one.claimed, QList<qint64>{first});
    ERGON_TRY(rest, m_log->fireAndClaimDue(u"w2"_s, clockAt(24), 60s, 10, {u"orders.Process"_s}));
    QCOMPARE(rest.claimed, QList<qint64>{second});
    QCOMPARE(stored(other)->status, FlowStatus::Waiting);
    ERGON_TRY(due, m_log->claimDue(u"w3"_s, at(25), at(85), 10));
    QCOMPARE(due, QList<qint64>{other});
}

void TestExecutionLogTimers::fireTimerNow_errors_data()
{
    QTest::addColumn<int>("state"); // -1: unknown id
    QTest::newRow("unknown id") << -1;
    QTest::newRow("pending") << int(State::Pending);
    QTest::newRow("running") << int(State::Running);
    QTest::newRow("completed") << int(State::Completed);
    QTest::newRow("cancelled") << int(State::Cancelled);
}

void TestExecutionLogTimers::fireTimerNow_errors()
{
    QFETCH(int, state);
    const qint64 id = state < 0 ? 4242 : flowIn(State(state));
    QVERIFY(id > 0);
    const QString before = storedText(id);
    const auto fired = m_log->fireTimerNow(id, at(40));
    QVERIFY(!fired);
    QVERIFY2(fired.errorString().contains(QString::number(id)), qPrintable(fired.errorString()));
    QCOMPARE(storedText(id), before);
}

QTEST_GUILESS_MAIN(TestExecutionLogTimers)
#include "tst_executionlog_timers.moc"
