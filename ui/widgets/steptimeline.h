#pragma once

#include "ergon/records.h"

#include <QDateTime>
#include <QList>
#include <QWidget>

namespace ergon {

/// A flow's steps on a time axis: one lane per step, a bar per attempt (green when it
/// succeeded, red when it failed, blue while it runs), the back-off between attempts as a thin
/// line, and durable timers as hatched bars up to their fire time. Hover a bar for its details.
class StepTimeline : public QWidget
{
    Q_OBJECT

public:
    explicit StepTimeline(QWidget *parent = nullptr);
    ~StepTimeline() override;

    /// The steps of one flow as read at `now` (bars still running end at `now`).
    void setSteps(const QList<StepRecord> &steps, const QDateTime &now);
    void clear();

    /// The time span the axis covers (for tests): first start to last end.
    std::pair<QDateTime, QDateTime> span() const { return {m_start, m_end}; }
    int laneCount() const { return int(m_steps.size()); }

    /// What hovering at `pos` shows: the tooltip of the bar there (attempt, back-off, timer),
    /// or an empty text.
    QString toolTipAt(const QPoint &pos) const;
    /// Where a step's lane is drawn (its bars; the name is left of it).
    QRect laneRect(int lane) const;

    /// The height that shows `lanes` lanes and the axis.
    int heightForLanes(int lanes) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Bar {
        int lane = 0;
        QDateTime from;
        QDateTime to;
        enum class Kind { Succeeded, Failed, Running, Backoff, TimerPending, TimerFired } kind = Kind::Running;
        QString tip;
    };

    void rebuild();
    int laneHeight() const;
    int labelWidth() const;
    QRect plotRect() const;
    qreal xOf(const QDateTime &time, const QRect &plot) const;
    QRectF barRect(const Bar &bar, const QRect &plot) const;

    QList<StepRecord> m_steps;
    QList<Bar> m_bars;
    QDateTime m_now;
    QDateTime m_start;
    QDateTime m_end;
    bool m_showNow = false;
};

} // namespace ergon
