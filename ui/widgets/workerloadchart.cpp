#include "widgets/workerloadchart.h"

#include "session/consolesnapshot.h"
#include "shell/consolestyle.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGraphicsLayout>
#include <QHorizontalStackedBarSeries>
#include <QLabel>
#include <QStackedLayout>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace ergon {

WorkerLoadChart::WorkerLoadChart(const QString &title, QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(title, this))
    , m_placeholder(new QLabel(tr("No worker has registered with this database yet."), this))
    , m_stack(new QStackedLayout)
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart, this))
    , m_series(new QHorizontalStackedBarSeries(m_chart))
    , m_completed(new QBarSet(tr("Completed")))
    , m_failed(new QBarSet(tr("Failed")))
    , m_workerAxis(new QBarCategoryAxis(m_chart))
    , m_valueAxis(new QValueAxis(m_chart))
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_series->append(m_completed);
    m_series->append(m_failed);
    m_series->setBarWidth(0.6);
    m_chart->addSeries(m_series);
    m_chart->addAxis(m_workerAxis, Qt::AlignLeft);
    m_chart->addAxis(m_valueAxis, Qt::AlignBottom);
    m_series->attachAxis(m_workerAxis);
    m_series->attachAxis(m_valueAxis);
    m_valueAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_valueAxis->setRange(0, 4);
    m_valueAxis->setTickCount(5);
    m_chart->setBackgroundRoundness(0);
    m_chart->setMargins(QMargins(2, 4, 8, 2));
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
    applyPalette();
}

WorkerLoadChart::~WorkerLoadChart() = default;

void WorkerLoadChart::setLoads(const QList<WorkerLoad> &loads)
{
    // Categories run bottom to top: reversed, the first worker is the top bar.
    QStringList names;
    QList<qreal> completed;
    QList<qreal> failed;
    double maximum = 0;
    for (auto it = loads.crbegin(); it != loads.crend(); ++it) {
        QString label = it->worker;
        if (it->status == WorkerStatus::Lost)
            label += tr(" (lost)");
        else if (it->status == WorkerStatus::Stopped)
            label += tr(" (stopped)");
        names.append(label);
        completed.append(qreal(it->completed));
        failed.append(qreal(it->failed));
        maximum = std::max(maximum, double(it->completed + it->failed));
    }
    if (names == m_names) {
        for (qsizetype i = 0; i < names.size(); ++i) {
            if (m_completed->at(i) != completed.at(i))
                m_completed->replace(i, completed.at(i));
            if (m_failed->at(i) != failed.at(i))
                m_failed->replace(i, failed.at(i));
        }
    } else {
        m_names = names;
        m_completed->remove(0, m_completed->count());
        m_failed->remove(0, m_failed->count());
        m_completed->append(completed);
        m_failed->append(failed);
        m_workerAxis->setCategories(names);
    }
    const double top = std::max(4.0, style::niceCeiling(maximum * 1.05));
    if (m_valueAxis->max() != top)
        m_valueAxis->setRange(0, top);
    m_stack->setCurrentWidget(names.isEmpty() ? static_cast<QWidget *>(m_placeholder) : m_view);
}

QStringList WorkerLoadChart::workers() const
{
    QStringList top;
    for (auto it = m_names.crbegin(); it != m_names.crend(); ++it)
        top.append(*it);
    return top;
}

double WorkerLoadChart::completed(const QString &worker) const
{
    const qsizetype i = m_names.indexOf(worker);
    return i < 0 ? -1 : m_completed->at(i);
}

double WorkerLoadChart::failed(const QString &worker) const
{
    const qsizetype i = m_names.indexOf(worker);
    return i < 0 ? -1 : m_failed->at(i);
}

void WorkerLoadChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyPalette();
}

void WorkerLoadChart::applyPalette()
{
    const QPalette pal = palette();
    const QColor grid =
        style::isDark(pal) ? pal.color(QPalette::Base).lighter(180) : pal.color(QPalette::Base).darker(112);
    m_chart->setBackgroundBrush(pal.brush(QPalette::Base));
    m_chart->setPlotAreaBackgroundVisible(false);
    m_chart->legend()->setLabelColor(pal.color(QPalette::Text));
    m_workerAxis->setLabelsColor(pal.color(QPalette::Text));
    m_valueAxis->setLabelsColor(style::mutedText(pal));
    m_workerAxis->setGridLineVisible(false);
    m_workerAxis->setLinePenColor(grid);
    m_valueAxis->setGridLineColor(grid);
    m_valueAxis->setLinePenColor(grid);
    const QColor completed = style::statusColor(FlowStatus::Completed, pal);
    const QColor failed = style::statusColor(FlowStatus::Failed, pal);
    m_completed->setColor(completed);
    m_completed->setBorderColor(completed);
    m_failed->setColor(failed);
    m_failed->setBorderColor(failed);
    m_view->setBackgroundBrush(pal.brush(QPalette::Base));
    QPalette placeholder = m_placeholder->palette();
    placeholder.setColor(QPalette::WindowText, style::mutedText(pal));
    m_placeholder->setPalette(placeholder);
}

} // namespace ergon
