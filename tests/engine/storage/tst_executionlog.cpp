// The storage conformance suite: one set of rules that every ExecutionLog backend must follow,
// run once per backend listed in ergon::test::backends() (global data rows).

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/executionlog.h>
#include <ergon/jsontext.h>

#include <QTest>

Q_DECLARE_METATYPE(std::optional<ergon::FlowStatus>)

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {
const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

QDateTime at(qint64 seconds)
{
    return t0.addSecs(seconds);
}

/// A clock that reads at(seconds).
FakeClock clockAt(qint64 seconds)
{
    return FakeClock(at(seconds));
}

NewFlow newFlow(const QString &type = u"orders.Process"_s, QJsonObject arguments = {})
{
    NewFlow flow;
    flow.type = type;
    flow.arguments = std::move(arguments);
    return flow;
}

StepRecord makeStep(qint64 flowId, int seq, const QString &name, StepStatus status, const QByteArray &result = {})
{
    StepRecord step;
    step.flowId = flowId;
    step.seq = seq;
    step.name = name;
    step.status = status;
    step.resultJson = result;
    step.attempts = 1;
    step.worker = u"w1"_s;
    step.started = at(1);
    if (status == StepStatus::Completed || status == StepStatus::Failed)
        step.finished = at(2);
    return step;
}

FlowUpdate makeUpdate(qint64 flowId, const QString &owner, FlowStatus status, const QDateTime &updated = at(5))
{
    FlowUpdate update;
    update.flowId = flowId;
    update.leaseOwner = owner;
    update.status = status;
    update.updated = updated;
    return update;
}
} // namespace

class TestExecutionLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void scheduleFlows_storesPendingFlowsInOrder();
    void scheduleFlows_storesPriorityAndRunAt();
    void scheduleFlows_idempotencyKeyReturnsExistingId();
    void scheduleFlows_idempotencyKeyWithinOneCall();
    void flow_unknownIdIsEmpty();
    void connections_seeEachOthersWrites();

    void flows_newestFirst();
    void flows_filters_data();
    void flows_filters();
    void flows_paging();
    void flows_amongIds_data();
    void flows_amongIds();
    void flows_amongManyIds();
    void flowTexts();
    void countByStatus();

    void claimFlow_data();
    void claimFlow();
    void claimFlow_unknownId();
    void claimFlow_onlyOneOfTwoOwners();

    void write_appliesUpdateOfTheHolder_data();
    void write_appliesUpdateOfTheHolder();
    void write_refusedWhenLeaseOwnerDiffers();
    void write_refusedAfterLeaseTakenOver();
    void write_refusedWhenCancelled();
    void write_guardsEachStepByItsOwnWorker();
    void write_refusalIsPerFlow();
    void write_completedStepIsNeverOverwritten();
    void write_unfinishedStepIsUpdated();
    void write_stepsAndAttemptsRoundTrip();
    void write_emptyBatch();

    void retryFlow_requeuesFailedStep_data();
    void retryFlow_requeuesFailedStep();
    void retryFlow_errors_data();
    void retryFlow_errors();

    void cancelFlow_data();
    void cancelFlow();
    void cancelFlow_errors_data();
    void cancelFlow_errors();

    // What workers use: prefetch claims, leases, stealing, timers, the workers table.
    void claimDue_ordersByPriorityThenDueTime();
    void claimDue_whatIsClaimable_data();
    void claimDue_whatIsClaimable();
    void claimDue_limit();
    void claimDue_typesFilter();
    void claimDue_prefetchedIsClaimedByItsOwnerOnly();
    void claimDueStarted_leasesStartsAndReturnsTheFlows();
    void claimDue_takesAnExpiredLeaseWithinASecond();
    void renewLeases();
    void releaseFlows();
    void stealFlows_takesHalfOfTheLongestQueue();
    void stealFlows_neverStartedFlows();
    void stealFlows_nothingToSteal();
    void upcoming();
    void workers_registerAndList();
    void workers_aReusedNameKeepsEveryRun();
    void workers_countersAloneAreWritten();
    void workers_forgetOnlyThoseNotAlive();
    void heartbeat_updatesAndMarksSilentWorkersLost();
    void effectiveStatus_data();
    void effectiveStatus();
    void pendingTimers();
    void fireTimerNow();
    void fireTimerNow_errors_data();
    void fireTimerNow_errors();
    void fireDueTimers();
    void fireAndClaimDue_leasesFiredFlowsToTheFiringWorker();
    void fireAndClaimDue_limitAndTypes();

private:
    enum class State { Pending, Running, Waiting, Completed, Failed, Cancelled };
    /// A stored flow brought into the given state the way the engine does it.
    qint64 flowIn(State state);
    /// A flow set up for a claim at at(100) (see claimFlow_data()).
    qint64 flowForClaim(const QString &setup);
    /// A flow parked on a timer: a completed step 'a', then the timer at seq 1.
    qint64 waitingFlow(const QString &timerName, const QDateTime &fireAt, const QString &type = u"orders.Process"_s);
    qint64 scheduled(int priority, const QDateTime &runAt, const QString &type = u"orders.Process"_s);
    std::optional<FlowRecord> stored(qint64 id);
    QString storedText(qint64 id);
    QString stepsText(qint64 id);

    std::unique_ptr<LogFixture> m_fixture;
    std::unique_ptr<ExecutionLog> m_log;
};

