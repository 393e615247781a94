#pragma once

#include <QColor>
#include <QList>
#include <QPointF>
#include <QWidget>

#include <chrono>

class QChart;
class QChartView;
class QLineSeries;
class QLabel;
class QValueAxis;
class QCategoryAxis;
class QStackedLayout;

namespace ergon {

/// A titled line chart over a rolling time window ending now: x is seconds relative to the
/// newest point (-window … 0), y starts at 0 and grows to fit. Points arrive in batches, one
/// QXYSeries::replace() per series, so that a refresh costs one repaint, not one per point.
///
/// Charts are kept out of every header: this file and its .cpp are the only ones that know
/// Qt Charts' types beyond forward declarations.
class RollingLineChart : public QWidget
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
    /// printf format of the y labels, e.g. "%.0f" for counts; empty: whole numbers, or one
    /// decimal when the axis tops out below 4 (rates).
    void setValueFormat(const QString &format);
    /// The y axis never ends below this (default 4: whole ticks for counts).
    void setMinimumTop(double top);
    /// Shown instead of the chart until points arrive.
    void setPlaceholderText(const QString &text);

    /// Replaces the points of every series at once and fits the y axis.
    void setPoints(const QList<QList<QPointF>> &points);
    int seriesCount() const;
    int pointCount(int series) const;
    QString seriesName(int series) const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();
    void fitValueAxis(double maximum);

    QLabel *m_title;
    QLabel *m_placeholder;
    QStackedLayout *m_stack;
    QChart *m_chart;
    QChartView *m_view;
    QCategoryAxis *m_timeAxis;
    QValueAxis *m_valueAxis;
    QList<QLineSeries *> m_series;
    std::chrono::seconds m_window{300};
    double m_minimumTop = 4;
    bool m_adaptiveFormat = false;
};

} // namespace ergon
