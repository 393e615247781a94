// The storage conformance suite, writes: claims and batch writes: claimFlow, and write() applying a LogBatch only under
// a held lease. Run once per backend of ergon::test::backends(), over the shared fixture of conformancesuite.h.

#include "conformancesuite.h"

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

class TestExecutionLogWrites : public ConformanceSuite
{
    Q_OBJECT

private Q_SLOTS:
    void claimFlow_data();
    void claimFlow();
    void claimFlow_unknownId();
    void claimFlow_onlyOneOfTwoOwners();
    void write_appliesUpdateOfTheHolder_data();
    void write_appliesUpdateOfTheHolder();
    void write_refusedWhenLeaseOwnerDiffers();
    void write_refusedAfterLeaseTakenOver();
    void write_refusedWhenCancelled();
    void write_refusalIsPerFlow();
    void write_guardsEachStepByItsOwnWorker();
    void write_completedStepIsNeverOverwritten();
    void write_unfinishedStepIsUpdated();
    void write_stepsAndAttemptsRoundTrip();
    void write_emptyBatch();
};

void TestExecutionLogWrites::claimFlow_data()
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
    QTest::newRow("prefetched by the claimer") << u"prefetched-own"_s << true;
    QTest::newRow("prefetched by someone else") << u"prefetched-other"_s << false;
    QTest::newRow("completed") << u"completed"_s << false;
    QTest::newRow("failed") << u"failed"_s << false;
    QTest::newRow("cancelled") << u"cancelled"_s << false;
}

void TestExecutionLogWrites::claimFlow()
{
    QFETCH(QString, setup);
    QFETCH(bool, claimable);

    // Claims are made at `now`; setups place their due time and lease around it.
    const QDateTime now = at(100);
    const qint64 id = flowForClaim(setup);
    QVERIFY(id > 0);
    const auto before = stored(id);
    QVERIFY(before);

    ERGON_TRY(claimed, claimInCommit(*m_log, id, u"me"_s, now, now.addSecs(60)));
    QCOMPARE(claimed, claimable);

    const auto after = stored(id);
    QVERIFY(after);
    if (claimable) {
        QCOMPARE(after->status, FlowStatus::Running);
        QCOMPARE(after->leaseOwner, u"me"_s);
        QCOMPARE(after->leaseExpires, now.addSecs(60));
        QCOMPARE(after->runStarted, now);
        // The rest of the flow is untouched.
        QCOMPARE(after->arguments, before->arguments);
        QCOMPARE(after->stepCount, before->stepCount);
        QCOMPARE(after->created, before->created);
    } else {
        QCOMPARE(describe(*after), describe(*before));
    }
}

void TestExecutionLogWrites::claimFlow_unknownId()
{
    ERGON_TRY(claimed, claimInCommit(*m_log, 999, u"me"_s, t0, at(60)));
    QVERIFY(!claimed);
}

void TestExecutionLogWrites::claimFlow_onlyOneOfTwoOwners()
{
    ERGON_TRY(ids, m_log->scheduleFlows({newFlow()}, t0));
    ERGON_TRY(other, m_fixture->open());
    ERGON_TRY(first, claimInCommit(*m_log, ids[0], u"w1"_s, t0, at(60)));
    ERGON_TRY(second, claimInCommit(*other, ids[0], u"w2"_s, at(1), at(61)));
    QVERIFY(first);
    QVERIFY(!second);
    QCOMPARE(stored(ids[0])->leaseOwner, u"w1"_s);
}

void TestExecutionLogWrites::write_appliesUpdateOfTheHolder_data()
{
    QTest::addColumn<FlowStatus>("status");
    QTest::addColumn<bool>("release");

    QTest::newRow("progress") << FlowStatus::Running << false;
    QTest::newRow("completed") << FlowStatus::Completed << true;
    QTest::newRow("failed") << FlowStatus::Failed << true;
    QTest::newRow("waiting") << FlowStatus::Waiting << true;
    QTest::newRow("handed back") << FlowStatus::Pending << true;
}

void TestExecutionLogWrites::write_appliesUpdateOfTheHolder()
{
    QFETCH(FlowStatus, status);
    QFETCH(bool, release);

    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    FlowUpdate update = makeUpdate(id, u"w1"_s, status, at(5));
    update.releaseLease = release;
    if (status == FlowStatus::Completed)
        update.resultJson = R"({"ok":true,"n":3})";
    if (status == FlowStatus::Failed)
        update.error = u"step 'c' failed: no stock"_s;
    if (status == FlowStatus::Waiting || status == FlowStatus::Pending)
        update.runAt = at(300);
    LogBatch batch;
    batch.flows.append(update);
    ERGON_TRY(refused, m_log->write(batch));
    QVERIFY(refused.isEmpty());

    const auto flow = stored(id);
    QVERIFY(flow);
    QCOMPARE(flow->status, status);
    QCOMPARE(flow->stepCount, 0); // progress is the steps recorded, none here
    QCOMPARE(flow->updated, at(5));
    QCOMPARE(flow->resultJson, update.resultJson);
    QCOMPARE(flow->error, update.error);
    QCOMPARE(flow->finished, isFinished(status) ? at(5) : QDateTime());
    QCOMPARE(flow->runAt, update.runAt.isValid() ? update.runAt : t0);
    QCOMPARE(flow->leaseOwner, release ? QString() : u"w1"_s);
    QCOMPARE(flow->leaseExpires, release ? QDateTime() : at(60));
    QCOMPARE(flow->created, t0);
}

