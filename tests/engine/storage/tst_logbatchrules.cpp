// The rules of applying a LogBatch (claims, then the lease decision, then steps, attempts and
// flow updates), on every backend (global data rows): all three apply them through one
// implementation (engine/src/storage/logbatchrules), and these tests pin what that decides
// where the backends used to differ. The conformance suite (tst_executionlog) has the rest.

#include "ergontest.h"
#include "logfixture.h"

#include "storage/logbatchrules.h"

#include <ergon/executionlog.h>

#include <QTest>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {
const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

QDateTime at(qint64 seconds)
{
    return t0.addSecs(seconds);
}

StepRecord makeStep(qint64 flowId, int seq, const QString &worker)
{
    StepRecord step;
    step.flowId = flowId;
    step.seq = seq;
    step.name = u"step-%1"_s.arg(seq);
    step.status = StepStatus::Completed;
    step.resultJson = QByteArray::number(seq);
    step.attempts = 1;
    step.worker = worker;
    step.started = at(1);
    step.finished = at(2);
    return step;
}

FlowUpdate makeUpdate(qint64 flowId, const QString &owner, FlowStatus status)
{
    FlowUpdate update;
    update.flowId = flowId;
    update.leaseOwner = owner;
    update.status = status;
    update.updated = at(5);
    return update;
}
} // namespace

class TestLogBatchRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void aClaimInTheBatchHoldsTheFlowForItsWrites();
    void aFailedClaimRefusesTheClaimersWrites();
    void aRefusedFlowLosesEveryWriteWhateverTheOrder_data();
    void aRefusedFlowLosesEveryWriteWhateverTheOrder();
    void anUpdateByANonHolderDropsTheStepsOfItsFlow();
    void attemptsOfAnEarlierHolderFollowTheirFlow();
    void refusalOfOneFlowLeavesTheOthers();
    void anUpdateAloneIsLeftToItsOwnGuard();

private:
    /// A pending flow, claimed by `owner` (lease until at(60)) unless the owner is empty.
    qint64 flowHeldBy(const QString &owner);
    QString flowText(qint64 id);
    QString stepsText(qint64 id);

    std::unique_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;
};

void TestLogBatchRules::initTestCase_data()
{
    addBackendRows();
}

void TestLogBatchRules::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fixture = makeLogFixture(backend);
    QVERIFY(m_fixture);
    auto log = m_fixture->open();
    QVERIFY2(log, qPrintable(log.errorString()));
    m_log = log.take();
}

void TestLogBatchRules::cleanup()
{
    m_log.reset();
    m_fixture.reset();
}

qint64 TestLogBatchRules::flowHeldBy(const QString &owner)
{
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    auto ids = m_log->scheduleFlows({flow}, t0);
    if (!ids)
        return -1;
    const qint64 id = ids->first();
    if (owner.isEmpty())
        return id;
    LogBatch claim;
    claim.claims.append(FlowClaim{id, owner, t0, at(60)});
    auto claimed = m_log->commit(claim);
    return claimed && claimed->claimed.contains(id) ? id : -1;
}

QString TestLogBatchRules::flowText(qint64 id)
{
    auto found = m_log->flow(id);
    if (!found)
        return u"error: "_s + found.errorString();
    return found->has_value() ? describe(**found) : u"(none)"_s;
}

QString TestLogBatchRules::stepsText(qint64 id)
{
    auto steps = m_log->steps(id, true);
    return steps ? describe(*steps) : u"error: "_s + steps.errorString();
}

void TestLogBatchRules::aClaimInTheBatchHoldsTheFlowForItsWrites()
{
    const qint64 id = flowHeldBy({});
    QVERIFY(id > 0);
    // Claims come first: the claimer's steps and update in the same batch are its own.
    LogBatch batch;
    batch.claims.append(FlowClaim{id, u"w1"_s, at(1), at(60)});
    batch.steps.append(makeStep(id, 0, u"w1"_s));
    FlowUpdate update = makeUpdate(id, u"w1"_s, FlowStatus::Completed);
    update.resultJson = "0";
    update.releaseLease = true;
    batch.flows.append(update);
    ERGON_TRY(outcome, m_log->commit(batch));
    QVERIFY(outcome.refused.isEmpty());
    QVERIFY(outcome.claimed.contains(id));
    ERGON_TRY(flow, m_log->flow(id));
    QVERIFY(flow);
    QCOMPARE(flow->status, FlowStatus::Completed);
    QCOMPARE(flow->stepCount, 1);
}

