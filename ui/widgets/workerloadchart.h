#pragma once

#include "widgets/chartpanel.h"

#include <QList>
#include <QStringList>

class QBarCategoryAxis;
class QBarSet;
class QHorizontalStackedBarSeries;

namespace ergon {

struct WorkerLoad;

/// The work distribution: one horizontal bar per worker run, the flows it completed and failed
/// stacked. Updated in place (QBarSet::replace) while the runs stay the same; rebuilt when one
/// comes or goes.
class WorkerLoadChart : public ChartPanel
{
    Q_OBJECT

public:
    explicit WorkerLoadChart(const QString &title, QWidget *parent = nullptr);
    ~WorkerLoadChart() override;

    void setLoads(const QList<WorkerLoad> &loads);

    /// The bars' labels, top to bottom as shown.
    QStringList workers() const;
    /// The completed (and failed) value of the bar with this label, -1 if there is none.
    double completed(const QString &label) const;
    double failed(const QString &label) const;

protected:
    void applySeriesPalette(const QPalette &palette) override;

private:
    QHorizontalStackedBarSeries *m_series;
    QBarSet *m_completed;
    QBarSet *m_failed;
    QBarCategoryAxis *m_workerAxis;
    QStringList m_names; // as given, bottom to top in the chart (categories)
};

} // namespace ergon