void TestExecutionLog::initTestCase_data()
{
    addBackendRows();
}

void TestExecutionLog::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fixture = makeLogFixture(backend);
    QVERIFY(m_fixture);
    auto log = m_fixture->open();
    QVERIFY2(log, qPrintable(log.errorString()));
    m_log = log.take();
}

void TestExecutionLog::cleanup()
{
    m_log.reset();
    m_fixture.reset();
}

qint64 TestExecutionLog::flowIn(State state)
{
    auto ids = m_log->scheduleFlows({newFlow()}, t0);
    if (!ids)
        return -1;
    const qint64 id = ids->first();
    if (state == State::Pending)
        return id;
    if (state == State::Cancelled)
        return m_log->cancelFlow(id, at(3)) ? id : -1;
    auto claimed = claimInCommit(*m_log, id, u"w1"_s, t0, at(60));
    if (!claimed || !*claimed)
        return -1;
    if (state == State::Running)
        return id;

    LogBatch batch;
    FlowUpdate update = makeUpdate(id, u"w1"_s, FlowStatus::Running, at(2));
    update.releaseLease = true;
    switch (state) {
    case State::Waiting:
        update.status = FlowStatus::Waiting;
        update.runAt = at(30);
        batch.steps.append(makeStep(id, 0, u"wait"_s, StepStatus::Running));
        batch.steps.last().kind = StepKind::Timer;
        batch.steps.last().nextAttemptAt = at(30);
        break;
    case State::Completed:
        update.status = FlowStatus::Completed;
        update.resultJson = "42";
        batch.steps.append(makeStep(id, 0, u"a"_s, StepStatus::Completed, "42"));
        break;
    case State::Failed: {
        update.status = FlowStatus::Failed;
        update.error = u"step 'b' failed: boom"_s;
        batch.steps.append(makeStep(id, 0, u"a"_s, StepStatus::Completed, "1"));
        StepRecord failed = makeStep(id, 1, u"b"_s, StepStatus::Failed);
        failed.attempts = 3;
        failed.error = u"boom"_s;
        batch.steps.append(failed);
        for (int n = 1; n <= 3; ++n)
            batch.attempts.append(AttemptWrite{id, 1, AttemptRecord{n, at(n), at(n), u"boom"_s, u"w1"_s}});
        break;
    }
    default:
        return -1;
    }
    batch.flows.append(update);
    auto written = m_log->write(batch);
    return written && written->isEmpty() ? id : -1;
}

std::optional<FlowRecord> TestExecutionLog::stored(qint64 id)
{
    auto found = m_log->flow(id);
    if (!found) {
        qWarning("reading flow %lld: %s", id, qPrintable(found.errorString()));
        return std::nullopt;
    }
    return *found;
}

QString TestExecutionLog::storedText(qint64 id)
{
    const auto flow = stored(id);
    return flow ? describe(*flow) : u"(none)"_s;
}

QString TestExecutionLog::stepsText(qint64 id)
{
    auto steps = m_log->steps(id, true);
    return steps ? describe(*steps) : u"error: "_s + steps.errorString();
}

qint64 TestExecutionLog::flowForClaim(const QString &setup)
{
    // Claims are made at at(100); setups place their due time and lease around it.
    const QDateTime now = at(100);
    if (setup.startsWith(u"pending")) {
        NewFlow flow = newFlow();
        flow.runAt = setup == u"pending-due"_s ? at(99) : setup == u"pending-now"_s ? now : now.addMSecs(1);
        auto ids = m_log->scheduleFlows({flow}, t0);
        return ids ? ids->first() : -1;
    }
    if (setup.startsWith(u"waiting")) {
        const qint64 id = flowIn(State::Running);
        FlowUpdate update = makeUpdate(id, u"w1"_s, FlowStatus::Waiting, at(2));
        update.runAt = setup == u"waiting-due"_s ? at(50) : at(101);
        update.releaseLease = true;
        LogBatch batch;
        batch.flows.append(update);
        auto refused = m_log->write(batch);
        return refused && refused->isEmpty() ? id : -1;
    }
    if (setup.startsWith(u"running")) {
        auto ids = m_log->scheduleFlows({newFlow()}, t0);
        if (!ids)
            return -1;
        const QDateTime leaseUntil = setup == u"running-expired"_s ? at(99) : at(101);
        auto claimed = claimInCommit(*m_log, ids->first(), u"other"_s, t0, leaseUntil);
        return claimed && *claimed ? ids->first() : -1;
    }
    if (setup.startsWith(u"prefetched")) {
        auto ids = m_log->scheduleFlows({newFlow()}, t0);
        if (!ids)
            return -1;
        const QString owner = setup == u"prefetched-own"_s ? u"me"_s : u"other"_s;
        auto leased = m_log->claimDue(owner, at(1), at(101), 10);
        if (!leased || *leased != QList<qint64>{ids->first()})
            return -1;
        auto prefetched = m_log->flow(ids->first());
        if (!prefetched || !prefetched->has_value() || (*prefetched)->runStarted.isValid())
            return -1; // leased, not started
        return ids->first();
    }
    if (setup == u"completed"_s)
        return flowIn(State::Completed);
    if (setup == u"failed"_s)
        return flowIn(State::Failed);
    if (setup == u"cancelled"_s)
        return flowIn(State::Cancelled);
    return -1;
}