void TestExecutionLogWrites::write_refusedWhenLeaseOwnerDiffers()
{
    const qint64 id = flowIn(State::Running);
    const QString before = storedText(id);

    LogBatch batch;
    FlowUpdate update = makeUpdate(id, u"intruder"_s, FlowStatus::Completed);
    update.resultJson = "1";
    update.releaseLease = true;
    batch.flows.append(update);
    batch.steps.append(makeStep(id, 0, u"a"_s, StepStatus::Completed, "1"));
    batch.steps.last().worker = u"intruder"_s; // a step's worker is its writer
    batch.attempts.append(AttemptWrite{id, 0, AttemptRecord{1, at(1), at(2), {}, u"intruder"_s}});
    ERGON_TRY(refused, m_log->write(batch));
    QCOMPARE(refused, QSet<qint64>{id});
    QCOMPARE(storedText(id), before);
    QCOMPARE(stepsText(id), QString());
}

void TestExecutionLogWrites::write_refusedAfterLeaseTakenOver()
{
    const qint64 id = flowIn(State::Running); // w1, lease until at(60)
    ERGON_TRY(takenOver, claimInCommit(*m_log, id, u"w2"_s, at(61), at(121)));
    QVERIFY(takenOver);
    const QString before = storedText(id);

    // w1 comes back from a long pause and tries to record its step.
    LogBatch late;
    late.flows.append(makeUpdate(id, u"w1"_s, FlowStatus::Running, at(62)));
    late.steps.append(makeStep(id, 0, u"a"_s, StepStatus::Completed, "\"late\""));
    late.attempts.append(AttemptWrite{id, 0, AttemptRecord{1, at(1), at(62), {}, u"w1"_s}});
    ERGON_TRY(refused, m_log->write(late));
    QCOMPARE(refused, QSet<qint64>{id});
    QCOMPARE(storedText(id), before);
    QCOMPARE(stepsText(id), QString());

    // The new holder's write goes through.
    LogBatch current;
    current.flows.append(makeUpdate(id, u"w2"_s, FlowStatus::Running, at(63)));
    current.steps.append(makeStep(id, 0, u"a"_s, StepStatus::Completed, "\"current\""));
    current.steps.last().worker = u"w2"_s;
    ERGON_TRY(accepted, m_log->write(current));
    QVERIFY(accepted.isEmpty());
    ERGON_TRY(steps, m_log->steps(id, false));
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps.first().resultJson, QByteArray("\"current\""));
}

void TestExecutionLogWrites::write_refusedWhenCancelled()
{
    const qint64 id = flowIn(State::Running);
    ERGON_VERIFY_OK(m_log->cancelFlow(id, at(4)));
    const QString before = storedText(id);

    LogBatch batch;
    FlowUpdate update = makeUpdate(id, u"w1"_s, FlowStatus::Completed);
    update.resultJson = "1";
    update.releaseLease = true;
    batch.flows.append(update);
    batch.steps.append(makeStep(id, 0, u"a"_s, StepStatus::Completed, "1"));
    batch.attempts.append(AttemptWrite{id, 0, AttemptRecord{1, at(1), at(2), {}, u"w1"_s}});
    ERGON_TRY(refused, m_log->write(batch));
    QCOMPARE(refused, QSet<qint64>{id});
    QCOMPARE(storedText(id), before);
    QCOMPARE(stored(id)->status, FlowStatus::Cancelled);
    QCOMPARE(stepsText(id), QString());
}

