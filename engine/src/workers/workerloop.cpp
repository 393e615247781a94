#include "workers/workerloop.h"

#include "workers/timerservice.h"

#include "ergon/clock.h"
#include "ergon/flowregistry.h"

#include <QCoreApplication>
#include <QSysInfo>
#include <QThread>

namespace ergon::detail {

WorkerLoop::WorkerLoop(WorkerConfig config, LogOpener opener, const FlowRegistry &registry, Clock &clock,
                       std::shared_ptr<WorkerCounters> counters)
    : m_config(std::move(config))
    , m_opener(std::move(opener))
    , m_registry(registry)
    , m_alignedClock(clock)
    , m_clock(m_alignedClock)
    , m_counters(std::move(counters))
    // Children, so that moveToThread() takes them along: a timer left in the creating thread
    // can be neither started nor stopped from the worker's.
    , m_pollTimer(this)
    , m_heartbeatTimer(this)
    , m_deadlineTimer(this)
    , m_countersTimer(this)
    , m_spaceTimer(this)
{
    // Each type with its plugin here: flows another plugin scheduled are left to its workers.
    for (const FlowTypeInfo &type : m_registry.types())
        m_types.add(type.name, type.plugin);
    m_pollTimer.setInterval(m_config.pollInterval);
    m_heartbeatTimer.setInterval(
        std::max<std::chrono::milliseconds>(m_config.leaseDuration / 3, std::chrono::milliseconds(50)));
    m_deadlineTimer.setSingleShot(true);
    m_spaceTimer.setSingleShot(true);
    connect(&m_spaceTimer, &QTimer::timeout, this, &WorkerLoop::retryAfterFullDisk);
    m_countersTimer.setSingleShot(true);
    m_countersTimer.setInterval(m_config.countersInterval);
    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        // Runs cut off by a storage error (e.g. a lost connection) go back to the front of the
        // queue: the flow is still leased to us, and its claim checks that it still is.
        while (!m_interrupted.isEmpty())
            m_queue.push_front(m_interrupted.takeLast());
        fill();
    });
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &WorkerLoop::heartbeat);
    connect(&m_countersTimer, &QTimer::timeout, this, &WorkerLoop::writeCounters);
    connect(&m_deadlineTimer, &QTimer::timeout, this, [this] { finish(WorkerStatus::Stopped, true); });
}

void AlignedClock::align(ExecutionLog &log)
{
    const QDateTime before = m_base.now();
    const std::optional<QDateTime> server = log.serverNow();
    if (!server)
        return;
    // The server read its clock about half way through the round trip.
    const QDateTime after = m_base.now();
    m_offsetMs = before.addMSecs(before.msecsTo(after) / 2).msecsTo(*server);
}

WorkerLoop::~WorkerLoop()
{
    stopTimers();
    // The executor goes first: it abandons whatever still runs before the log closes.
    m_executor.reset();
    m_log.reset();
}

QDateTime WorkerLoop::leaseUntil() const
{
    return m_clock.now().addMSecs(m_config.leaseDuration.count());
}

WorkerRecord WorkerLoop::record() const
{
    WorkerRecord worker;
    worker.id = m_run;
    worker.name = m_config.name;
    worker.host = QSysInfo::machineHostName();
    worker.pid = QCoreApplication::applicationPid();
    worker.started = m_started;
    worker.heartbeat = m_clock.now();
    worker.concurrency = m_config.concurrency;
    worker.inFlight = int(m_running.size());
    worker.completed = m_counters->completed;
    worker.failed = m_counters->failed;
    worker.steals = m_counters->steals;
    worker.leaseMs = m_config.leaseDuration.count();
    worker.status = m_state == State::Stopped ? WorkerStatus::Stopped : WorkerStatus::Alive;
    return worker;
}

