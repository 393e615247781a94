#include "widgets/chartpanel.h"

#include "models/consoleformat.h"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGraphicsLayout>
#include <QGraphicsTextItem>
#include <QLabel>
#include <QStackedLayout>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace ergon {

ChartPanel::ChartPanel(const QString &title, QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(title, this))
    , m_placeholder(new QLabel(this))
    , m_stack(new QStackedLayout)
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart, this))
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_chart->setBackgroundRoundness(0);
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_chart->legend()->setMarkerShape(QLegend::MarkerShapeCircle);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setMinimumHeight(180);

    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_view);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_title);
    layout->addLayout(m_stack, 1);
}

ChartPanel::~ChartPanel() = default;

void ChartPanel::setPlaceholderText(const QString &text)
{
    m_placeholder->setText(text);
}

QString ChartPanel::placeholderText() const
{
    return m_placeholder->text();
}

bool ChartPanel::isShowingChart() const
{
    return m_stack->currentWidget() == m_view;
}

QStringList ChartPanel::axisLabels(Qt::Orientation orientation) const
{
    // The labels are text items of the scene, outside the plot area: left of it for the
    // vertical axis, below it for the horizontal one.
    const QRectF plot = m_chart->plotArea();
    QList<QPair<qreal, QString>> found;
    const QList<QGraphicsItem *> items = m_chart->scene() ? m_chart->scene()->items() : QList<QGraphicsItem *>();
    for (QGraphicsItem *item : items) {
        auto *text = dynamic_cast<QGraphicsTextItem *>(item);
        if (!text || !text->isVisible() || text->toPlainText().isEmpty())
            continue;
        const QRectF box = text->sceneBoundingRect();
        if (orientation == Qt::Vertical && box.right() <= plot.left() + 1 && box.center().y() >= plot.top() - 8 &&
            box.center().y() <= plot.bottom() + 8)
            found.append({-box.center().y(), text->toPlainText()});
        else if (orientation == Qt::Horizontal && box.top() >= plot.bottom() - 1 &&
                 box.center().x() >= plot.left() - 40)
            found.append({box.center().x(), text->toPlainText()});
    }
    std::sort(found.begin(), found.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList labels;
    for (const auto &[position, text] : std::as_const(found))
        labels.append(text);
    if (orientation == Qt::Vertical)
        std::reverse(labels.begin(), labels.end()); // top to bottom
    return labels;
}

QValueAxis *ChartPanel::addValueAxis(Qt::Alignment alignment)
{
    m_valueAxis = new QValueAxis(m_chart);
    m_valueAxis->setMinorTickCount(0);
    m_chart->addAxis(m_valueAxis, alignment);
    fitValueAxis(0, 4, true);
    return m_valueAxis;
}

void ChartPanel::showChart(bool shown)
{
    m_stack->setCurrentWidget(shown ? static_cast<QWidget *>(m_view) : m_placeholder);
}

void ChartPanel::fitValueAxis(double maximum, double minimumTop, bool wholeSteps)
{
    // The top changes only when the data crosses it; setting the same range again would
    // re-layout the chart for nothing.
    const style::AxisScale scale = style::axisScale(maximum, minimumTop, wholeSteps);
    if (m_valueAxis->max() != scale.top || m_valueAxis->min() != 0)
        m_valueAxis->setRange(0, scale.top);
    if (m_valueAxis->tickCount() != scale.tickCount)
        m_valueAxis->setTickCount(scale.tickCount);
    const QString format = QStringLiteral("%.%1f").arg(scale.decimals);
    if (m_valueAxis->labelFormat() != format)
        m_valueAxis->setLabelFormat(format);
}

void ChartPanel::applySeriesPalette(const QPalette &) { }

QColor ChartPanel::gridColor(const QPalette &palette)
{
    return style::isDark(palette) ? palette.color(QPalette::Base).lighter(180)
                                  : palette.color(QPalette::Base).darker(112);
}

void ChartPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyPalette();
}

void ChartPanel::applyPalette()
{
    const QPalette pal = palette();
    m_chart->setBackgroundBrush(pal.brush(QPalette::Base));
    m_chart->setPlotAreaBackgroundVisible(false);
    m_chart->legend()->setLabelColor(pal.color(QPalette::Text));
    m_view->setBackgroundBrush(pal.brush(QPalette::Base));
    if (m_valueAxis) {
        m_valueAxis->setLabelsColor(style::mutedText(pal));
        m_valueAxis->setGridLineColor(gridColor(pal));
        m_valueAxis->setLinePenColor(gridColor(pal));
    }
    QPalette placeholder = m_placeholder->palette();
    placeholder.setColor(QPalette::WindowText, style::mutedText(pal));
    m_placeholder->setPalette(placeholder);
    applySeriesPalette(pal);
}

} // namespace ergon
