#pragma once

#include "widgets/chartpanel.h"

#include <QColor>
#include <QList>
#include <QPointF>

#include <chrono>

class QLineSeries;
class QCategoryAxis;

namespace ergon {

/// A titled line chart over a rolling time window ending now: x is seconds relative to the
/// newest point (-window … 0), y starts at 0 and grows to fit. Points arrive in batches, one
/// QXYSeries::replace() per series, so that a refresh costs one repaint, not one per point.
/// The time axis labels as many round moments as its width holds without cutting one.
class RollingLineChart : public ChartPanel
{
    Q_OBJECT

public:
    explicit RollingLineChart(const QString &title, QWidget *parent = nullptr);
    ~RollingLineChart() override;

    /// Adds a series; returns its index for setPoints(). The colour follows the palette's
    /// changes only if it was given through a role-based function (see setColor()).
    int addSeries(const QString &name, const QColor &color);
    void setColor(int series, const QColor &color);
    void setWindow(std::chrono::seconds window);
    /// Counts (the default): whole steps on the y axis. Rates: steps of 0.25, 0.5… as needed.
    void setWholeSteps(bool whole);
    /// The y axis never ends below this (default 4).
    void setMinimumTop(double top);

    /// Replaces the points of every series at once and fits the y axis.
    void setPoints(const QList<QList<QPointF>> &points);
    int seriesCount() const;
    int pointCount(int series) const;
    QString seriesName(int series) const;

protected:
    void applySeriesPalette(const QPalette &palette) override;

private Q_SLOTS:
    void labelTimeAxis();

private:
    QCategoryAxis *m_timeAxis;
    QList<QLineSeries *> m_series;
    std::chrono::seconds m_window{300};
    qint64 m_labelStep = 0; // seconds between two time labels
    double m_minimumTop = 4;
    double m_maximum = 0;
    bool m_wholeSteps = true;
};

} // namespace ergon