void WorkerLoop::begin()
{
    if (m_state != State::Starting)
        return;
    // A worker started on a full disk waits for space (waitForSpace() calls begin() again).
    if (!m_log) {
        auto log = m_opener();
        if (!log && log.error().kind() == QLatin1String("full"))
            return waitForSpace(log.error());
        if (!log) {
            m_state = State::Stopped;
            Q_EMIT failed(log.error().message());
            Q_EMIT finished();
            return;
        }
        m_log = log.take();
    }
    if (m_diskFull.isWaiting())
        (void)m_log->reclaimSpace(); // started on a full disk: its failure shows in the writes below
    m_alignedClock.align(*m_log);
    m_started = m_clock.now();
    auto registered = m_log->registerWorker(record());
    if (!registered) {
        if (registered.error().kind() == QLatin1String("full"))
            return waitForSpace(registered.error());
        m_state = State::Stopped;
        Q_EMIT failed(registered.error().message());
        Q_EMIT finished();
        return;
    }
    m_run = *registered;
    m_counters->run = m_run;
    // Flows still leased under this name belong to a predecessor of the same name that died
    // (a restarted service): nobody runs them, and our heartbeats would renew their leases for
    // ever. Hand them back at once.
    if (auto released = m_log->releaseFlows(m_config.name, m_started, false); !released) {
        if (released.error().kind() == QLatin1String("full"))
            return waitForSpace(released.error());
        report(released.error());
    }
    m_executor = std::make_unique<FlowExecutor>(*m_log, m_registry, m_clock, m_config.name);
    m_executor->setLeaseDuration(m_config.leaseDuration);
    m_executor->setWaitForTimers(false); // a waiting flow holds no slot and no coroutine
    // Shorter transactions than a lone executor's: the thread's precise timer waits for the
    // transaction in progress, and so does every other worker on the same database.
    m_executor->setMaxBatchSize(1000);
    m_state = State::Running;
    m_counters->running = true;
    // Across processes (PostgreSQL's LISTEN/NOTIFY): new work wakes this worker at once; the
    // poll stays as the fallback.
    m_log->setWorkListener([this](const QDateTime &due) { wake(due); });
    m_pollTimer.start();
    m_heartbeatTimer.start();
    if (m_config.timers)
        startTimers();
    fill();
}

void WorkerLoop::wake(const QDateTime &due)
{
    if (m_state != State::Running)
        return;
    if (due.isValid() && due > m_clock.now()) {
        if (m_timerService)
            m_timerService->wakeAt(due); // claim whatever is due then
        return;
    }
    scheduleFill();
}

void WorkerLoop::scheduleFill()
{
    if (m_fillScheduled)
        return;
    m_fillScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_fillScheduled = false;
            fill();
        },
        Qt::QueuedConnection);
}

void WorkerLoop::fill()
{
    // On a full disk only the retries claim (retryAfterFullDisk(), once the space timer fires).
    if (m_state != State::Running || m_spaceTimer.isActive())
        return;
    // Flows leased ahead go first, in the order they were claimed.
    while (int(m_running.size()) < m_config.concurrency && !m_queue.empty()) {
        const qint64 id = m_queue.front();
        m_queue.pop_front();
        startFlow(id);
    }
    if (!m_types.isEmpty()) {
        // Free slots take flows claimed and marked started in one transaction: their runs do
        // not claim them again (one transaction and one group-commit round less per flow).
        const int freeSlots = m_config.concurrency - int(m_running.size());
        if (freeSlots > 0) {
            auto started = m_executor->claimDue(freeSlots, m_types);
            if (!started)
                return report(started.error());
            for (ClaimedFlow &flow : *started)
                startClaimed(std::move(flow));
        }
        // The prefetch: leased ahead and not started, so that an idle worker may steal them.
        const int ahead = m_config.prefetch - int(m_queue.size());
        if (ahead > 0) {
            auto claimed = m_log->claimDue(m_config.name, m_clock.now(), leaseUntil(), ahead, m_types);
            if (!claimed)
                return report(claimed.error());
            for (const qint64 id : std::as_const(*claimed))
                m_queue.push_back(id);
        }
    }
    if (m_config.stealing && int(m_running.size()) < m_config.concurrency && m_queue.empty()) {
        const int room = m_config.concurrency - int(m_running.size());
        auto stolen = m_log->stealFlows(m_config.name, m_clock.now(), leaseUntil(), room, m_types);
        if (!stolen)
            return report(stolen.error());
        m_counters->steals += stolen->size();
        for (const StealRecord &steal : std::as_const(*stolen))
            startFlow(steal.flowId);
    }
}

void WorkerLoop::startFlow(qint64 flowId)
{
    if (markRunning(flowId))
        whenDone(flowId, m_executor->run(flowId));
}

void WorkerLoop::startClaimed(ClaimedFlow flow)
{
    const qint64 flowId = flow.record.id;
    if (markRunning(flowId))
        whenDone(flowId, m_executor->runClaimed(std::move(flow)));
}

bool WorkerLoop::markRunning(qint64 flowId)
{
    // A flow already running here is not started twice. The local queue can hold a flow that
    // runs already: a thief takes a queued flow without this worker knowing, and this worker
    // may take it back (a steal, an expired lease) while the old entry still waits in the
    // queue. Under one owner, both runs' claims would succeed.
    if (m_running.contains(flowId))
        return false;
    // Before the run starts: it runs at once up to its first durable point, and may even end
    // there (an unknown flow type), calling flowDone() before run() returns.
    m_running.insert(flowId);
    m_counters->inFlight = int(m_running.size());
    countersChanged();
    return true;
}

