#include "widgets/rollinglinechart.h"

#include "models/consoleformat.h"

#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>
#include <QResizeEvent>
#include <QValueAxis>

namespace ergon {

RollingLineChart::RollingLineChart(const QString &title, QWidget *parent)
    : ChartPanel(title, parent)
    , m_timeAxis(new QCategoryAxis(chart()))
{
    setPlaceholderText(tr("Waiting for data…"));
    chart()->setMargins(QMargins(2, 4, 22, 2)); // room for the "now" label at the right edge
    chart()->addAxis(m_timeAxis, Qt::AlignBottom);
    m_timeAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    addValueAxis(Qt::AlignLeft);
    setWindow(m_window);
    applyPalette();
}

RollingLineChart::~RollingLineChart() = default;

int RollingLineChart::addSeries(const QString &name, const QColor &color)
{
    auto *series = new QLineSeries(chart());
    series->setName(name);
    chart()->addSeries(series);
    series->attachAxis(m_timeAxis);
    for (QAbstractAxis *axis : chart()->axes(Qt::Vertical))
        series->attachAxis(axis);
    m_series.append(series);
    setColor(int(m_series.size() - 1), color);
    return int(m_series.size() - 1);
}

void RollingLineChart::setColor(int index, const QColor &color)
{
    QLineSeries *series = m_series.value(index);
    if (!series)
        return;
    QPen pen(color);
    pen.setWidthF(2.0);
    series->setPen(pen);
}

void RollingLineChart::setWindow(std::chrono::seconds window)
{
    m_window = window;
    m_labelStep = 0;
    labelTimeAxis();
    m_timeAxis->setRange(double(-window.count()), 0);
}

void RollingLineChart::labelTimeAxis()
{
    // Labels at round moments, as many as the width holds with room between them (a label
    // Qt Charts cannot fit is cut to "−5 …"): every minute, two, five… of the window.
    const qint64 seconds = m_window.count();
    const QFontMetrics metrics(m_timeAxis->labelsFont());
    const int labelWidth = metrics.horizontalAdvance(tr("−%1 min").arg(88)) + metrics.horizontalAdvance(u'M') * 2;
    const int plotWidth = std::max(1, width() - metrics.horizontalAdvance(QStringLiteral("00000")) - 40);
    const qint64 fitting = std::max<qint64>(1, plotWidth / labelWidth - 1);
    qint64 step = seconds;
    for (const qint64 candidate : {10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400}) {
        if (candidate <= seconds && seconds / candidate <= fitting && seconds % candidate == 0) {
            step = candidate;
            break;
        }
    }
    if (seconds <= 300)
        step = std::max<qint64>(step, std::min<qint64>(60, seconds)); // never finer than a minute
    if (step == m_labelStep)
        return;
    m_labelStep = step;
    // A category axis labels the end of each range; the first range is empty so that the
    // oldest moment is labelled too.
    for (const QString &label : m_timeAxis->categoriesLabels())
        m_timeAxis->remove(label);
    m_timeAxis->setStartValue(double(-seconds) - 0.001);
    for (qint64 at = seconds; at >= 0; at -= step) {
        const QString label = at == 0 ? tr("now") : at % 60 == 0 ? tr("−%1 min").arg(at / 60) : tr("−%1 s").arg(at);
        m_timeAxis->append(label, double(-at));
    }
}

void RollingLineChart::setWholeSteps(bool whole)
{
    m_wholeSteps = whole;
    fitValueAxis(m_maximum, m_minimumTop, m_wholeSteps);
}

void RollingLineChart::setMinimumTop(double top)
{
    m_minimumTop = top;
    fitValueAxis(m_maximum, m_minimumTop, m_wholeSteps);
}

void RollingLineChart::setPoints(const QList<QList<QPointF>> &points)
{
    double maximum = 0;
    bool any = false;
    for (qsizetype i = 0; i < m_series.size(); ++i) {
        const QList<QPointF> &list = i < points.size() ? points.at(i) : QList<QPointF>();
        m_series.at(i)->replace(list);
        for (const QPointF &point : list)
            maximum = std::max(maximum, point.y());
        any = any || !list.isEmpty();
    }
    m_maximum = maximum;
    fitValueAxis(maximum, m_minimumTop, m_wholeSteps);
    showChart(any);
}

int RollingLineChart::seriesCount() const
{
    return int(m_series.size());
}

int RollingLineChart::pointCount(int series) const
{
    const QLineSeries *line = m_series.value(series);
    return line ? int(line->count()) : 0;
}

QString RollingLineChart::seriesName(int series) const
{
    const QLineSeries *line = m_series.value(series);
    return line ? line->name() : QString();
}

void RollingLineChart::applySeriesPalette(const QPalette &pal)
{
    m_timeAxis->setLabelsColor(style::mutedText(pal));
    m_timeAxis->setGridLineColor(gridColor(pal));
    m_timeAxis->setLinePenColor(gridColor(pal));
}

void RollingLineChart::resizeEvent(QResizeEvent *event)
{
    ChartPanel::resizeEvent(event);
    labelTimeAxis();
}

} // namespace ergon