qint64 TestExecutionLog::waitingFlow(const QString &timerName, const QDateTime &fireAt, const QString &type)
{
    auto ids = m_log->scheduleFlows({newFlow(type)}, t0);
    if (!ids)
        return -1;
    const qint64 id = ids->first();
    auto claimed = claimInCommit(*m_log, id, u"w1"_s, t0, at(60));
    if (!claimed || !*claimed)
        return -1;
    LogBatch batch;
    batch.steps.append(makeStep(id, 0, u"a"_s, StepStatus::Completed, "1"));
    StepRecord timer = makeStep(id, 1, timerName, StepStatus::Running);
    timer.kind = StepKind::Timer;
    timer.attempts = 0;
    timer.nextAttemptAt = fireAt;
    batch.steps.append(timer);
    FlowUpdate update = makeUpdate(id, u"w1"_s, FlowStatus::Waiting, at(2));
    update.runAt = fireAt;
    update.releaseLease = true;
    batch.flows.append(update);
    auto refused = m_log->write(batch);
    return refused && refused->isEmpty() ? id : -1;
}

qint64 TestExecutionLog::scheduled(int priority, const QDateTime &runAt, const QString &type)
{
    NewFlow flow = newFlow(type);
    flow.priority = priority;
    flow.runAt = runAt;
    auto ids = m_log->scheduleFlows({flow}, t0);
    return ids ? ids->first() : -1;
}

void TestExecutionLog::scheduleFlows_storesPendingFlowsInOrder()
{
    NewFlow a = newFlow(u"orders.Process"_s, {{u"order"_s, u"A-1"_s}, {u"amount"_s, 12.5}});
    NewFlow b = newFlow(u"mail.Send"_s, {{u"to"_s, u"bob@example.org"_s}});
    b.typeVersion = 3;
    NewFlow c = newFlow(u"orders.Process"_s);

    ERGON_TRY(ids, m_log->scheduleFlows({a, b, c}, at(7)));
    QCOMPARE(ids.size(), 3);
    QVERIFY(ids[0] < ids[1] && ids[1] < ids[2]);

    const QList<NewFlow> scheduled{a, b, c};
    for (int i = 0; i < 3; ++i) {
        const auto flow = stored(ids[i]);
        QVERIFY(flow);
        QCOMPARE(flow->id, ids[i]);
        QCOMPARE(flow->type, scheduled[i].type);
        QCOMPARE(flow->typeVersion, scheduled[i].typeVersion);
        QCOMPARE(flow->arguments, scheduled[i].arguments);
        QCOMPARE(flow->status, FlowStatus::Pending);
        QCOMPARE(flow->priority, 0);
        QCOMPARE(flow->runAt, at(7)); // no runAt: due at once
        QCOMPARE(flow->created, at(7));
        QCOMPARE(flow->updated, at(7));
        QVERIFY(!flow->finished.isValid());
        QVERIFY(flow->leaseOwner.isEmpty());
        QVERIFY(!flow->leaseExpires.isValid());
        QVERIFY(flow->resultJson.isEmpty());
        QVERIFY(flow->error.isEmpty());
        QCOMPARE(flow->stepCount, 0);
    }
    ERGON_TRY(steps, m_log->steps(ids[0], true));
    QVERIFY(steps.isEmpty());
}

void TestExecutionLog::scheduleFlows_storesPriorityAndRunAt()
{
    NewFlow flow = newFlow();
    flow.priority = 7;
    flow.runAt = at(3600);
    NewFlow urgent = newFlow();
    urgent.priority = -2;
    ERGON_TRY(ids, m_log->scheduleFlows({flow, urgent}, t0));
    const auto first = stored(ids[0]);
    const auto second = stored(ids[1]);
    QVERIFY(first && second);
    QCOMPARE(first->priority, 7);
    QCOMPARE(first->runAt, at(3600));
    QCOMPARE(second->priority, -2);
    QCOMPARE(second->runAt, t0);
}

void TestExecutionLog::scheduleFlows_idempotencyKeyReturnsExistingId()
{
    NewFlow first = newFlow(u"orders.Process"_s, {{u"order"_s, u"A-1"_s}});
    first.idempotencyKey = u"order-A-1"_s;
    ERGON_TRY(ids, m_log->scheduleFlows({first}, t0));
    const QString before = storedText(ids[0]);

    NewFlow again = newFlow(u"orders.Process"_s, {{u"order"_s, u"changed"_s}});
    again.idempotencyKey = u"order-A-1"_s;
    again.priority = 9;
    NewFlow other = newFlow();
    other.idempotencyKey = u"order-B-2"_s;
    ERGON_TRY(second, m_log->scheduleFlows({again, other}, at(10)));
    QCOMPARE(second.size(), 2);
    QCOMPARE(second[0], ids[0]);
    QVERIFY(second[1] != ids[0]);
    QCOMPARE(storedText(ids[0]), before); // the first flow is left as it was
    QCOMPARE(stored(second[1])->idempotencyKey, u"order-B-2"_s);

    ERGON_TRY(counts, m_log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Pending), 2);
}

