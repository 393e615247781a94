#include "ergon/flowworker.h"

#include "workers/workerloop.h"

#include "ergon/clock.h"
#include "ergon/limits.h"
#include "ergon/worknotifier.h"

#include <QCoreApplication>
#include <QThread>

#include <algorithm>
#include <coroutine>
#include <memory>
#include <utility>

namespace ergon {

namespace {
std::chrono::milliseconds clamped(std::chrono::milliseconds value, const limits::Range &range)
{
    return std::chrono::milliseconds(std::clamp<qint64>(value.count(), range.min, range.max));
}

SystemClock &systemClock()
{
    // Stateless and safe from any thread.
    static SystemClock clock;
    return clock;
}

// Resumes the awaiting coroutine, on the thread the QThread object lives in, once the thread has
// finished. Not qCoro(thread, &QThread::finished): that signal's last parameter is the
// QPrivateSignal tag, which Qt passes as a null pointer, and QCoro 0.8 binds a reference to each
// argument (UndefinedBehaviorSanitizer: "reference binding to null pointer"). Nor
// qCoro(thread).waitForFinished(): it awaits the same signal inside QCoro's library, where the
// sanitizers do not look. A slot without parameters never touches the tag.
class ThreadFinished
{
public:
    explicit ThreadFinished(QThread *thread)
        : m_thread(thread)
    {
    }

    bool await_ready() const noexcept { return !m_thread || m_thread->isFinished(); }

    void await_suspend(std::coroutine_handle<> awaiting)
    {
        // Resumed once, whichever comes first: the signal, or the check below for a thread that
        // finished between await_ready() and the connection.
        auto resumed = std::make_shared<bool>(false);
        auto resume = [awaiting, resumed] {
            if (std::exchange(*resumed, true))
                return;
            awaiting.resume();
        };
        m_connection = QObject::connect(m_thread, &QThread::finished, m_thread, resume, Qt::QueuedConnection);
        if (m_thread->isFinished())
            QMetaObject::invokeMethod(m_thread, resume, Qt::QueuedConnection);
    }

