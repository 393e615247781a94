// The storage conformance suite, signals: sending (refused for unknown and finished flows), a
// wait's settle in a commit (take the oldest pending signal, time out, or park), the wake-up of a
// parked wait, order and exactly-once delivery, and what a waiting flow reads as waiting for.
// Run once per backend of ergon::test::backends(), over the shared fixture of conformancesuite.h.

#include "conformancesuite.h"

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {

/// The wait step for the signal `name` at `seq`, open, as FlowRun hands it in.
SignalWait signalWait(qint64 flowId, int seq, const QString &name, const QString &owner, const QDateTime &now,
                      const QDateTime &timeoutAt = {})
{
    SignalWait wait;
    wait.step.flowId = flowId;
    wait.step.seq = seq;
    wait.step.name = name;
    wait.step.kind = StepKind::Signal;
    wait.step.status = StepStatus::Running;
    wait.step.worker = owner;
    wait.step.started = now;
    wait.step.nextAttemptAt = timeoutAt;
    wait.now = now;
    return wait;
}

QString delivered(const QByteArray &payload)
{
    return u"{\"payload\":%1}"_s.arg(QString::fromUtf8(payload));
}

} // namespace

class TestExecutionLogSignals : public ConformanceSuite
{
    Q_OBJECT

private Q_SLOTS:
    void sendSignal_refusesUnknownAndFinishedFlows_data();
    void sendSignal_refusesUnknownAndFinishedFlows();
    void signalSentBeforeTheWait_isTakenWithoutAPark();
    void waitWithoutASignal_parks_andASignalMakesItDue();
    void waitWithoutATimeout_parksUntilNever();
    void signalsOfOneName_areTakenInOrder_onceEach();
    void timeoutPassed_completesTheWait_andALateSignalIsKept();
    void signalOfAnotherName_doesNotWakeTheFlow();
    void refusedWait_takesNothing();
    void timerWait_readsAsWaitingForTheTimer();

private:
    /// One commit of the wait; the outcome's settled entry for the flow, or nothing.
    std::optional<SettledWait> settle(const SignalWait &wait);
};

std::optional<SettledWait> TestExecutionLogSignals::settle(const SignalWait &wait)
{
    LogBatch batch;
    batch.signalWaits.append(wait);
    auto outcome = m_log->commit(batch);
    if (!outcome) {
        qWarning("%s", qPrintable(outcome.errorString()));
        return std::nullopt;
    }
    const auto found = outcome->settled.constFind(wait.step.flowId);
    if (found == outcome->settled.cend())
        return std::nullopt;
    return *found;
}

void TestExecutionLogSignals::sendSignal_refusesUnknownAndFinishedFlows_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown") << -1 << u"not-found"_s << u"no flow with id %1"_s;
    QTest::newRow("completed") << int(State::Completed) << u"finished"_s << u"flow %1 is already completed"_s;
    QTest::newRow("failed") << int(State::Failed) << u"finished"_s << u"flow %1 is already failed"_s;
    QTest::newRow("cancelled") << int(State::Cancelled) << u"finished"_s << u"flow %1 is already cancelled"_s;
}

void TestExecutionLogSignals::sendSignal_refusesUnknownAndFinishedFlows()
{
    QFETCH(int, state);
    QFETCH(QString, kind);
    QFETCH(QString, message);
    const qint64 id = state < 0 ? 999 : flowIn(State(state));
    QVERIFY(id > 0);
    const auto sent = m_log->sendSignal(id, u"approve"_s, "true", at(10));
    QVERIFY(!sent);
    QCOMPARE(sent.error().kind(), kind);
    QCOMPARE(sent.error().message(), message.arg(id));
    ERGON_TRY(kept, m_log->flowSignals(id));
    QVERIFY(kept.isEmpty()); // nothing stored
}

