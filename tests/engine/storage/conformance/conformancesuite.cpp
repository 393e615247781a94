#include "conformancesuite.h"

using namespace Qt::StringLiterals;

namespace ergon::test {

NewFlow newFlow(const QString &type, QJsonObject arguments)
{
    NewFlow flow;
    flow.type = type;
    flow.arguments = std::move(arguments);
    return flow;
}

StepRecord makeStep(qint64 flowId, int seq, const QString &name, StepStatus status, const QByteArray &result)
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

FlowUpdate makeUpdate(qint64 flowId, const QString &owner, FlowStatus status, const QDateTime &updated)
{
    FlowUpdate update;
    update.flowId = flowId;
    update.leaseOwner = owner;
    update.status = status;
    update.updated = updated;
    return update;
}

WorkerRecord workerRecord(const QString &name, const QDateTime &heartbeat, WorkerStatus status)
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

void ConformanceSuite::initTestCase_data()
{
    addBackendRows();
}

void ConformanceSuite::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fixture = makeLogFixture(backend);
    QVERIFY(m_fixture);
    auto log = m_fixture->open();
    QVERIFY2(log, qPrintable(log.errorString()));
    m_log = log.take();
}

void ConformanceSuite::cleanup()
{
    m_log.reset();
    m_fixture.reset();
}

qint64 ConformanceSuite::flowIn(State state)
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

std::optional<FlowRecord> ConformanceSuite::stored(qint64 id)
{
    auto found = m_log->flow(id);
    if (!found) {
        qWarning("reading flow %lld: %s", id, qPrintable(found.errorString()));
        return std::nullopt;
    }
    return *found;
}

QString ConformanceSuite::storedText(qint64 id)
{
    const auto flow = stored(id);
    return flow ? describe(*flow) : u"(none)"_s;
}

QString ConformanceSuite::stepsText(qint64 id)
{
    auto steps = m_log->steps(id, true);
    return steps ? describe(*steps) : u"error: "_s + steps.errorString();
}

qint64 ConformanceSuite::flowForClaim(const QString &setup)
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

qint64 ConformanceSuite::waitingFlow(const QString &timerName, const QDateTime &fireAt, const QString &type)
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

qint64 ConformanceSuite::scheduled(int priority, const QDateTime &runAt, const QString &type)
{
    NewFlow flow = newFlow(type);
    flow.priority = priority;
    flow.runAt = runAt;
    auto ids = m_log->scheduleFlows({flow}, t0);
    return ids ? ids->first() : -1;
}

} // namespace ergon::test