void WorkerLoop::whenDone(qint64 flowId, QCoro::Task<Result<FlowOutcome>> run)
{
    QCoro::connect(std::move(run), this,
                   [this, flowId](const Result<FlowOutcome> &outcome) { flowDone(flowId, outcome); });
}

void WorkerLoop::flowDone(qint64 flowId, const Result<FlowOutcome> &outcome)
{
    m_running.remove(flowId);
    m_counters->inFlight = int(m_running.size());
    if (outcome && !outcome->interrupted)
        m_diskFull.noteWritten(); // its last write went through
    // A flow found finished by someone else (e.g. the thief of a queued one) is not ours to count.
    if (outcome && outcome->ranHere) {
        if (outcome->status == FlowStatus::Completed)
            ++m_counters->completed;
        else if (outcome->status == FlowStatus::Failed)
            ++m_counters->failed;
        else if (outcome->status == FlowStatus::Waiting && m_timerService && outcome->wakeAt.isValid())
            m_timerService->push(flowId, outcome->wakeAt);
    }
    // A flow that could not be claimed (stolen, cancelled, taken over) is simply dropped. A run
    // cut off by a storage error (the database unreachable for a moment) would leave the flow
    // leased to this worker, its lease renewed by every heartbeat, and nobody running it: it is
    // tried again at the next poll, where its claim finds out whether it is still ours.
    const bool cutOff = outcome ? (outcome->interrupted && outcome->status == FlowStatus::Running)
                                : outcome.error().kind() != QLatin1String("not-claimable") &&
            outcome.error().kind() != QLatin1String("not-found");
    if (cutOff && m_state == State::Running)
        m_interrupted.append(flowId);
    countersChanged();
    const QString kind = outcome ? outcome->errorKind : outcome.error().kind();
    if (kind == QLatin1String("corrupt") || (kind == QLatin1String("full") && m_state == State::Running)) {
        if (!handle(Error(outcome ? outcome->error : outcome.error().message(), kind)))
            return;
    }
    if (m_state == State::Draining && m_running.isEmpty())
        return finish(WorkerStatus::Stopped, false);
    scheduleFill();
}

void WorkerLoop::heartbeat()
{
    if (m_state != State::Running && m_state != State::Draining)
        return;
    m_alignedClock.align(*m_log);
    const QDateTime now = m_clock.now();
    if (auto renewed = m_log->renewLeases(m_config.name, now, leaseUntil()); !renewed)
        return report(renewed.error());
    m_countersTimer.stop(); // the heartbeat writes them
    if (auto beat = m_log->heartbeat(record(), now); !beat)
        return report(beat.error());
    m_diskFull.noteWritten();
}

void WorkerLoop::countersChanged()
{
    // The first change starts the wait and later ones join it: one small write per interval
    // however many flows finish in it, and none while nothing changes.
    if (!m_countersTimer.isActive() && (m_state == State::Running || m_state == State::Draining))
        m_countersTimer.start();
}

void WorkerLoop::writeCounters()
{
    if (m_state != State::Running && m_state != State::Draining)
        return;
    if (auto written = m_log->updateWorkerCounters(record()); !written)
        report(written.error());
}

void WorkerLoop::startTimers()
{
    TimerService::Settings settings;
    settings.owner = m_config.name;
    settings.types = m_types;
    settings.concurrency = m_config.concurrency;
    settings.leaseDuration = m_config.leaseDuration;
    settings.refresh = m_config.timerRefresh;
    m_timerThread = new QThread;
    m_timerThread->setObjectName(m_config.name + QStringLiteral("-timers"));
    m_timerService = new TimerService(std::move(settings), m_opener, m_alignedClock.base(), m_counters);
    m_timerService->moveToThread(m_timerThread);
    connect(m_timerThread, &QThread::started, m_timerService, &TimerService::begin);
    connect(m_timerService, &TimerService::ticked, this, &WorkerLoop::timersTicked);
    // Queued (the service runs on its thread): its full disk and damaged file are the worker's.
    connect(m_timerService, &TimerService::problem, this, [this](const QString &error, const QString &kind) {
        if (kind == QLatin1String("corrupt") || kind == QLatin1String("full"))
            handle(Error(error, kind));
        else
            Q_EMIT problem(error);
    });
    m_timerThread->start();
}

void WorkerLoop::stopTimers()
{
    if (!m_timerThread)
        return;
    // The service closes its connection on its own thread; nothing it claims after this is
    // delivered (timersTicked() checks the state), and the caller releases what was queued.
    QMetaObject::invokeMethod(m_timerService, &TimerService::end, Qt::BlockingQueuedConnection);
    m_timerThread->quit();
    m_timerThread->wait();
    delete std::exchange(m_timerService, nullptr);
    delete std::exchange(m_timerThread, nullptr);
}