void TestExecutionLogSignals::signalSentBeforeTheWait_isTakenWithoutAPark()
{
    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    ERGON_TRY(sent, m_log->sendSignal(id, u"approve"_s, R"({"approved":true,"by":"ann"})", at(5)));
    QVERIFY(sent.id > 0);
    QVERIFY(!sent.woke); // nothing waits for it yet: no wake-up
    ERGON_TRY(pending, m_log->flowSignals(id));
    QCOMPARE(pending.size(), 1);
    QCOMPARE(pending[0].id, sent.id);
    QCOMPARE(pending[0].name, u"approve"_s);
    QCOMPARE(pending[0].created, at(5));
    QVERIFY(!pending[0].consumed.isValid());
    QCOMPARE(pending[0].consumedSeq, -1);

    const auto settled = settle(signalWait(id, 0, u"approve"_s, u"w1"_s, at(6), at(66)));
    QVERIFY(settled);
    QVERIFY(!settled->parked);
    const QString expected = delivered(R"({"approved":true,"by":"ann"})");
    QCOMPARE(QString::fromUtf8(settled->resultJson), expected);

    // The flow goes on running under its lease; the step is recorded with the payload; the
    // signal is delivered, to that step.
    const auto flow = stored(id);
    QCOMPARE(flow->status, FlowStatus::Running);
    QCOMPARE(flow->leaseOwner, u"w1"_s);
    ERGON_TRY(steps, m_log->steps(id));
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps[0].kind, StepKind::Signal);
    QCOMPARE(steps[0].name, u"approve"_s);
    QCOMPARE(steps[0].status, StepStatus::Completed);
    QCOMPARE(QString::fromUtf8(steps[0].resultJson), expected);
    QCOMPARE(steps[0].finished, at(6));
    ERGON_TRY(after, m_log->flowSignals(id));
    QCOMPARE(after.size(), 1);
    QCOMPARE(after[0].consumed, at(6));
    QCOMPARE(after[0].consumedSeq, 0);
}

void TestExecutionLogSignals::waitWithoutASignal_parks_andASignalMakesItDue()
{
    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    const auto parked = settle(signalWait(id, 0, u"approve"_s, u"w1"_s, at(6), at(100)));
    QVERIFY(parked);
    QVERIFY(parked->parked);
    auto flow = stored(id);
    QCOMPARE(flow->status, FlowStatus::Waiting);
    QCOMPARE(flow->runAt, at(100)); // due at its timeout
    QVERIFY(flow->leaseOwner.isEmpty());
    QVERIFY(flow->waitingFor.has_value());
    QCOMPARE(flow->waitingFor->kind, StepKind::Signal);
    QCOMPARE(flow->waitingFor->name, u"approve"_s);
    QCOMPARE(flow->waitingFor->until, at(100));
    ERGON_TRY(steps, m_log->steps(id));
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps[0].status, StepStatus::Running);
    QCOMPARE(steps[0].nextAttemptAt, at(100));
    ERGON_TRY(timers, m_log->pendingTimers(10));
    QVERIFY(timers.isEmpty()); // a signal's timeout is not a durable timer
    ERGON_TRY(notYet, m_log->claimDue(u"w2"_s, at(10), at(70), 10));
    QVERIFY(notYet.isEmpty());

    ERGON_TRY(sent, m_log->sendSignal(id, u"approve"_s, "42", at(10)));
    QVERIFY(sent.woke);
    flow = stored(id);
    QCOMPARE(flow->status, FlowStatus::Waiting);
    QCOMPARE(flow->runAt, at(10)); // due now
    ERGON_TRY(due, m_log->claimDue(u"w2"_s, at(10), at(70), 10));
    QCOMPARE(due, QList<qint64>{id});
    ERGON_TRY(claimed, claimInCommit(*m_log, id, u"w2"_s, at(10), at(70)));
    QVERIFY(claimed);

    // The replay reaches the same wait (its timeout as recorded) and takes the signal.
    const auto settled = settle(signalWait(id, 0, u"approve"_s, u"w2"_s, at(11), at(100)));
    QVERIFY(settled);
    QVERIFY(!settled->parked);
    QCOMPARE(QString::fromUtf8(settled->resultJson), delivered("42"));
    QCOMPARE(stored(id)->status, FlowStatus::Running);
    QVERIFY(!stored(id)->waitingFor.has_value());
}