    void await_resume() const { QObject::disconnect(m_connection); }

private:
    QThread *m_thread;
    QMetaObject::Connection m_connection;
};
} // namespace

WorkerHandle::WorkerHandle(QString name, std::shared_ptr<detail::WorkerCounters> counters)
    : m_name(std::move(name))
    , m_counters(std::move(counters))
{
}

WorkerHandle::~WorkerHandle()
{
    if (m_thread && m_thread->isRunning())
        abort();
    waitForThread();
}

bool WorkerHandle::isRunning() const
{
    return m_thread && m_thread->isRunning();
}

WorkerStats WorkerHandle::stats() const
{
    return WorkerStats{m_counters->completed, m_counters->failed, m_counters->steals, m_counters->inFlight,
                       m_counters->run};
}

QCoro::Task<> WorkerHandle::shutdown(std::chrono::milliseconds deadline)
{
    if (!isRunning())
        co_return;
    QPointer<QThread> thread = m_thread;
    if (m_loop)
        QMetaObject::invokeMethod(m_loop, [loop = m_loop, deadline] {
            if (loop)
                loop->beginShutdown(deadline);
        });
    co_await ThreadFinished(thread.data());
}

void WorkerHandle::shutdownAndWait(std::chrono::milliseconds deadline)
{
    if (isRunning() && m_loop)
        QMetaObject::invokeMethod(m_loop, [loop = m_loop, deadline] {
            if (loop)
                loop->beginShutdown(deadline);
        });
    waitForThread();
}

void WorkerHandle::abort()
{
    if (isRunning() && m_loop)
        QMetaObject::invokeMethod(m_loop, [loop = m_loop] {
            if (loop)
                loop->abortNow();
        });
    waitForThread();
}

void WorkerHandle::waitForThread()
{
    if (!m_thread)
        return;
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

FlowWorker::FlowWorker(LogOpener opener, const FlowRegistry &registry)
    : m_opener(std::move(opener))
    , m_registry(registry)
    , m_clock(&systemClock())
{
    m_config.name = QStringLiteral("worker-%1").arg(QCoreApplication::applicationPid());
}

FlowWorker &FlowWorker::withName(QString name)
{
    m_config.name = std::move(name);
    return *this;
}

FlowWorker &FlowWorker::withConcurrency(int flows)
{
    refuseOutOfRange(limits::check(flows, limits::concurrency));
    m_config.concurrency = int(std::clamp<qint64>(flows, limits::concurrency.min, limits::concurrency.max));
    return *this;
}

FlowWorker &FlowWorker::withPrefetch(int flows)
{
    refuseOutOfRange(limits::check(flows, limits::prefetch));
    m_config.prefetch = int(std::clamp<qint64>(flows, limits::prefetch.min, limits::prefetch.max));
    return *this;
}

FlowWorker &FlowWorker::withStealing(bool enabled)
{
    m_config.stealing = enabled;
    return *this;
}

FlowWorker &FlowWorker::withTimers(std::chrono::milliseconds refresh)
{
    m_config.timers = true;
    refuseOutOfRange(limits::check(refresh, limits::timerRefresh));
    m_config.timerRefresh = clamped(refresh, limits::timerRefresh);
    return *this;
}

FlowWorker &FlowWorker::withoutTimers()
{
    m_config.timers = false;
    return *this;
}

FlowWorker &FlowWorker::withPollInterval(std::chrono::milliseconds interval)
{
    refuseOutOfRange(limits::check(interval, limits::pollInterval));
    m_config.pollInterval = clamped(interval, limits::pollInterval);
    return *this;
}

FlowWorker &FlowWorker::withLeaseDuration(std::chrono::milliseconds duration)
{
    refuseOutOfRange(limits::check(duration, limits::lease));
    m_config.leaseDuration = clamped(duration, limits::lease);
    return *this;
}

void FlowWorker::refuseOutOfRange(const Result<void> &checked)
{
    if (!checked && !m_invalid)
        m_invalid = checked.error();
}

Result<void> FlowWorker::check() const
{
    if (m_invalid)
        return *m_invalid;
    return {};
}

FlowWorker &FlowWorker::withClock(Clock &clock)
{
    m_clock = &clock;
    return *this;
}

FlowWorker &FlowWorker::withNotifier(WorkNotifier *notifier)
{
    m_notifier = notifier;
    return *this;
}

std::unique_ptr<WorkerHandle> FlowWorker::start() const
{
    auto counters = std::make_shared<detail::WorkerCounters>();
    std::unique_ptr<WorkerHandle> handle(new WorkerHandle(m_config.name, counters));
    auto *thread = new QThread;
    thread->setObjectName(m_config.name);
    // A configuration out of range fails the start as a log that cannot be opened does: the
    // handle reports failed() with the reason, and the worker claims nothing.
    LogOpener opener = m_opener;
    if (m_invalid)
        opener = [error = *m_invalid]() -> Result<std::unique_ptr<ExecutionLog>> { return error; };
    auto *loop = new detail::WorkerLoop(m_config, std::move(opener), m_registry, *m_clock, counters);
    loop->moveToThread(thread);
    handle->m_thread = thread;
    handle->m_loop = loop;

    QObject::connect(thread, &QThread::started, loop, &detail::WorkerLoop::begin);
    // Direct: quit() is thread-safe, and a queued call would wait for the thread that owns the
    // QThread object, which may be blocked in waitForThread() (shutdownAndWait(), abort()).
    QObject::connect(loop, &detail::WorkerLoop::finished, thread, &QThread::quit, Qt::DirectConnection);
    // The loop (with its executor and its connection) is destroyed on its own thread.
    QObject::connect(thread, &QThread::finished, loop, &QObject::deleteLater);
    QObject::connect(loop, &detail::WorkerLoop::failed, handle.get(), &WorkerHandle::failed);
    QObject::connect(loop, &detail::WorkerLoop::halted, handle.get(), &WorkerHandle::halted);
    QObject::connect(loop, &detail::WorkerLoop::problem, handle.get(), &WorkerHandle::problem);
    QObject::connect(thread, &QThread::finished, handle.get(), &WorkerHandle::stopped);
    if (m_notifier)
        QObject::connect(m_notifier, &WorkNotifier::workAvailable, loop, &detail::WorkerLoop::wake);
    thread->start();
    return handle;
}

} // namespace ergon
