#include "widgets/rollinglinechart.h"

#include "models/consoleformat.h"

#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>
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
    // The labels that fit depend on the plot's width, known once the chart is laid out.
    connect(chart(), &QChart::plotAreaChanged, this, &RollingLineChart::labelTimeAxis);
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
    // Labels at round moments, as many as the width holds with room between them (Qt Charts
    // cuts a label it has no room for to "−5 …"): every minute, two, five… The oldest moment
    // is not labelled: centred on the left edge, it would stick out past the y labels, where
    // Qt Charts drops it.
    // Qt Charts gives each label the plot's width over the labels and one, less padding.
    const qint64 seconds = m_window.count();
    const QFontMetrics metrics(m_timeAxis->labelsFont());
    const int labelWidth = metrics.horizontalAdvance(tr("−%1 min").arg(seconds / 60)) + 12;
    const qreal plot = chart()->plotArea().width() > 0 ? chart()->plotArea().width() : width() - 60.0;
    const qint64 fitting = std::max<qint64>(2, qint64(plot / labelWidth) - 1);
    qint64 step = std::max<qint64>(1, seconds / 2);
    for (const qint64 candidate :
         {10, 15, 30, 60, 100, 120, 150, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400}) {
        if (candidate * 2 <= seconds && seconds % candidate == 0 && seconds / candidate <= fitting &&
            (candidate >= 60 || seconds < 120)) {
            step = candidate;
            break;
        }
    }
    if (step == m_labelStep)
        return;
    m_labelStep = step;
    // A category axis labels the end of each range.
    for (const QString &label : m_timeAxis->categoriesLabels())
        m_timeAxis->remove(label);
    m_timeAxis->setStartValue(double(-seconds) - 0.001);
    for (qint64 at = seconds - step; at >= 0; at -= step) {
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

} // namespace ergon