void TestExecutionLogWrites::write_refusalIsPerFlow()
{
    ERGON_TRY(ids, m_log->scheduleFlows({newFlow(), newFlow()}, t0));
    const qint64 mine = ids[0];
    const qint64 theirs = ids[1];
    ERGON_TRY(claimedMine, claimInCommit(*m_log, mine, u"w1"_s, t0, at(60)));
    ERGON_TRY(claimedTheirs, claimInCommit(*m_log, theirs, u"w2"_s, t0, at(60)));
    QVERIFY(claimedMine && claimedTheirs);

    LogBatch batch; // one group commit of w1 that also (wrongly) carries the other flow
    for (qint64 id : {mine, theirs}) {
        FlowUpdate update = makeUpdate(id, u"w1"_s, FlowStatus::Running);
        batch.flows.append(update);
        batch.steps.append(makeStep(id, 0, u"a"_s, StepStatus::Completed, "7"));
        batch.attempts.append(AttemptWrite{id, 0, AttemptRecord{1, at(1), at(2), {}, u"w1"_s}});
    }
    ERGON_TRY(refused, m_log->write(batch));
    QCOMPARE(refused, QSet<qint64>{theirs});
    QCOMPARE(stored(mine)->stepCount, 1);
    QCOMPARE(stored(theirs)->stepCount, 0);
    ERGON_TRY(mySteps, m_log->steps(mine, true));
    QCOMPARE(mySteps.size(), 1);
    QCOMPARE(mySteps.first().attemptLog.size(), 1);
    QCOMPARE(stepsText(theirs), QString());
}

void TestExecutionLogWrites::write_guardsEachStepByItsOwnWorker()
{
    ERGON_TRY(ids, m_log->scheduleFlows({newFlow(), newFlow(), newFlow(), newFlow()}, t0));
    for (int i : {0, 2}) {
        ERGON_TRY(claimed, claimInCommit(*m_log, ids[i], u"w1"_s, t0, at(60)));
        QVERIFY(claimed);
    }
    ERGON_TRY(claimedByW2, claimInCommit(*m_log, ids[1], u"w2"_s, t0, at(60)));
    QVERIFY(claimedByW2);

    // One batch with the steps of two workers and an administrative step (no worker): each
    // worker's step is written only where that worker holds the flow.
    LogBatch batch;
    batch.steps.append(makeStep(ids[0], 0, u"a"_s, StepStatus::Completed, "1")); // w1, held
    StepRecord ofW2 = makeStep(ids[1], 0, u"a"_s, StepStatus::Completed, "2");
    ofW2.worker = u"w2"_s; // held by w2
    batch.steps.append(ofW2);
    StepRecord stray = makeStep(ids[2], 0, u"a"_s, StepStatus::Completed, "3");
    stray.worker = u"w2"_s; // held by w1: refused
    batch.steps.append(stray);
    StepRecord administrative = makeStep(ids[3], 0, u"a"_s, StepStatus::Completed, "4");
    administrative.worker.clear(); // not guarded
    batch.steps.append(administrative);
    ERGON_TRY(refused, m_log->write(batch));
    QCOMPARE(refused, QSet<qint64>{ids[2]});
    for (int i : {0, 1, 3})
        QCOMPARE(stored(ids[i])->stepCount, 1);
    QCOMPARE(stored(ids[2])->stepCount, 0);
}

void TestExecutionLogWrites::write_completedStepIsNeverOverwritten()
{
    const qint64 id = flowIn(State::Running);
    LogBatch first;
    first.steps.append(makeStep(id, 0, u"charge"_s, StepStatus::Completed, R"({"payment":"p-1"})"));
    ERGON_TRY(refused, m_log->write(first));
    QVERIFY(refused.isEmpty());
    const QString before = stepsText(id);

    for (StepStatus status : {StepStatus::Completed, StepStatus::Running, StepStatus::Retrying, StepStatus::Failed}) {
        LogBatch again; // the holder records the same step again (it ran at least once more)
        StepRecord step = makeStep(id, 0, u"charge"_s, status, R"({"payment":"p-2"})");
        step.attempts = 2;
        step.error = u"late"_s;
        again.steps.append(step);
        ERGON_TRY(refusedAgain, m_log->write(again));
        QVERIFY(refusedAgain.isEmpty());
        QCOMPARE(stepsText(id), before);
    }
}

void TestExecutionLogWrites::write_unfinishedStepIsUpdated()
{
    const qint64 id = flowIn(State::Running);
    StepRecord step = makeStep(id, 0, u"charge"_s, StepStatus::Retrying);
    step.error = u"timeout"_s;
    step.nextAttemptAt = at(9);
    LogBatch first;
    first.steps.append(step);
    first.attempts.append(AttemptWrite{id, 0, AttemptRecord{1, at(1), at(2), u"timeout"_s, u"w1"_s}});
    ERGON_TRY(refused, m_log->write(first));
    QVERIFY(refused.isEmpty());

    step.status = StepStatus::Completed;
    step.resultJson = "\"p-1\"";
    step.error.clear();
    step.attempts = 2;
    step.finished = at(10);
    step.nextAttemptAt = QDateTime();
    LogBatch second;
    second.steps.append(step);
    second.attempts.append(AttemptWrite{id, 0, AttemptRecord{2, at(9), at(10), {}, u"w1"_s}});
    ERGON_TRY(refusedAgain, m_log->write(second));
    QVERIFY(refusedAgain.isEmpty());

    ERGON_TRY(steps, m_log->steps(id, true));
    QCOMPARE(steps.size(), 1);
    const StepRecord &got = steps.first();
    QCOMPARE(got.status, StepStatus::Completed);
    QCOMPARE(got.resultJson, QByteArray("\"p-1\""));
    QCOMPARE(got.error, QString());
    QCOMPARE(got.attempts, 2);
    QCOMPARE(got.finished, at(10));
    QVERIFY(!got.nextAttemptAt.isValid());
    QCOMPARE(got.attemptLog.size(), 2); // the failed attempt is kept
    QCOMPARE(got.attemptLog[0].error, u"timeout"_s);
    QCOMPARE(got.attemptLog[1].error, QString());
}