void TestExecutionLog::scheduleFlows_idempotencyKeyWithinOneCall()
{
    NewFlow a = newFlow();
    a.idempotencyKey = u"same"_s;
    NewFlow b = newFlow(u"other.Type"_s);
    b.idempotencyKey = u"same"_s;
    ERGON_TRY(ids, m_log->scheduleFlows({a, b}, t0));
    QCOMPARE(ids.size(), 2);
    QCOMPARE(ids[1], ids[0]);
    ERGON_TRY(all, m_log->flows(FlowQuery()));
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().type, u"orders.Process"_s);
}

void TestExecutionLog::flow_unknownIdIsEmpty()
{
    ERGON_TRY(found, m_log->flow(4242));
    QVERIFY(!found.has_value());
    ERGON_TRY(steps, m_log->steps(4242, true));
    QVERIFY(steps.isEmpty());
}

void TestExecutionLog::connections_seeEachOthersWrites()
{
    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    ERGON_TRY(other, m_fixture->open());
    ERGON_TRY(seen, other->flow(id));
    QVERIFY(seen.has_value());
    QCOMPARE(describe(*seen), storedText(id));
    ERGON_VERIFY_OK(other->cancelFlow(id, at(9)));
    QCOMPARE(stored(id)->status, FlowStatus::Cancelled);
}

void TestExecutionLog::flows_newestFirst()
{
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i) {
        ERGON_TRY(scheduled, m_log->scheduleFlows({newFlow()}, at(i)));
        ids.append(scheduled.first());
    }
    ERGON_TRY(listed, m_log->flows(FlowQuery()));
    QList<qint64> listedIds;
    for (const FlowRecord &flow : listed)
        listedIds.append(flow.id);
    std::reverse(ids.begin(), ids.end());
    QCOMPARE(listedIds, ids);
}

void TestExecutionLog::flows_filters_data()
{
    QTest::addColumn<std::optional<FlowStatus>>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected"); // the names of the matching flows, newest first

    const std::optional<FlowStatus> any;
    QTest::newRow("no filter") << any << QString() << QString()
                               << QStringList{u"ff"_s, u"fe"_s, u"fd"_s, u"fc"_s, u"fb"_s, u"fa"_s};
    QTest::newRow("status pending") << std::optional(FlowStatus::Pending) << QString() << QString()
                                    << QStringList{u"ff"_s, u"fc"_s, u"fb"_s};
    QTest::newRow("status cancelled") << std::optional(FlowStatus::Cancelled) << QString() << QString()
                                      << QStringList{u"fd"_s};
    QTest::newRow("status failed, none") << std::optional(FlowStatus::Failed) << QString() << QString()
                                         << QStringList();
    QTest::newRow("type") << any << u"mail.Send"_s << QString() << QStringList{u"fe"_s, u"fb"_s};
    QTest::newRow("type and status") << std::optional(FlowStatus::Pending) << u"mail.Send"_s << QString()
                                     << QStringList{u"fb"_s};
    QTest::newRow("text in arguments") << any << QString() << u"alice"_s << QStringList{u"fc"_s, u"fa"_s};
    QTest::newRow("text is case-insensitive") << any << QString() << u"ALICE"_s << QStringList{u"fc"_s, u"fa"_s};
    QTest::newRow("text with %") << any << QString() << u"50%"_s << QStringList{u"ff"_s};
    QTest::newRow("text with _") << any << QString() << u"a_b"_s << QStringList{u"fe"_s};
    QTest::newRow("text and type") << any << u"orders.Process"_s << u"alice"_s << QStringList{u"fc"_s, u"fa"_s};
    QTest::newRow("text matches nothing") << any << QString() << u"zebra"_s << QStringList();
}

void TestExecutionLog::flows_filters()
{
    QFETCH(std::optional<FlowStatus>, status);
    QFETCH(QString, type);
    QFETCH(QString, text);
    QFETCH(QStringList, expected);

    const QString orders = u"orders.Process"_s;
    const QString mail = u"mail.Send"_s;
    const QList<NewFlow> flows{
        newFlow(orders, {{u"name"_s, u"fa"_s}, {u"customer"_s, u"alice"_s}}),
        newFlow(mail, {{u"name"_s, u"fb"_s}, {u"to"_s, u"bob"_s}}),
        newFlow(orders, {{u"name"_s, u"fc"_s}, {u"customer"_s, u"Alice Smith"_s}}),
        newFlow(orders, {{u"name"_s, u"fd"_s}, {u"customer"_s, u"carol"_s}}),
        newFlow(mail, {{u"name"_s, u"fe"_s}, {u"note"_s, u"a_b"_s}}),
        newFlow(orders, {{u"name"_s, u"ff"_s}, {u"note"_s, u"50% off, axb"_s}}),
    };
    ERGON_TRY(ids, m_log->scheduleFlows(flows, t0));
    ERGON_TRY(claimed1, claimInCommit(*m_log, ids[0], u"w1"_s, t0, at(60)));
    QVERIFY(claimed1);
    ERGON_TRY(claimed5, claimInCommit(*m_log, ids[4], u"w1"_s, t0, at(60)));
    QVERIFY(claimed5);
    ERGON_VERIFY_OK(m_log->cancelFlow(ids[3], t0));

    FlowQuery query;
    query.status = status;
    query.type = type;
    query.text = text;
    ERGON_TRY(listed, m_log->flows(query));
    QStringList names;
    for (const FlowRecord &flow : listed)
        names.append(flow.arguments.value(u"name"_s).toString());
    QCOMPARE(names, expected);

    // The id is matched as a whole.
    FlowQuery byId;
    byId.text = QString::number(ids[2]);
    ERGON_TRY(found, m_log->flows(byId));
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().id, ids[2]);
}

