#include "widgets/steptimeline.h"

#include "models/consoleformat.h"
#include "models/flowformat.h"

#include <QEvent>
#include <QHelpEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <cmath>

namespace ergon {

namespace {

constexpr int axisHeight = 22;
constexpr int margin = 6;

// A round tick distance (1, 2, 5 ms … 500 ms, 1, 2, 5, 10, 15, 30 s, the same in minutes, 1, 2,
// 3, 6, 12 h, days) that gives at most about `ticks` ticks over the span.
qint64 tickStep(qint64 spanMs, int ticks)
{
    static constexpr qint64 second = 1000, minute = 60 * second, hour = 60 * minute, day = 24 * hour;
    static constexpr qint64 steps[] = {1,           2,           5,           10,      20,         50,
                                       100,         200,         500,         second,  2 * second, 5 * second,
                                       10 * second, 15 * second, 30 * second, minute,  2 * minute, 5 * minute,
                                       10 * minute, 15 * minute, 30 * minute, hour,    2 * hour,   3 * hour,
                                       6 * hour,    12 * hour,   day,         2 * day, 7 * day};
    const qint64 raw = spanMs / std::max(1, ticks);
    for (const qint64 step : steps) {
        if (step >= raw)
            return step;
    }
    return (raw / (7 * day) + 1) * 7 * day;
}

QString attemptTip(const StepRecord &step, const AttemptRecord &attempt, const QDateTime &now)
{
    QString tip = StepTimeline::tr("%1 — attempt %2\n%3")
                      .arg(step.name)
                      .arg(attempt.number)
                      .arg(style::duration(attempt.started, attempt.finished.isValid() ? attempt.finished : now));
    if (!attempt.worker.isEmpty())
        tip += StepTimeline::tr(" on %1").arg(attempt.worker);
    if (!attempt.error.isEmpty())
        tip += QLatin1Char('\n') + attempt.error;
    return tip;
}

} // namespace

StepTimeline::StepTimeline(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

StepTimeline::~StepTimeline() = default;

void StepTimeline::setSteps(const QList<StepRecord> &steps, const QDateTime &now)
{
    m_steps = steps;
    m_now = now;
    rebuild();
    updateGeometry();
    update();
}

void StepTimeline::clear()
{
    setSteps({}, {});
}

void StepTimeline::rebuild()
{
    m_bars.clear();
    m_start = QDateTime();
    m_end = QDateTime();
    m_showNow = false;
    const auto extend = [this](const QDateTime &time) {
        if (!time.isValid())
            return;
        if (!m_start.isValid() || time < m_start)
            m_start = time;
        if (!m_end.isValid() || time > m_end)
            m_end = time;
    };

    for (int lane = 0; lane < m_steps.size(); ++lane) {
        const StepRecord &step = m_steps.at(lane);
        if (step.kind == StepKind::Timer) {
            const QDateTime fireAt = step.nextAttemptAt.isValid() ? step.nextAttemptAt : step.finished;
            const bool fired = step.status == StepStatus::Completed;
            Bar bar{lane, step.started, fireAt.isValid() ? fireAt : m_now,
                    fired ? Bar::Kind::TimerFired : Bar::Kind::TimerPending,
                    tr("Timer %1\n%2, fires at %3")
                        .arg(step.name, style::duration(step.started, fireAt), flowformat::preciseTime(fireAt))};
            extend(bar.from);
            extend(bar.to);
            m_showNow = m_showNow || !fired;
            m_bars.append(bar);
            continue;
        }
        QList<AttemptRecord> attempts = step.attemptLog;
        if (attempts.isEmpty() && step.started.isValid()) {
            AttemptRecord only;
            only.number = std::max(1, step.attempts);
            only.started = step.attemptStarted.isValid() ? step.attemptStarted : step.started;
            only.finished = step.finished;
            only.error = step.status == StepStatus::Failed ? step.error : QString();
            only.worker = step.worker;
            attempts.append(only);
        }
        // A step that is running its next attempt has it in no attempt row yet.
        if (step.status == StepStatus::Running && step.attemptStarted.isValid() &&
            (attempts.isEmpty() || attempts.constLast().started < step.attemptStarted)) {
            AttemptRecord current;
            current.number = step.attempts;
            current.started = step.attemptStarted;
            current.worker = step.worker;
            attempts.append(current);
        }
        for (qsizetype i = 0; i < attempts.size(); ++i) {
            const AttemptRecord &attempt = attempts.at(i);
            if (!attempt.started.isValid())
                continue;
            const QDateTime end = attempt.finished.isValid() ? attempt.finished : m_now;
            const Bar::Kind kind = !attempt.error.isEmpty() ? Bar::Kind::Failed
                : attempt.finished.isValid()                ? Bar::Kind::Succeeded
                                                            : Bar::Kind::Running;
            m_showNow = m_showNow || kind == Bar::Kind::Running;
            if (i > 0 && attempts.at(i - 1).finished.isValid()) {
                m_bars.append(Bar{lane, attempts.at(i - 1).finished, attempt.started, Bar::Kind::Backoff,
                                  tr("%1 — back-off %2")
                                      .arg(step.name, style::duration(attempts.at(i - 1).finished, attempt.started))});
            }
            m_bars.append(Bar{lane, attempt.started, end, kind, attemptTip(step, attempt, m_now)});
            extend(attempt.started);
            extend(end);
        }
        if (step.status == StepStatus::Retrying && step.nextAttemptAt.isValid() && !attempts.isEmpty() &&
            attempts.constLast().finished.isValid()) {
            m_bars.append(
                Bar{lane, attempts.constLast().finished, step.nextAttemptAt, Bar::Kind::Backoff,
                    tr("%1 — next attempt at %2").arg(step.name, flowformat::preciseTime(step.nextAttemptAt))});
            extend(step.nextAttemptAt);
            m_showNow = true;
        }
    }
    if (m_showNow && m_now.isValid())
        extend(m_now);
}

int StepTimeline::laneHeight() const
{
    return fontMetrics().height() + 8;
}

int StepTimeline::labelWidth() const
{
    int widest = 0;
    for (const StepRecord &step : m_steps)
        widest = std::max(widest, fontMetrics().horizontalAdvance(step.name));
    return std::min(widest + 2 * margin, std::max(80, width() / 3));
}

QRect StepTimeline::plotRect() const
{
    const int left = labelWidth();
    return QRect(left, margin, std::max(10, width() - left - 2 * margin), int(m_steps.size()) * laneHeight());
}

qreal StepTimeline::xOf(const QDateTime &time, const QRect &plot) const
{
    const qint64 span = std::max<qint64>(1, m_start.msecsTo(m_end));
    return plot.left() + qreal(m_start.msecsTo(time)) * plot.width() / qreal(span);
}

QRectF StepTimeline::barRect(const Bar &bar, const QRect &plot) const
{
    const int lane = laneHeight();
    const qreal top = plot.top() + bar.lane * lane;
    const qreal x1 = xOf(bar.from, plot);
    const qreal x2 = std::max(xOf(bar.to, plot), x1 + 3.0); // an instant is still visible
    if (bar.kind == Bar::Kind::Backoff)
        return QRectF(x1, top + lane / 2.0 - 1.0, x2 - x1, 2.0);
    return QRectF(x1, top + 3.0, x2 - x1, lane - 6.0);
}

int StepTimeline::heightForLanes(int lanes) const
{
    return margin + std::max(1, lanes) * laneHeight() + axisHeight;
}

QSize StepTimeline::sizeHint() const
{
    return QSize(360, heightForLanes(int(m_steps.size())));
}

QSize StepTimeline::minimumSizeHint() const
{
    return QSize(160, sizeHint().height());
}

void StepTimeline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QRect plot = plotRect();
    const QColor muted = pal.color(QPalette::PlaceholderText);

    if (m_steps.isEmpty() || !m_start.isValid()) {
        painter.setPen(muted);
        painter.drawText(rect(), Qt::AlignCenter, tr("No steps yet"));
        return;
    }

    // Lanes: alternating backgrounds and the step names.
    const int lane = laneHeight();
    for (int i = 0; i < m_steps.size(); ++i) {
        const QRect row(0, plot.top() + i * lane, width(), lane);
        if (i % 2 == 1)
            painter.fillRect(row, pal.color(QPalette::AlternateBase));
        painter.setPen(pal.color(QPalette::Text));
        const QRect label(margin, row.top(), plot.left() - 2 * margin, lane);
        painter.drawText(label, Qt::AlignVCenter | Qt::AlignLeft,
                         fontMetrics().elidedText(m_steps.at(i).name, Qt::ElideRight, label.width()));
    }

    // Axis: ticks at nice distances from the first start.
    const qint64 span = std::max<qint64>(1, m_start.msecsTo(m_end));
    const qint64 step = tickStep(span, std::max(2, plot.width() / 90));
    painter.setPen(muted);
    const int axisY = plot.bottom() + 4;
    for (qint64 t = 0; t <= span; t += step) {
        const qreal x = plot.left() + qreal(t) * plot.width() / qreal(span);
        painter.setPen(QPen(muted, 1, Qt::DotLine));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter.setPen(muted);
        const QString text =
            t == 0 ? QStringLiteral("0") : QStringLiteral("+") + style::duration(std::chrono::milliseconds(t));
        const int w = fontMetrics().horizontalAdvance(text);
        const qreal left = std::clamp(x - w / 2.0, qreal(plot.left() - margin), qreal(width() - w - 1));
        painter.drawText(QPointF(left, axisY + fontMetrics().ascent()), text);
    }

    // Bars.
    for (const Bar &bar : std::as_const(m_bars)) {
        const QRectF r = barRect(bar, plot);
        QColor color;
        switch (bar.kind) {
        case Bar::Kind::Succeeded:
            color = flowformat::statusColor(StepStatus::Completed, pal);
            break;
        case Bar::Kind::Failed:
            color = flowformat::statusColor(StepStatus::Failed, pal);
            break;
        case Bar::Kind::Running:
            color = flowformat::statusColor(StepStatus::Running, pal);
            break;
        case Bar::Kind::Backoff:
        case Bar::Kind::TimerPending:
        case Bar::Kind::TimerFired:
            color = flowformat::statusColor(FlowStatus::Waiting, pal);
            break;
        }
        if (bar.kind == Bar::Kind::TimerPending) {
            QColor fill = color;
            fill.setAlpha(60);
            painter.setPen(QPen(color, 1));
            painter.setBrush(fill);
            painter.drawRoundedRect(r, 3, 3);
            painter.setBrush(QBrush(color, Qt::BDiagPattern));
            painter.drawRoundedRect(r, 3, 3);
            continue;
        }
        painter.setPen(Qt::NoPen);
        if (bar.kind == Bar::Kind::TimerFired) {
            QColor fill = color;
            fill.setAlpha(140);
            color = fill;
        }
        painter.setBrush(color);
        painter.drawRoundedRect(r, bar.kind == Bar::Kind::Backoff ? 1 : 3, bar.kind == Bar::Kind::Backoff ? 1 : 3);
    }

    // Now, while something is still under way.
    if (m_showNow && m_now.isValid()) {
        const qreal x = xOf(m_now, plot);
        painter.setPen(QPen(pal.color(QPalette::Highlight), 1.5));
        painter.drawLine(QPointF(x, plot.top() - 2), QPointF(x, plot.bottom() + 2));
    }
}

QString StepTimeline::toolTipAt(const QPoint &pos) const
{
    const QRect plot = plotRect();
    // Bars drawn last are on top; a thin back-off line gets a little slack.
    for (auto it = m_bars.crbegin(); it != m_bars.crend(); ++it) {
        if (barRect(*it, plot).adjusted(-2, -4, 2, 4).contains(pos))
            return it->tip;
    }
    return {};
}

QRect StepTimeline::laneRect(int lane) const
{
    const QRect plot = plotRect();
    return QRect(plot.left(), plot.top() + lane * laneHeight(), plot.width(), laneHeight());
}

bool StepTimeline::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        if (const QString tip = toolTipAt(help->pos()); !tip.isEmpty()) {
            QToolTip::showText(help->globalPos(), tip, this);
            return true;
        }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}

void StepTimeline::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        updateGeometry();
    QWidget::changeEvent(event);
}

} // namespace ergon
