#pragma once

#include "session/consolehistory.h"

#include "ergon/records.h"

#include <QElapsedTimer>
#include <QList>
#include <QWidget>

#include <array>

class QLabel;
class QPushButton;
class QTableView;
class QTimer;

namespace ergon {

class FailureListModel;
class RollingLineChart;
class WorkerLoadChart;
struct ConsoleSnapshot;

/// The first page: how many flows are in each state, how the queue and the finish rates moved
/// over the last minutes, how the work spreads over the workers, and what failed last.
///
/// Snapshots come at the reader's rate; the charts are redrawn at most twice a second whatever
/// that rate, each series in one batch.
class OverviewPage : public QWidget
{
    Q_OBJECT

public:
    explicit OverviewPage(QWidget *parent = nullptr);
    ~OverviewPage() override;

    RollingLineChart *queueChart() const { return m_queueChart; }
    RollingLineChart *rateChart() const { return m_rateChart; }
    WorkerLoadChart *workerChart() const { return m_workerChart; }
    FailureListModel *failureModel() const { return m_failureModel; }
    QTableView *failureView() const { return m_failureView; }
    const ConsoleHistory &history() const { return m_history; }
    /// How far back the charts reach (default 5 min).
    void setHistoryWindow(std::chrono::seconds window);
    /// The number shown for a status, as displayed.
    QString countText(FlowStatus status) const;

public Q_SLOTS:
    void showSnapshot(const ergon::ConsoleSnapshot &snapshot);
    /// Forgets the charts' history (another database was opened).
    void clear();

Q_SIGNALS:
    void retryRequested(const QList<qint64> &flowIds, const QString &stepName);
    /// A failure was double-clicked: show that flow.
    void flowActivated(qint64 flowId);

protected:
    void changeEvent(QEvent *event) override;

private:
    void redrawCharts();
    void applyPalette();
    QList<qint64> selectedFailures() const;

    struct Tile {
        QLabel *caption = nullptr;
        QLabel *value = nullptr;
    };
    std::array<Tile, 6> m_tiles; // by FlowStatus
    QLabel *m_total;
    RollingLineChart *m_queueChart;
    RollingLineChart *m_rateChart;
    WorkerLoadChart *m_workerChart;
    FailureListModel *m_failureModel;
    QTableView *m_failureView;
    QLabel *m_failureNote;
    QPushButton *m_retryButton;
    ConsoleHistory m_history;
    QTimer *m_redrawTimer;
    QElapsedTimer m_sinceRedraw;
};

} // namespace ergon