void TestLogBatchRules::aFailedClaimRefusesTheClaimersWrites()
{
    const qint64 id = flowHeldBy(u"w2"_s); // leased until at(60)
    QVERIFY(id > 0);
    const QString before = flowText(id);
    LogBatch batch;
    batch.claims.append(FlowClaim{id, u"w1"_s, at(1), at(60)});
    batch.steps.append(makeStep(id, 0, u"w1"_s));
    batch.flows.append(makeUpdate(id, u"w1"_s, FlowStatus::Running));
    ERGON_TRY(outcome, m_log->commit(batch));
    QVERIFY(outcome.claimed.isEmpty());
    QCOMPARE(outcome.refused, QSet<qint64>{id});
    QCOMPARE(flowText(id), before);
    QCOMPARE(stepsText(id), QString());
}

void TestLogBatchRules::aRefusedFlowLosesEveryWriteWhateverTheOrder_data()
{
    QTest::addColumn<bool>("administrativeFirst");
    QTest::newRow("administrative step first") << true;
    QTest::newRow("administrative step last") << false;
}

void TestLogBatchRules::aRefusedFlowLosesEveryWriteWhateverTheOrder()
{
    QFETCH(bool, administrativeFirst);
    const qint64 id = flowHeldBy(u"w1"_s);
    QVERIFY(id > 0);
    const QString before = flowText(id);

    // The lease decides for the flow, not for a row: a step that w2, which does not hold the
    // flow, writes refuses the flow's whole batch, the unguarded step beside it included, in
    // whichever order the two come.
    const StepRecord administrative = makeStep(id, 0, QString());
    const StepRecord stray = makeStep(id, 1, u"w2"_s);
    LogBatch batch;
    batch.steps =
        administrativeFirst ? QList<StepRecord>{administrative, stray} : QList<StepRecord>{stray, administrative};
    batch.attempts.append(AttemptWrite{id, 1, AttemptRecord{1, at(1), at(2), {}, u"w2"_s}});
    ERGON_TRY(refused, m_log->write(batch));
    QCOMPARE(refused, QSet<qint64>{id});
    QCOMPARE(stepsText(id), QString());
    QCOMPARE(flowText(id), before);
}

void TestLogBatchRules::anUpdateByANonHolderDropsTheStepsOfItsFlow()
{
    const qint64 id = flowHeldBy(u"w1"_s);
    QVERIFY(id > 0);
    const QString before = flowText(id);

    // The steps' writer holds the flow, the update's owner does not: the flow is refused as a
    // whole, so a refused flow never has half of its batch stored.
    LogBatch batch;
    batch.steps.append(makeStep(id, 0, u"w1"_s));
    batch.attempts.append(AttemptWrite{id, 0, AttemptRecord{1, at(1), at(2), {}, u"w1"_s}});
    FlowUpdate update = makeUpdate(id, u"intruder"_s, FlowStatus::Completed);
    update.resultJson = "0";
    update.releaseLease = true;
    batch.flows.append(update);
    ERGON_TRY(refused, m_log->write(batch));
    QCOMPARE(refused, QSet<qint64>{id});
    QCOMPARE(stepsText(id), QString());
    QCOMPARE(flowText(id), before);
}

void TestLogBatchRules::attemptsOfAnEarlierHolderFollowTheirFlow()
{
    const qint64 id = flowHeldBy(u"w2"_s);
    QVERIFY(id > 0);
    // An attempt's worker is history (w1 ran the first attempt before w2 took the flow over), not
    // the writer: it is written because w2, the step's writer, holds the flow.
    LogBatch batch;
    StepRecord step = makeStep(id, 0, u"w2"_s);
    step.attempts = 2;
    batch.steps.append(step);
    batch.attempts.append(AttemptWrite{id, 0, AttemptRecord{1, at(1), at(2), u"timeout"_s, u"w1"_s}});
    ERGON_TRY(refused, m_log->write(batch));
    QVERIFY(refused.isEmpty());
    ERGON_TRY(steps, m_log->steps(id, true));
    QCOMPARE(steps.size(), 1);
    // The first attempt, w1's, as written; the second is the step's own row (w2's).
    QCOMPARE(steps.first().attemptLog.size(), 2);
    QCOMPARE(steps.first().attemptLog.first().worker, u"w1"_s);
    QCOMPARE(steps.first().attemptLog.first().error, u"timeout"_s);
}