void TestExecutionLogSignals::waitWithoutATimeout_parksUntilNever()
{
    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    const auto parked = settle(signalWait(id, 0, u"approve"_s, u"w1"_s, at(6)));
    QVERIFY(parked && parked->parked);
    const auto flow = stored(id);
    QCOMPARE(flow->status, FlowStatus::Waiting);
    QCOMPARE(flow->runAt, neverDue());
    QVERIFY(flow->waitingFor.has_value());
    QVERIFY(!flow->waitingFor->until.isValid());
    // Nothing ever falls due by itself: not in a year, not in what the timer service arms.
    ERGON_TRY(due, m_log->claimDue(u"w2"_s, at(365 * 86400), at(365 * 86400 + 60), 10));
    QVERIFY(due.isEmpty());
    ERGON_TRY(upcoming, m_log->upcoming(at(6), at(10 * 365 * 86400), 10));
    QVERIFY(upcoming.isEmpty());
    ERGON_TRY(sent, m_log->sendSignal(id, u"approve"_s, "null", at(20)));
    QVERIFY(sent.woke);
    QCOMPARE(stored(id)->runAt, at(20));
}

void TestExecutionLogSignals::signalsOfOneName_areTakenInOrder_onceEach()
{
    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    ERGON_TRY(first, m_log->sendSignal(id, u"item"_s, "1", at(5)));
    ERGON_TRY(other, m_log->sendSignal(id, u"other"_s, "\"x\"", at(5)));
    ERGON_TRY(second, m_log->sendSignal(id, u"item"_s, "2", at(6)));
    QVERIFY(first.id < second.id);
    QVERIFY(other.id > 0);

    const auto one = settle(signalWait(id, 0, u"item"_s, u"w1"_s, at(7), at(70)));
    QVERIFY(one && !one->parked);
    QCOMPARE(QString::fromUtf8(one->resultJson), delivered("1"));
    const auto two = settle(signalWait(id, 1, u"item"_s, u"w1"_s, at(9), at(70)));
    QVERIFY(two && !two->parked);
    QCOMPARE(QString::fromUtf8(two->resultJson), delivered("2"));
    const auto three = settle(signalWait(id, 2, u"item"_s, u"w1"_s, at(10), at(70)));
    QVERIFY(three && three->parked); // none left

    ERGON_TRY(all, m_log->flowSignals(id));
    QCOMPARE(all.size(), 3);
    QCOMPARE(all[0].id, first.id);
    QCOMPARE(all[0].consumedSeq, 0);
    QCOMPARE(all[1].id, other.id);
    QVERIFY(!all[1].consumed.isValid()); // another name: left alone
    QCOMPARE(all[2].id, second.id);
    QCOMPARE(all[2].consumedSeq, 1);
}