void TestExecutionLog::flows_paging()
{
    QList<qint64> ids;
    for (int i = 0; i < 7; ++i) {
        ERGON_TRY(scheduled, m_log->scheduleFlows({newFlow(i % 2 ? u"odd"_s : u"even"_s)}, t0));
        ids.prepend(scheduled.first());
    }
    QList<qint64> paged;
    for (int offset = 0; offset < 9; offset += 3) {
        FlowQuery query;
        query.limit = 3;
        query.offset = offset;
        ERGON_TRY(page, m_log->flows(query));
        QCOMPARE(page.size(), offset < 6 ? 3 : 1);
        for (const FlowRecord &flow : page)
            paged.append(flow.id);
    }
    QCOMPARE(paged, ids);

    FlowQuery filtered;
    filtered.type = u"even"_s;
    filtered.limit = 2;
    filtered.offset = 1;
    ERGON_TRY(page, m_log->flows(filtered));
    // even flows, newest first: ids[0], ids[2], ids[4], ids[6]; skip one, take two.
    QCOMPARE(page.size(), 2);
    QCOMPARE(page[0].id, ids[2]);
    QCOMPARE(page[1].id, ids[4]);

    FlowQuery beyond;
    beyond.offset = 100;
    ERGON_TRY(empty, m_log->flows(beyond));
    QVERIFY(empty.isEmpty());
}

void TestExecutionLog::flows_amongIds_data()
{
    QTest::addColumn<QList<int>>("among"); // positions in the scheduled list; -1: an unknown id
    QTest::addColumn<std::optional<FlowStatus>>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QStringList>("expected"); // names, newest first

    const std::optional<FlowStatus> any;
    QTest::newRow("some, newest first") << QList<int>{0, 2, 5} << any << QString() << QString() << 0 << 100
                                        << QStringList{u"ff"_s, u"fc"_s, u"fa"_s};
    QTest::newRow("any order, repeats, unknown ids") << QList<int>{2, -1, 5, 0, 2} << any << QString() << QString() << 0
                                                     << 100 << QStringList{u"ff"_s, u"fc"_s, u"fa"_s};
    QTest::newRow("empty list: nothing") << QList<int>{} << any << QString() << QString() << 0 << 100 << QStringList();
    QTest::newRow("with status") << QList<int>{0, 1, 2, 3} << std::optional(FlowStatus::Pending) << QString()
                                 << QString() << 0 << 100 << QStringList{u"fc"_s, u"fb"_s};
    QTest::newRow("with type") << QList<int>{1, 2, 3, 4} << any << u"mail.Send"_s << QString() << 0 << 100
                               << QStringList{u"fe"_s, u"fb"_s};
    QTest::newRow("with text") << QList<int>{0, 1, 2, 3, 4, 5} << any << QString() << u"ALICE"_s << 0 << 100
                               << QStringList{u"fc"_s, u"fa"_s};
    QTest::newRow("offset and limit") << QList<int>{0, 1, 2, 3, 4, 5} << any << QString() << QString() << 1 << 3
                                      << QStringList{u"fe"_s, u"fd"_s, u"fc"_s};
    QTest::newRow("offset beyond") << QList<int>{0, 1} << any << QString() << QString() << 2 << 3 << QStringList();
}

void TestExecutionLog::flows_amongIds()
{
    QFETCH(QList<int>, among);
    QFETCH(std::optional<FlowStatus>, status);
    QFETCH(QString, type);
    QFETCH(QString, text);
    QFETCH(int, offset);
    QFETCH(int, limit);
    QFETCH(QStringList, expected);

    const QString orders = u"orders.Process"_s;
    const QString mail = u"mail.Send"_s;
    const QList<NewFlow> flows{
        newFlow(orders, {{u"name"_s, u"fa"_s}, {u"customer"_s, u"alice"_s}}),
        newFlow(mail, {{u"name"_s, u"fb"_s}}),
        newFlow(orders, {{u"name"_s, u"fc"_s}, {u"customer"_s, u"Alice Smith"_s}}),
        newFlow(orders, {{u"name"_s, u"fd"_s}}),
        newFlow(mail, {{u"name"_s, u"fe"_s}}),
        newFlow(orders, {{u"name"_s, u"ff"_s}}),
    };
    ERGON_TRY(ids, m_log->scheduleFlows(flows, t0));
    ERGON_TRY(claimed, claimInCommit(*m_log, ids[0], u"w1"_s, t0, at(60)));
    QVERIFY(claimed);
    ERGON_VERIFY_OK(m_log->cancelFlow(ids[3], t0));

    FlowQuery query;
    query.ids = QList<qint64>();
    for (const int position : among)
        query.ids->append(position < 0 ? ids.last() + 1000 : ids[position]);
    query.status = status;
    query.type = type;
    query.text = text;
    query.offset = offset;
    query.limit = limit;
    ERGON_TRY(listed, m_log->flows(query));
    QStringList names;
    for (const FlowRecord &flow : listed)
        names.append(flow.arguments.value(u"name"_s).toString());
    QCOMPARE(names, expected);
}

