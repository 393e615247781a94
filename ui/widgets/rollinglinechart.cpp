#include "widgets/rollinglinechart.h"

#include "shell/consolestyle.h"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QStackedLayout>
#include <QVBoxLayout>
#include <QValueAxis>

namespace ergon {

RollingLineChart::RollingLineChart(const QString &title, QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(title, this))
    , m_placeholder(new QLabel(this))
    , m_stack(new QStackedLayout)
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart, this))
    , m_timeAxis(new QCategoryAxis(m_chart))
    , m_valueAxis(new QValueAxis(m_chart))
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_chart->setBackgroundRoundness(0);
    m_chart->setMargins(QMargins(2, 4, 22, 2)); // room for the "now" label at the right edge
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_chart->legend()->setMarkerShape(QLegend::MarkerShapeCircle);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);
    m_timeAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_valueAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_valueAxis->setTickCount(5);
    m_valueAxis->setMinorTickCount(0);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setMinimumHeight(180);

    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setText(tr("Waiting for data…"));
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_view);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_title);
    layout->addLayout(m_stack, 1);

    setWindow(m_window);
    fitValueAxis(0);
    applyPalette();
}

RollingLineChart::~RollingLineChart() = default;

int RollingLineChart::addSeries(const QString &name, const QColor &color)
{
    auto *series = new QLineSeries(m_chart);
    series->setName(name);
    m_chart->addSeries(series);
    series->attachAxis(m_timeAxis);
    series->attachAxis(m_valueAxis);
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
    const qint64 seconds = window.count();
    // Labels at round moments: every minute up to 5 min, else every fifth of the window. A
    // category axis labels the end of each range; the first range is empty so that the oldest
    // moment is labelled too.
    for (const QString &label : m_timeAxis->categoriesLabels())
        m_timeAxis->remove(label);
    const qint64 step = seconds <= 300 ? 60 : std::max<qint64>(1, seconds / 5);
    m_timeAxis->setStartValue(double(-seconds) - 0.001);
    for (qint64 at = seconds; at >= 0; at -= step) {
        const QString label = at == 0 ? tr("now") : at % 60 == 0 ? tr("−%1 min").arg(at / 60) : tr("−%1 s").arg(at);
        m_timeAxis->append(label, double(-at));
    }
    m_timeAxis->setRange(double(-seconds), 0);
}

void RollingLineChart::setValueFormat(const QString &format)
{
    m_adaptiveFormat = format.isEmpty();
    if (!m_adaptiveFormat)
        m_valueAxis->setLabelFormat(format);
}

void RollingLineChart::setMinimumTop(double top)
{
    m_minimumTop = top;
}

void RollingLineChart::setPlaceholderText(const QString &text)
{
    m_placeholder->setText(text);
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
    fitValueAxis(maximum);
    m_stack->setCurrentWidget(any ? static_cast<QWidget *>(m_view) : m_placeholder);
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

void RollingLineChart::fitValueAxis(double maximum)
{
    // Only ever a round top with four even steps; it changes only when the data crosses it.
    const double top = std::max(m_minimumTop, style::niceCeiling(maximum * 1.05));
    if (m_valueAxis->max() != top || m_valueAxis->min() != 0)
        m_valueAxis->setRange(0, top);
    // Decimals only where the ticks need them (a top of 2 has ticks at 0.5).
    if (m_adaptiveFormat)
        m_valueAxis->setLabelFormat(top >= 4 ? QStringLiteral("%.0f") : QStringLiteral("%.1f"));
}

void RollingLineChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyPalette();
}

void RollingLineChart::applyPalette()
{
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::Text);
    const QColor grid =
        style::isDark(pal) ? pal.color(QPalette::Base).lighter(180) : pal.color(QPalette::Base).darker(112);
    m_chart->setBackgroundBrush(pal.brush(QPalette::Base));
    m_chart->setPlotAreaBackgroundVisible(false);
    m_chart->legend()->setLabelColor(text);
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_timeAxis), static_cast<QAbstractAxis *>(m_valueAxis)}) {
        axis->setLabelsColor(style::mutedText(pal));
        axis->setGridLineColor(grid);
        axis->setLinePenColor(grid);
    }
    m_view->setBackgroundBrush(pal.brush(QPalette::Base));
    QPalette placeholder = m_placeholder->palette();
    placeholder.setColor(QPalette::WindowText, style::mutedText(pal));
    m_placeholder->setPalette(placeholder);
}

} // namespace ergon