void TestExecutionLogWrites::write_stepsAndAttemptsRoundTrip()
{
    const qint64 id = flowIn(State::Running);
    StepRecord step;
    step.flowId = id;
    step.seq = 0;
    step.name = u"charge card"_s;
    step.occurrence = 0;
    step.inputHash = "0123456789abcdef0123456789abcdef01234567";
    step.kind = StepKind::Step;
    step.status = StepStatus::Completed;
    step.resultJson = R"({"amount":12.5,"ok":true,"text":"é ü"})";
    step.worker = u"w1"_s; // the holder of the flow
    step.attempts = 2;
    step.retryBase = 0;
    step.typeVersion = 4;
    step.started = at(1).addMSecs(123);
    step.finished = at(3).addMSecs(456);
    StepRecord timer;
    timer.flowId = id;
    timer.seq = 1;
    timer.name = u"cool-off"_s;
    timer.kind = StepKind::Timer;
    timer.status = StepStatus::Running;
    timer.worker = u"w1"_s;
    timer.typeVersion = 4;
    timer.started = at(4);
    timer.nextAttemptAt = at(3600);
    StepRecord again = step;
    again.seq = 2;
    again.occurrence = 1;
    again.attempts = 1;
    again.inputHash.clear();
    again.resultJson = "null";

    LogBatch batch;
    // Out of order on purpose: steps() returns them in run order.
    batch.steps = {again, timer, step};
    batch.attempts.append(
        AttemptWrite{id, 0, AttemptRecord{1, at(1).addMSecs(123), at(2), u"card declined"_s, u"worker-6"_s}});
    batch.attempts.append(
        AttemptWrite{id, 0, AttemptRecord{2, at(2).addMSecs(500), at(3).addMSecs(456), {}, u"worker-7"_s}});
    batch.attempts.append(AttemptWrite{id, 2, AttemptRecord{1, at(5), at(6), {}, u"worker-7"_s}});
    ERGON_TRY(refused, m_log->write(batch));
    QVERIFY(refused.isEmpty());

    ERGON_TRY(steps, m_log->steps(id, true));
    QCOMPARE(steps.size(), 3);
    step.attemptLog = {AttemptRecord{1, at(1).addMSecs(123), at(2), u"card declined"_s, u"worker-6"_s},
                       AttemptRecord{2, at(2).addMSecs(500), at(3).addMSecs(456), {}, u"worker-7"_s}};
    again.attemptLog = {AttemptRecord{1, at(5), at(6), {}, u"worker-7"_s}};
    QCOMPARE(describe(steps[0]), describe(step));
    QCOMPARE(describe(steps[1]), describe(timer));
    QCOMPARE(describe(steps[2]), describe(again));

    ERGON_TRY(plain, m_log->steps(id, false));
    QCOMPARE(plain.size(), 3);
    for (const StepRecord &s : plain)
        QVERIFY(s.attemptLog.isEmpty());
    QCOMPARE(describe(plain[0], false), describe(step, false));

    // The same attempt written twice (a retried commit) is kept once.
    LogBatch duplicate;
    duplicate.attempts.append(AttemptWrite{id, 2, AttemptRecord{1, at(5), at(6), {}, u"worker-7"_s}});
    ERGON_TRY(refusedAgain, m_log->write(duplicate));
    QVERIFY(refusedAgain.isEmpty());
    ERGON_TRY(afterDuplicate, m_log->steps(id, true));
    QCOMPARE(afterDuplicate[2].attemptLog.size(), 1);
}

void TestExecutionLogWrites::write_emptyBatch()
{
    const qint64 id = flowIn(State::Running);
    const QString before = storedText(id);
    ERGON_TRY(refused, m_log->write(LogBatch()));
    QVERIFY(refused.isEmpty());
    QCOMPARE(storedText(id), before);
}

QTEST_GUILESS_MAIN(TestExecutionLogWrites)
#include "tst_executionlog_writes.moc"