void WorkerLoop::timersTicked(const QList<qint64> &claimed)
{
    if (m_state != State::Running)
        return;
    // Leased to us by the tick that fired their timers: they go first.
    for (auto it = claimed.crbegin(); it != claimed.crend(); ++it)
        m_queue.push_front(*it);
    fill();
}

void WorkerLoop::beginShutdown(std::chrono::milliseconds deadline)
{
    if (m_state == State::Stopped || m_state == State::Draining)
        return;
    if (m_state == State::Starting)
        return finish(WorkerStatus::Stopped, false);
    m_state = State::Draining;
    m_pollTimer.stop();
    stopTimers(); // before the release below: the service leases flows to us
    m_queue.clear();
    // Prefetched flows go back at once; running ones at their next safe point.
    if (auto released = m_log->releaseFlows(m_config.name, m_clock.now(), true); !released)
        return report(released.error());
    m_executor->drain();
    if (m_running.isEmpty())
        return finish(WorkerStatus::Stopped, false);
    m_deadlineTimer.start(deadline);
}

void WorkerLoop::enterStopped()
{
    m_state = State::Stopped;
    m_counters->running = false;
    m_pollTimer.stop();
    m_heartbeatTimer.stop();
    m_spaceTimer.stop();
    m_countersTimer.stop();
    stopTimers();
    m_deadlineTimer.stop();
}

void WorkerLoop::abortNow()
{
    if (m_state == State::Stopped)
        return;
    enterStopped();
    m_executor.reset();
    m_log.reset();
    Q_EMIT finished();
}

void WorkerLoop::finish(WorkerStatus status, bool releaseAll)
{
    if (m_state == State::Stopped)
        return;
    enterStopped();
    m_executor.reset(); // abandons flows still running after the deadline
    if (m_log) {
        const QDateTime now = m_clock.now();
        // Errors here cannot be handled any better than by letting the leases expire.
        (void)m_log->releaseFlows(m_config.name, now, !releaseAll);
        WorkerRecord last = record();
        last.status = status;
        last.inFlight = 0;
        (void)m_log->heartbeat(last, now);
    }
    m_log.reset();
    Q_EMIT finished();
}

void WorkerLoop::report(const Error &error)
{
    handle(error);
}

bool WorkerLoop::handle(const Error &error)
{
    if (error.kind() == QLatin1String("corrupt")) {
        halt(error);
        return false;
    }
    if (error.kind() == QLatin1String("full") && (m_state == State::Running || m_state == State::Starting)) {
        waitForSpace(error);
        return true;
    }
    // A busy or briefly unreachable database is no reason to stop: the next poll, heartbeat
    // or refresh tries again, and leases cover the gap.
    Q_EMIT problem(QStringLiteral("worker %1: %2").arg(m_config.name, error.message()));
    return true;
}

void WorkerLoop::halt(const Error &error)
{
    if (m_state == State::Stopped)
        return;
    m_state = State::Stopped;
    m_counters->running = false;
    m_pollTimer.stop();
    m_heartbeatTimer.stop();
    m_spaceTimer.stop();
    m_deadlineTimer.stop();
    stopTimers();
    // Abandoned as a crash would: no hand-back, no last heartbeat. Whatever is written to a
    // damaged file may spread the damage; its leases expire on their own.
    m_executor.reset();
    m_log.reset();
    Q_EMIT halted(QStringLiteral("stopped claiming and wrote nothing more: %1").arg(error.message()));
    Q_EMIT finished();
}

void WorkerLoop::waitForSpace(const Error &error)
{
    if (m_diskFull.noteFull()) {
        Q_EMIT problem(QStringLiteral("worker %1: %2; waiting for space (trying again quietly, with back-off)")
                           .arg(m_config.name, error.message()));
    }
    m_pollTimer.stop();
    if (!m_spaceTimer.isActive())
        m_spaceTimer.start(m_diskFull.nextDelay());
}

void WorkerLoop::retryAfterFullDisk()
{
    if (m_state == State::Starting)
        return begin();
    if (m_state != State::Running)
        return;
    // Its own failure (the checkpoint needs a little room too) is met again by the writes below.
    (void)m_log->reclaimSpace();
    while (!m_interrupted.isEmpty())
        m_queue.push_front(m_interrupted.takeLast());
    fill();
    // No full disk on the way (it would have armed the space timer again): the poll goes on.
    if (m_state == State::Running && !m_spaceTimer.isActive())
        m_pollTimer.start();
}

} // namespace ergon::detail