void TestExecutionLogSignals::timeoutPassed_completesTheWait_andALateSignalIsKept()
{
    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    const auto parked = settle(signalWait(id, 0, u"approve"_s, u"w1"_s, at(6), at(20)));
    QVERIFY(parked && parked->parked);
    ERGON_TRY(due, m_log->claimDue(u"w2"_s, at(20), at(80), 10));
    QCOMPARE(due, QList<qint64>{id}); // due at its timeout
    ERGON_TRY(claimed, claimInCommit(*m_log, id, u"w2"_s, at(21), at(80)));
    QVERIFY(claimed);
    const auto timedOut = settle(signalWait(id, 0, u"approve"_s, u"w2"_s, at(21), at(20)));
    QVERIFY(timedOut && !timedOut->parked);
    QCOMPARE(QString::fromUtf8(timedOut->resultJson), u"{\"timeout\":true}"_s);

    // Too late for that wait: stored, pending, and the finished wait keeps its timeout.
    ERGON_TRY(late, m_log->sendSignal(id, u"approve"_s, "\"late\"", at(30)));
    QVERIFY(!late.woke);
    ERGON_TRY(steps, m_log->steps(id));
    QCOMPARE(QString::fromUtf8(steps[0].resultJson), u"{\"timeout\":true}"_s);
    ERGON_TRY(pending, m_log->flowSignals(id));
    QCOMPARE(pending.size(), 1);
    QVERIFY(!pending[0].consumed.isValid());
    // The flow's next wait for that name receives it.
    const auto next = settle(signalWait(id, 1, u"approve"_s, u"w2"_s, at(31), at(90)));
    QVERIFY(next && !next->parked);
    QCOMPARE(QString::fromUtf8(next->resultJson), delivered("\"late\""));
}

void TestExecutionLogSignals::signalOfAnotherName_doesNotWakeTheFlow()
{
    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    const auto parked = settle(signalWait(id, 0, u"approve"_s, u"w1"_s, at(6), at(100)));
    QVERIFY(parked && parked->parked);
    ERGON_TRY(sent, m_log->sendSignal(id, u"reject"_s, "1", at(10)));
    QVERIFY(!sent.woke);
    QCOMPARE(stored(id)->runAt, at(100));
    // A flow waiting on a timer is not woken by a signal either.
    const qint64 sleeper = waitingFlow(u"approve"_s, at(50));
    QVERIFY(sleeper > 0);
    ERGON_TRY(toSleeper, m_log->sendSignal(sleeper, u"approve"_s, "1", at(10)));
    QVERIFY(!toSleeper.woke);
    QCOMPARE(stored(sleeper)->runAt, at(50));
}

void TestExecutionLogSignals::refusedWait_takesNothing()
{
    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    ERGON_TRY(sent, m_log->sendSignal(id, u"approve"_s, "1", at(5)));
    QVERIFY(sent.id > 0);
    LogBatch batch;
    batch.signalWaits.append(signalWait(id, 0, u"approve"_s, u"intruder"_s, at(6), at(60)));
    ERGON_TRY(outcome, m_log->commit(batch));
    QVERIFY(outcome.refused.contains(id));
    QVERIFY(!outcome.settled.contains(id));
    ERGON_TRY(steps, m_log->steps(id));
    QVERIFY(steps.isEmpty());
    ERGON_TRY(pending, m_log->flowSignals(id));
    QVERIFY(!pending[0].consumed.isValid());
    QCOMPARE(stored(id)->status, FlowStatus::Running);
}

void TestExecutionLogSignals::timerWait_readsAsWaitingForTheTimer()
{
    const qint64 id = waitingFlow(u"nap"_s, at(40));
    QVERIFY(id > 0);
    const auto flow = stored(id);
    QVERIFY(flow->waitingFor.has_value());
    QCOMPARE(flow->waitingFor->kind, StepKind::Timer);
    QCOMPARE(flow->waitingFor->name, u"nap"_s);
    QCOMPARE(flow->waitingFor->until, at(40));
    FlowQuery query;
    query.status = FlowStatus::Waiting;
    ERGON_TRY(listed, m_log->flows(query));
    QCOMPARE(listed.size(), 1);
    QVERIFY(listed[0].waitingFor.has_value());
    QCOMPARE(listed[0].waitingFor->name, u"nap"_s);
    // A running flow waits for nothing.
    const qint64 running = flowIn(State::Running);
    QVERIFY(!stored(running)->waitingFor.has_value());
}

QTEST_GUILESS_MAIN(TestExecutionLogSignals)
#include "tst_executionlog_signals.moc"