void TestExecutionLog::flows_amongManyIds()
{
    // More ids than one statement binds: offset and limit hold across the chunks.
    QList<NewFlow> flows;
    for (int i = 0; i < 700; ++i)
        flows.append(newFlow(i % 3 == 0 ? u"mail.Send"_s : u"orders.Process"_s, {{u"n"_s, i}}));
    ERGON_TRY(ids, m_log->scheduleFlows(flows, t0));
    QList<qint64> mail; // newest first
    for (int i = 699; i >= 0; --i) {
        if (i % 3 == 0)
            mail.append(ids[i]);
    }
    FlowQuery query;
    query.ids = ids; // oldest first: the log orders them
    query.type = u"mail.Send"_s;
    query.offset = 30;
    query.limit = 150;
    ERGON_TRY(page, m_log->flows(query));
    QList<qint64> listed;
    for (const FlowRecord &flow : page)
        listed.append(flow.id);
    QCOMPARE(listed, mail.mid(30, 150));

    query.type.clear();
    query.offset = 250;
    query.limit = 400;
    ERGON_TRY(all, m_log->flows(query));
    QCOMPARE(all.size(), 400);
    QCOMPARE(all.first().id, ids[699 - 250]);
    QCOMPARE(all.last().id, ids[699 - 250 - 399]);
}

void TestExecutionLog::flowTexts()
{
    ERGON_TRY(none, m_log->flowTexts(0, 10));
    QVERIFY(none.isEmpty());
    const QList<QJsonObject> arguments{
        {{u"order_id"_s, u"ORD-1"_s}, {u"amount"_s, 12.5}},
        {},
        {{u"note"_s, u"Ünïcode, 50% off"_s}},
    };
    QList<NewFlow> flows;
    for (const QJsonObject &args : arguments)
        flows.append(newFlow(u"orders.Process"_s, args));
    ERGON_TRY(ids, m_log->scheduleFlows(flows, t0));

    ERGON_TRY(all, m_log->flowTexts(0, 10));
    QCOMPARE(all.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(all[i].id, ids[i]);
        QCOMPARE(all[i].arguments, toJsonText(arguments[i]));
    }
    ERGON_TRY(after, m_log->flowTexts(ids[0], 1));
    QCOMPARE(after.size(), 1);
    QCOMPARE(after.first().id, ids[1]);
    ERGON_TRY(past, m_log->flowTexts(ids[2], 10));
    QVERIFY(past.isEmpty());
}

void TestExecutionLog::countByStatus()
{
    ERGON_TRY(none, m_log->countByStatus());
    QCOMPARE(none.value(FlowStatus::Pending), 0);

    const QList<State> states{State::Pending,   State::Pending,   State::Running, State::Waiting,  State::Completed,
                              State::Completed, State::Completed, State::Failed,  State::Cancelled};
    for (State state : states)
        QVERIFY(flowIn(state) > 0);
    ERGON_TRY(counts, m_log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Pending), 2);
    QCOMPARE(counts.value(FlowStatus::Running), 1);
    QCOMPARE(counts.value(FlowStatus::Waiting), 1);
    QCOMPARE(counts.value(FlowStatus::Completed), 3);
    QCOMPARE(counts.value(FlowStatus::Failed), 1);
    QCOMPARE(counts.value(FlowStatus::Cancelled), 1);
    qint64 total = 0;
    for (qint64 count : counts)
        total += count;
    QCOMPARE(total, qint64(states.size()));
}

void TestExecutionLog::claimFlow_data()
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

void TestExecutionLog::claimFlow()
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

void TestExecutionLog::claimFlow_unknownId()
{
    ERGON_TRY(claimed, claimInCommit(*m_log, 999, u"me"_s, t0, at(60)));
    QVERIFY(!claimed);
}

void TestExecutionLog::claimFlow_onlyOneOfTwoOwners()
{
    ERGON_TRY(ids, m_log->scheduleFlows({newFlow()}, t0));
    ERGON_TRY(other, m_fixture->open());
    ERGON_TRY(first, claimInCommit(*m_log, ids[0], u"w1"_s, t0, at(60)));
    ERGON_TRY(second, claimInCommit(*other, ids[0], u"w2"_s, at(1), at(61)));
    QVERIFY(first);
    QVERIFY(!second);
    QCOMPARE(stored(ids[0])->leaseOwner, u"w1"_s);
}

void TestExecutionLog::write_appliesUpdateOfTheHolder_data()
{
    QTest::addColumn<FlowStatus>("status");
    QTest::addColumn<bool>("release");

    QTest::newRow("progress") << FlowStatus::Running << false;
    QTest::newRow("completed") << FlowStatus::Completed << true;
    QTest::newRow("failed") << FlowStatus::Failed << true;
    QTest::newRow("waiting") << FlowStatus::Waiting << true;
    QTest::newRow("handed back") << FlowStatus::Pending << true;
}

void TestExecutionLog::write_appliesUpdateOfTheHolder()
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

void TestExecutionLog::write_refusedWhenLeaseOwnerDiffers()
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

void TestExecutionLog::write_refusedAfterLeaseTakenOver()
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

void TestExecutionLog::write_refusedWhenCancelled()
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

void TestExecutionLog::write_refusalIsPerFlow()
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

void TestExecutionLog::write_guardsEachStepByItsOwnWorker()
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

void TestExecutionLog::write_completedStepIsNeverOverwritten()
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

void TestExecutionLog::write_unfinishedStepIsUpdated()
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

