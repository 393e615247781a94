#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>

class QBarCategoryAxis;
class QBarSet;
class QChart;
class QChartView;
class QHorizontalStackedBarSeries;
class QLabel;
class QStackedLayout;
class QValueAxis;

namespace ergon {

struct WorkerLoad;

/// The work distribution: one horizontal bar per worker, the flows it completed and failed
/// stacked. Updated in place (QBarSet::replace) while the workers stay the same; rebuilt when
/// one comes or goes.
class WorkerLoadChart : public QWidget
{
    Q_OBJECT

public:
    explicit WorkerLoadChart(const QString &title, QWidget *parent = nullptr);
    ~WorkerLoadChart() override;

    void setLoads(const QList<WorkerLoad> &loads);

    /// The bars' labels, top to bottom as shown.
    QStringList workers() const;
    /// The completed (and failed) value of a worker's bar, -1 if it has none.
    double completed(const QString &worker) const;
    double failed(const QString &worker) const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QLabel *m_title;
    QLabel *m_placeholder;
    QStackedLayout *m_stack;
    QChart *m_chart;
    QChartView *m_view;
    QHorizontalStackedBarSeries *m_series;
    QBarSet *m_completed;
    QBarSet *m_failed;
    QBarCategoryAxis *m_workerAxis;
    QValueAxis *m_valueAxis;
    QStringList m_names; // as given, bottom to top in the chart (categories)
};

} // namespace ergon
