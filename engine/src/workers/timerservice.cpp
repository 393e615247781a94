#include "workers/timerservice.h"

namespace ergon::detail {

TimerService::TimerService(Settings settings, LogOpener opener, Clock &clock, std::shared_ptr<WorkerCounters> counters)
    : m_settings(std::move(settings))
    , m_opener(std::move(opener))
    , m_clock(clock)
    , m_counters(std::move(counters))
    // Children, so that moveToThread() takes them along.
    , m_dueTimer(this)
    , m_refreshTimer(this)
{
    m_dueTimer.setSingleShot(true);
    m_dueTimer.setTimerType(Qt::PreciseTimer);
    m_refreshTimer.setInterval(m_settings.refresh);
    connect(&m_dueTimer, &QTimer::timeout, this, &TimerService::fire);
    connect(&m_refreshTimer, &QTimer::timeout, this, &TimerService::refresh);
}

TimerService::~TimerService() = default;

void TimerService::begin()
{
    if (!openLog())
        return;
    m_refreshTimer.start();
    refresh();
}

bool TimerService::openLog()
{
    auto log = m_opener();
    if (!log) {
        Q_EMIT problem(QStringLiteral("timers of %1: %2").arg(m_settings.owner, log.error().message()),
                       log.error().kind());
        // On a full disk the worker waits for space: so do its timers, opening again at every
        // refresh (the worker keeps the retries quiet).
        if (log.error().kind() == QLatin1String("full"))
            m_refreshTimer.start();
        return false;
    }
    m_log = log.take();
    return true;
}

void TimerService::end()
{
    m_dueTimer.stop();
    m_refreshTimer.stop();
    m_log.reset();
}

void TimerService::push(qint64 flowId, const QDateTime &due)
{
    QMetaObject::invokeMethod(
        this,
        [this, flowId, due] {
            if (!m_log)
                return;
            m_timers.push(flowId, due);
            arm();
        },
        Qt::QueuedConnection);
}

void TimerService::wakeAt(const QDateTime &due)
{
    QMetaObject::invokeMethod(
        this,
        [this, due] {
            if (!m_log)
                return;
            // An anonymous wake-up under a key of its own: under one shared key a later
            // announcement would replace an earlier one.
            m_timers.push(m_nextWakeKey--, due);
            arm();
        },
        Qt::QueuedConnection);
}

void TimerService::refresh()
{
    if (!m_log && (!m_refreshTimer.isActive() || !openLog()))
        return;
    m_clock.align(*m_log);
    const QDateTime now = m_clock.now();
    // Look a little further than the next refresh, so nothing falls due unseen in between.
    const QDateTime horizon = now.addMSecs(2 * m_settings.refresh.count() + 1000);
    auto upcoming = m_log->upcoming(now, horizon, 100000);
    if (!upcoming)
        return Q_EMIT problem(QStringLiteral("timers of %1: %2").arg(m_settings.owner, upcoming.error().message()),
                              upcoming.error().kind());
    for (const auto &[flowId, due] : std::as_const(*upcoming))
        m_timers.push(flowId, due);
    arm();
}

void TimerService::arm()
{
    const QDateTime next = m_timers.nextDue();
    if (!next.isValid()) {
        m_dueTimer.stop();
        return;
    }
    const qint64 wait = std::max<qint64>(0, m_clock.now().msecsTo(next));
    if (m_dueTimer.isActive() && m_dueTimer.remainingTime() <= wait)
        return;
    m_dueTimer.start(std::chrono::milliseconds(wait));
}

void TimerService::fire()
{
    if (!m_log)
        return;
    const QDateTime now = m_clock.now();
    // Only what is due by now: the fire statement compares with the same `now`, and a timer
    // taken early would not fire (a timer woken a little early re-arms for the rest).
    const QList<qint64> due = m_timers.takeDue(now);
    if (!due.isEmpty()) {
        // Fire at the due time even when every slot is busy; take what there is room for.
        const int room = std::max(0, m_settings.concurrency - m_counters->inFlight.load());
        auto fired =
            m_log->fireAndClaimDue(m_settings.owner, m_clock, m_settings.leaseDuration, room, m_settings.types);
        if (!fired)
            Q_EMIT problem(QStringLiteral("timers of %1: %2").arg(m_settings.owner, fired.error().message()),
                           fired.error().kind());
        Q_EMIT ticked(fired ? fired->claimed : QList<qint64>());
    }
    arm();
}

} // namespace ergon::detail
