#include "session/consolecommands.h"

#include "ergon/executionlog.h"
#include "ergon/flowscheduler.h"
#include "ergon/worknotifier.h"

#include <QLocale>

#include <algorithm>

namespace ergon {

ConsoleCommands::ConsoleCommands(Opener opener, const FlowRegistry &registry, WorkNotifier *notifier, QObject *parent)
    : QObject(parent)
    , m_opener(std::move(opener))
    , m_registry(registry)
    , m_notifier(notifier)
{
}

ConsoleCommands::~ConsoleCommands() = default;

Result<void> ConsoleCommands::ensureOpen()
{
    if (m_log)
        return {};
    auto log = m_opener();
    if (!log)
        return log.error();
    m_log = log.take();
    m_scheduler = std::make_unique<FlowScheduler>(*m_log, m_registry, m_clock, m_notifier);
    return {};
}

void ConsoleCommands::schedule(const ScheduleRequest &request, int count)
{
    if (auto open = ensureOpen(); !open) {
        Q_EMIT failed(Command::Schedule, open.errorString());
        return;
    }
    count = std::max(count, 1);
    QList<qint64> ids;
    ids.reserve(count);
    Q_EMIT progress(Command::Schedule, 0, count);
    // Each batch is a transaction of its own: progress is real, and the workers start on the
    // first batch while the next is written. A refused batch stops the rest.
    while (ids.size() < count) {
        const int batch = std::min<int>(scheduleBatch, count - int(ids.size()));
        QList<ScheduleRequest> requests(batch, request);
        if (!request.idempotencyKey.isEmpty() && count > 1) {
            for (int i = 0; i < batch; ++i)
                requests[i].idempotencyKey =
                    QStringLiteral("%1-%2").arg(request.idempotencyKey).arg(ids.size() + i + 1);
        }
        auto stored = m_scheduler->scheduleMany(requests);
        if (!stored) {
            const QString done = ids.isEmpty() ? QString()
                                               : tr(" (%1 of %2 were scheduled before)")
                                                     .arg(QLocale().toString(ids.size()), QLocale().toString(count));
            Q_EMIT failed(Command::Schedule, stored.errorString() + done);
            if (!ids.isEmpty())
                Q_EMIT scheduled(ids);
            return;
        }
        ids.append(*stored);
        Q_EMIT progress(Command::Schedule, int(ids.size()), count);
    }
    Q_EMIT scheduled(ids);
    const QString summary = count == 1 ? tr("Scheduled flow %1 (%2).").arg(ids.first()).arg(request.type)
                                       : tr("Scheduled %1 flows of %2 (ids %3 to %4).")
                                             .arg(QLocale().toString(count), request.type)
                                             .arg(ids.first())
                                             .arg(ids.last());
    Q_EMIT finished(Command::Schedule, summary);
}

void ConsoleCommands::retry(const QList<qint64> &flowIds, const QString &stepName)
{
    forEachFlow(Command::Retry, flowIds, tr("Retried"),
                [this, stepName](qint64 id) { return m_scheduler->retry(id, stepName); });
}

void ConsoleCommands::cancel(const QList<qint64> &flowIds)
{
    forEachFlow(Command::Cancel, flowIds, tr("Cancelled"), [this](qint64 id) { return m_scheduler->cancel(id); });
}

void ConsoleCommands::fireTimersNow(const QList<qint64> &flowIds)
{
    // Each fired timer is named by its flow: "Fired 2 timers: flows 768, 771."
    const auto summary = [](QList<qint64> fired) {
        if (fired.size() == 1)
            return tr("Fired the timer of flow %1.").arg(fired.first());
        std::sort(fired.begin(), fired.end());
        return tr("Fired %1 timers: flows %2.").arg(QLocale().toString(fired.size()), flowList(fired));
    };
    bool any = false;
    QDateTime firedAt;
    forEachFlow(Command::FireTimer, flowIds, summary, [this, &any, &firedAt](qint64 id) -> Result<void> {
        firedAt = m_clock.now();
        auto fired = m_log->fireTimerNow(id, firedAt);
        any = any || fired.ok();
        return fired;
    });
    // One wake-up for them all.
    if (any && m_notifier)
        m_notifier->announce(firedAt);
}

QString ConsoleCommands::flowList(const QList<qint64> &flowIds)
{
    constexpr qsizetype shown = 10;
    QStringList ids;
    for (qsizetype i = 0; i < std::min(shown, flowIds.size()); ++i)
        ids.append(QString::number(flowIds.at(i)));
    QString text = ids.join(QStringLiteral(", "));
    if (flowIds.size() > shown)
        text += tr(" and %1 more").arg(QLocale().toString(flowIds.size() - shown));
    return text;
}

void ConsoleCommands::forgetWorkers(const QList<qint64> &runs)
{
    if (auto open = ensureOpen(); !open) {
        Q_EMIT failed(Command::ForgetWorkers, open.errorString());
        return;
    }
    auto forgotten = m_log->forgetWorkers(runs, m_clock.now());
    if (!forgotten) {
        Q_EMIT failed(Command::ForgetWorkers, tr("Workers not forgotten: %1").arg(forgotten.errorString()));
        return;
    }
    // A lost worker that came back meanwhile is kept.
    const int kept = int(runs.size()) - *forgotten;
    QString summary =
        *forgotten == 1 ? tr("Forgot 1 stopped worker.") : tr("Forgot %1 stopped workers.").arg(*forgotten);
    if (kept > 0)
        summary += QLatin1Char(' ') +
            (kept == 1 ? tr("1 was alive again and stays.") : tr("%1 were alive again and stay.").arg(kept));
    Q_EMIT finished(Command::ForgetWorkers, summary);
}

void ConsoleCommands::forEachFlow(Command command, const QList<qint64> &flowIds, const QString &verb,
                                  const std::function<Result<void>(qint64)> &action)
{
    forEachFlow(
        command, flowIds,
        [&verb](const QList<qint64> &done) {
            return done.size() == 1 ? tr("%1 flow %2.").arg(verb).arg(done.first())
                                    : tr("%1 %2 flows.").arg(verb, QLocale().toString(done.size()));
        },
        action);
}

void ConsoleCommands::forEachFlow(Command command, const QList<qint64> &flowIds, const Summary &summarize,
                                  const std::function<Result<void>(qint64)> &action)
{
    if (auto open = ensureOpen(); !open) {
        Q_EMIT failed(command, open.errorString());
        return;
    }
    QList<qint64> done;
    QStringList errors;
    for (const qint64 id : flowIds) {
        if (auto result = action(id))
            done.append(id);
        else
            errors.append(tr("flow %1: %2").arg(id).arg(result.errorString()));
        if (flowIds.size() > 1)
            Q_EMIT progress(command, int(done.size() + errors.size()), int(flowIds.size()));
    }
    if (done.isEmpty() && !errors.isEmpty()) {
        Q_EMIT failed(command, errors.join(QLatin1Char('\n')));
        return;
    }
    QString summary = summarize(done);
    if (!errors.isEmpty())
        summary += QLatin1Char(' ') + tr("Not done for %n flow(s):", nullptr, int(errors.size())) + QLatin1Char('\n') +
            errors.join(QLatin1Char('\n'));
    Q_EMIT finished(command, summary);
}

} // namespace ergon