void TestLogBatchRules::refusalOfOneFlowLeavesTheOthers()
{
    const qint64 mine = flowHeldBy(u"w1"_s);
    const qint64 theirs = flowHeldBy(u"w2"_s);
    const qint64 unclaimed = flowHeldBy({});
    QVERIFY(mine > 0 && theirs > 0 && unclaimed > 0);
    const QString theirsBefore = flowText(theirs);

    // One group commit with w1's flow, w2's flow written by w1, and an administrative step of a
    // flow nobody holds (not guarded).
    LogBatch batch;
    batch.steps.append(makeStep(theirs, 0, u"w1"_s));
    batch.steps.append(makeStep(mine, 0, u"w1"_s));
    batch.steps.append(makeStep(unclaimed, 0, QString()));
    batch.flows.append(makeUpdate(mine, u"w1"_s, FlowStatus::Running));
    batch.flows.append(makeUpdate(theirs, u"w1"_s, FlowStatus::Running));
    ERGON_TRY(refused, m_log->write(batch));
    QCOMPARE(refused, QSet<qint64>{theirs});
    QCOMPARE(flowText(theirs), theirsBefore);
    QCOMPARE(stepsText(theirs), QString());
    ERGON_TRY(mineNow, m_log->flow(mine));
    QVERIFY(mineNow);
    QCOMPARE(mineNow->stepCount, 1);
    QCOMPARE(mineNow->updated, at(5));
    ERGON_TRY(unclaimedNow, m_log->flow(unclaimed));
    QVERIFY(unclaimedNow);
    QCOMPARE(unclaimedNow->stepCount, 1);
}

namespace {
/// A writer that accepts everything and records what the rules asked about leases.
class RecordingWriter : public ergon::detail::LogBatchWriter
{
public:
    QList<std::pair<QString, QList<qint64>>> asked;

    Result<std::optional<ClaimedFlow>> claim(const FlowClaim &) override { return std::optional<ClaimedFlow>{}; }
    Result<QList<qint64>> notHeldBy(const QString &writer, const QList<qint64> &flowIds) override
    {
        asked.append({writer, flowIds});
        return QList<qint64>{};
    }
    Result<void> writeStep(const StepRecord &) override { return {}; }
    Result<void> writeAttempt(const AttemptWrite &) override { return {}; }
    Result<bool> updateFlow(const FlowUpdate &) override { return true; }
    Result<std::optional<QByteArray>> takeSignal(qint64, const QString &, int, const QDateTime &) override
    {
        return std::optional<QByteArray>{};
    }
};
} // namespace

void TestLogBatchRules::anUpdateAloneIsLeftToItsOwnGuard()
{
    // Rule 2 asks about the flows whose writes must be decided together; a flow whose only
    // write is its update (a flow finishing after its steps were committed) is decided by the
    // update's guarded write, which every backend's updateFlow() carries.
    LogBatch batch;
    batch.steps.append(makeStep(1, 0, u"w1"_s));
    batch.flows.append(makeUpdate(1, u"w1"_s, FlowStatus::Completed)); // with its steps: asked once
    batch.flows.append(makeUpdate(2, u"w1"_s, FlowStatus::Completed)); // alone: not asked
    batch.attempts.append(AttemptWrite{3, 0, AttemptRecord{1, at(1), at(2), {}, u"w1"_s}});
    batch.flows.append(makeUpdate(3, u"w1"_s, FlowStatus::Running)); // with an attempt: asked
    batch.steps.append(makeStep(4, 0, u"w1"_s));
    batch.flows.append(makeUpdate(4, u"w2"_s, FlowStatus::Running)); // another writer's steps: asked
    batch.steps.append(makeStep(5, 0, QString()));
    batch.flows.append(makeUpdate(5, u"w2"_s, FlowStatus::Running)); // an administrative step: asked
    SignalWait wait;
    wait.step = makeStep(6, 0, u"w3"_s);
    wait.step.kind = StepKind::Signal;
    batch.signalWaits.append(wait); // a signal wait is asked about as a step is
    RecordingWriter writer;
    ERGON_TRY(outcome, ergon::detail::applyLogBatch(batch, writer));
    QVERIFY(outcome.refused.isEmpty());
    using Asked = QList<std::pair<QString, QList<qint64>>>;
    QCOMPARE(writer.asked, (Asked{{u"w1"_s, {1, 3, 4}}, {u"w3"_s, {6}}, {u"w2"_s, {4, 5}}}));
}

QTEST_GUILESS_MAIN(TestLogBatchRules)
#include "tst_logbatchrules.moc"