void TestExecutionLog::write_stepsAndAttemptsRoundTrip()
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

void TestExecutionLog::write_emptyBatch()
{
    const qint64 id = flowIn(State::Running);
    const QString before = storedText(id);
    ERGON_TRY(refused, m_log->write(LogBatch()));
    QVERIFY(refused.isEmpty());
    QCOMPARE(storedText(id), before);
}

void TestExecutionLog::retryFlow_requeuesFailedStep_data()
{
    QTest::addColumn<QString>("stepName");
    QTest::newRow("its failed step") << QString();
    QTest::newRow("the named step") << u"b"_s;
}

void TestExecutionLog::retryFlow_requeuesFailedStep()
{
    QFETCH(QString, stepName);
    const qint64 id = flowIn(State::Failed);
    QVERIFY(id > 0);
    ERGON_TRY(before, m_log->steps(id, true));
    QCOMPARE(before.size(), 2);

    ERGON_VERIFY_OK(m_log->retryFlow(id, stepName, at(3600)));

    const auto flow = stored(id);
    QVERIFY(flow);
    QCOMPARE(flow->status, FlowStatus::Pending);
    QCOMPARE(flow->error, QString());
    QCOMPARE(flow->runAt, at(3600));
    QCOMPARE(flow->updated, at(3600));
    QVERIFY(!flow->finished.isValid());
    QVERIFY(flow->leaseOwner.isEmpty());
    QVERIFY(!flow->leaseExpires.isValid());

    ERGON_TRY(after, m_log->steps(id, true));
    QCOMPARE(after.size(), 2);
    QCOMPARE(describe(after[0]), describe(before[0])); // the completed step stays, to be replayed
    const StepRecord &retried = after[1];
    QCOMPARE(retried.status, StepStatus::Retrying);
    QCOMPARE(retried.attempts, 3);
    QCOMPARE(retried.retryBase, 3); // a fresh budget: the policy counts from here
    QVERIFY(!retried.finished.isValid());
    QVERIFY(!retried.nextAttemptAt.isValid());
    QCOMPARE(retried.attemptLog.size(), 3); // the history is kept

    // Claimable again once due.
    ERGON_TRY(early, claimInCommit(*m_log, id, u"w2"_s, at(3599), at(3700)));
    QVERIFY(!early);
    ERGON_TRY(claimed, claimInCommit(*m_log, id, u"w2"_s, at(3600), at(3700)));
    QVERIFY(claimed);
}

void TestExecutionLog::retryFlow_errors_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("stepName");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("unknown id") << u"unknown"_s << QString() << u"not-found"_s << u"4242"_s;
    QTest::newRow("pending") << u"pending"_s << QString() << u"not-failed"_s << u"pending"_s;
    QTest::newRow("running") << u"running"_s << QString() << u"not-failed"_s << u"running"_s;
    QTest::newRow("waiting") << u"waiting"_s << QString() << u"not-failed"_s << u"waiting"_s;
    QTest::newRow("completed") << u"completed"_s << QString() << u"not-failed"_s << u"completed"_s;
    QTest::newRow("cancelled") << u"cancelled"_s << QString() << u"not-failed"_s << u"cancelled"_s;
    QTest::newRow("step that did not fail") << u"failed"_s << u"a"_s << u"not-found"_s << u"'a'"_s;
    QTest::newRow("no such step") << u"failed"_s << u"nope"_s << u"not-found"_s << u"'nope'"_s;
}

void TestExecutionLog::retryFlow_errors()
{
    QFETCH(QString, setup);
    QFETCH(QString, stepName);
    QFETCH(QString, kind);
    QFETCH(QString, mentions);

    static const QHash<QString, State> states{
        {u"pending"_s, State::Pending},     {u"running"_s, State::Running}, {u"waiting"_s, State::Waiting},
        {u"completed"_s, State::Completed}, {u"failed"_s, State::Failed},   {u"cancelled"_s, State::Cancelled},
    };
    qint64 id = 4242;
    if (setup != u"unknown"_s) {
        id = flowIn(states.value(setup));
        QVERIFY(id > 0);
    }
    const QString flowBefore = storedText(id);
    const QString stepsBefore = stepsText(id);

    const auto retried = m_log->retryFlow(id, stepName, at(50));
    QVERIFY(!retried);
    QCOMPARE(retried.error().kind(), kind);
    QVERIFY2(retried.errorString().contains(mentions), qPrintable(retried.errorString()));
    QVERIFY2(retried.errorString().contains(QString::number(id)), qPrintable(retried.errorString()));
    QCOMPARE(storedText(id), flowBefore);
    QCOMPARE(stepsText(id), stepsBefore);
}

void TestExecutionLog::cancelFlow_data()
{
    QTest::addColumn<int>("state");
    QTest::newRow("pending") << int(State::Pending);
    QTest::newRow("running") << int(State::Running);
    QTest::newRow("waiting") << int(State::Waiting);
}

