#include "widgets/workerloadchart.h"

#include "models/consoleformat.h"
#include "session/consolesnapshot.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QHorizontalStackedBarSeries>
#include <QValueAxis>

#include <algorithm>

namespace ergon {

WorkerLoadChart::WorkerLoadChart(const QString &title, QWidget *parent)
    : ChartPanel(title, parent)
    , m_series(new QHorizontalStackedBarSeries(chart()))
    , m_completed(new QBarSet(tr("Completed")))
    , m_failed(new QBarSet(tr("Failed")))
    , m_workerAxis(new QBarCategoryAxis(chart()))
{
    setPlaceholderText(tr("No worker has registered with this database yet."));
    m_series->append(m_completed);
    m_series->append(m_failed);
    m_series->setBarWidth(0.6);
    chart()->addSeries(m_series);
    chart()->addAxis(m_workerAxis, Qt::AlignLeft);
    QValueAxis *counts = addValueAxis(Qt::AlignBottom);
    m_series->attachAxis(m_workerAxis);
    m_series->attachAxis(counts);
    chart()->setMargins(QMargins(2, 4, 8, 2));
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
        names.append(it->label);
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
    fitValueAxis(maximum, 4, true);
    showChart(!names.isEmpty());
}

QStringList WorkerLoadChart::workers() const
{
    QStringList top;
    for (auto it = m_names.crbegin(); it != m_names.crend(); ++it)
        top.append(*it);
    return top;
}

double WorkerLoadChart::completed(const QString &label) const
{
    const qsizetype i = m_names.indexOf(label);
    return i < 0 ? -1 : m_completed->at(i);
}

double WorkerLoadChart::failed(const QString &label) const
{
    const qsizetype i = m_names.indexOf(label);
    return i < 0 ? -1 : m_failed->at(i);
}

void WorkerLoadChart::applySeriesPalette(const QPalette &pal)
{
    m_workerAxis->setLabelsColor(pal.color(QPalette::Text));
    m_workerAxis->setGridLineVisible(false);
    m_workerAxis->setLinePenColor(gridColor(pal));
    const QColor completed = style::statusColor(FlowStatus::Completed, pal);
    const QColor failed = style::statusColor(FlowStatus::Failed, pal);
    m_completed->setColor(completed);
    m_completed->setBorderColor(completed);
    m_failed->setColor(failed);
    m_failed->setBorderColor(failed);
}

} // namespace ergon
