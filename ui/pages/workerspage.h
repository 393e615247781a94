#pragma once

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;

namespace ergon {

class ColumnFitter;
class WorkerPool;
class WorkerTableModel;
struct ConsoleSnapshot;

/// Every worker of the database — in this console, in other processes, on other hosts — with
/// its liveness and counters, and the recent steals between them. Starts and stops the workers
/// this console runs (a WorkerPool); a console without them simply watches. Stopped runs can be
/// hidden, or forgotten (forgetRequested(); the session deletes their rows).
class WorkersPage : public QWidget
{
    Q_OBJECT

public:
    explicit WorkersPage(QWidget *parent = nullptr);
    ~WorkersPage() override;

    /// The pool the Start and Stop buttons act on (null: watch only).
    void setWorkerPool(WorkerPool *pool);

    WorkerTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QSpinBox *countBox() const { return m_count; }
    QSpinBox *concurrencyBox() const { return m_concurrency; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *stopButton() const { return m_stop; }
    QPushButton *stopAllButton() const { return m_stopAll; }
    /// The columns hidden for want of room (least useful first).
    QList<int> hiddenColumns() const;
    QCheckBox *showStoppedBox() const { return m_showStopped; }
    QPushButton *forgetButton() const { return m_forget; }
    /// What the last Stop all did ("Stopping 2 workers…", "Stopped 2 workers.").
    QString outcomeText() const;

public Q_SLOTS:
    void showSnapshot(const ergon::ConsoleSnapshot &snapshot);
    /// Starts the workers the spin boxes ask for.
    void startWorkers();
    /// Stops the selected workers of this console.
    void stopSelected();
    /// Asks first (how many workers and flows, and what happens to the flows), then stops
    /// every worker of this console.
    void stopAll();
    /// Asks first, then asks for the stopped and lost runs to be forgotten.
    void forgetStopped();

Q_SIGNALS:
    /// The rows of these worker runs (stopped or lost) are to be deleted.
    void forgetRequested(const QList<qint64> &runs);

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateLocalWorkers();
    void updateButtons();
    QStringList selectedLocalWorkers() const;
    QList<qint64> runsNotAlive() const;
    void showOutcome(const QString &text);

    QPointer<WorkerPool> m_pool;
    WorkerTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QSpinBox *m_count;
    QSpinBox *m_concurrency;
    QPushButton *m_start;
    QPushButton *m_stop;
    QPushButton *m_stopAll;
    QCheckBox *m_showStopped;
    QPushButton *m_forget;
    QLabel *m_outcome;
    int m_stoppingAll = 0; ///< workers a confirmed Stop all is stopping
    QLabel *m_summary;
    QLabel *m_note;
    QListWidget *m_steals;
    QLabel *m_stealsNote;
    ColumnFitter *m_columns = nullptr;
};

} // namespace ergon