void TestExecutionLog::cancelFlow()
{
    QFETCH(int, state);
    const qint64 id = flowIn(State(state));
    QVERIFY(id > 0);
    const QString stepsBefore = stepsText(id);

    ERGON_VERIFY_OK(m_log->cancelFlow(id, at(40)));
    const auto flow = stored(id);
    QVERIFY(flow);
    QCOMPARE(flow->status, FlowStatus::Cancelled);
    QCOMPARE(flow->finished, at(40));
    QCOMPARE(flow->updated, at(40));
    QVERIFY(flow->leaseOwner.isEmpty());
    QVERIFY(!flow->leaseExpires.isValid());
    QCOMPARE(stepsText(id), stepsBefore);

    // Nobody picks it up again, however late.
    ERGON_TRY(claimed, claimInCommit(*m_log, id, u"w9"_s, at(100000), at(100060)));
    QVERIFY(!claimed);
}

void TestExecutionLog::cancelFlow_errors_data()
{
    QTest::addColumn<int>("state"); // -1: unknown id
    QTest::addColumn<QString>("kind");
    QTest::newRow("unknown id") << -1 << u"not-found"_s;
    QTest::newRow("completed") << int(State::Completed) << u"finished"_s;
    QTest::newRow("failed") << int(State::Failed) << u"finished"_s;
    QTest::newRow("cancelled") << int(State::Cancelled) << u"finished"_s;
}

void TestExecutionLog::cancelFlow_errors()
{
    QFETCH(int, state);
    QFETCH(QString, kind);
    const qint64 id = state < 0 ? 4242 : flowIn(State(state));
    QVERIFY(id > 0);
    const QString before = storedText(id);
    const auto cancelled = m_log->cancelFlow(id, at(40));
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error().kind(), kind);
    QVERIFY2(cancelled.errorString().contains(QString::number(id)), qPrintable(cancelled.errorString()));
    QCOMPARE(storedText(id), before);
}

namespace {
WorkerRecord workerRecord(const QString &name, const QDateTime &heartbeat, WorkerStatus status = WorkerStatus::Alive)
{
    WorkerRecord worker;
    worker.name = name;
    worker.host = u"host-"_s + name;
    worker.pid = 4000 + name.size();
    worker.started = t0;
    worker.heartbeat = heartbeat;
    worker.concurrency = 4;
    worker.status = status;
    worker.leaseMs = 30000;
    return worker;
}

QString describe(const WorkerRecord &worker)
{
    return u"worker %1 host=%2 pid=%3 started=%4 heartbeat=%5 concurrency=%6 inFlight=%7 completed=%8 failed=%9 "
           "steals=%10 status=%11 leaseMs=%12"_s.arg(worker.name, worker.host)
               .arg(worker.pid)
               .arg(worker.started.toString(Qt::ISODateWithMs), worker.heartbeat.toString(Qt::ISODateWithMs))
               .arg(worker.concurrency)
               .arg(worker.inFlight)
               .arg(worker.completed)
               .arg(worker.failed)
               .arg(worker.steals)
               .arg(toString(worker.status))
               .arg(worker.leaseMs);
}

QSet<qint64> idsOf(const QList<StealRecord> &steals)
{
    QSet<qint64> ids;
    for (const StealRecord &steal : steals)
        ids.insert(steal.flowId);
    return ids;
}
} // namespace

void TestExecutionLog::claimDue_ordersByPriorityThenDueTime()
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

void TestExecutionLog::claimDue_takesAnExpiredLeaseWithinASecond()
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

void TestExecutionLog::claimDueStarted_leasesStartsAndReturnsTheFlows()
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

void TestExecutionLog::claimDue_whatIsClaimable_data()
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

void TestExecutionLog::claimDue_whatIsClaimable()
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
        // Leased to the claimer, not started: its run starts with a claim in a commit.
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

void TestExecutionLog::claimDue_limit()
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

void TestExecutionLog::claimDue_typesFilter()
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

void TestExecutionLog::claimDue_prefetchedIsClaimedByItsOwnerOnly()
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

void TestExecutionLog::renewLeases()
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

void TestExecutionLog::releaseFlows()
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

void TestExecutionLog::stealFlows_takesHalfOfTheLongestQueue()
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

void TestExecutionLog::stealFlows_neverStartedFlows()
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

void TestExecutionLog::stealFlows_nothingToSteal()
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

void TestExecutionLog::upcoming()
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

void TestExecutionLog::workers_registerAndList()
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

void TestExecutionLog::workers_aReusedNameKeepsEveryRun()
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

void TestExecutionLog::workers_countersAloneAreWritten()
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

void TestExecutionLog::workers_forgetOnlyThoseNotAlive()
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

void TestExecutionLog::heartbeat_updatesAndMarksSilentWorkersLost()
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

void TestExecutionLog::effectiveStatus_data()
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

void TestExecutionLog::effectiveStatus()
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

void TestExecutionLog::pendingTimers()
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

void TestExecutionLog::fireTimerNow()
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

void TestExecutionLog::fireDueTimers()
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

void TestExecutionLog::fireAndClaimDue_leasesFiredFlowsToTheFiringWorker()
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

void TestExecutionLog::fireAndClaimDue_limitAndTypes()
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

void TestExecutionLog::fireTimerNow_errors_data()
{
    QTest::addColumn<int>("state"); // -1: unknown id
    QTest::newRow("unknown id") << -1;
    QTest::newRow("pending") << int(State::Pending);
    QTest::newRow("running") << int(State::Running);
    QTest::newRow("completed") << int(State::Completed);
    QTest::newRow("cancelled") << int(State::Cancelled);
}

void TestExecutionLog::fireTimerNow_errors()
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

QTEST_GUILESS_MAIN(TestExecutionLog)
#include "tst_executionlog.moc"
