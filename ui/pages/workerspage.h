#pragma once

#include <QPointer>
#include <QWidget>

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
/// this console runs (a WorkerPool); a console without them simply watches.
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

public Q_SLOTS:
    void showSnapshot(const ergon::ConsoleSnapshot &snapshot);
    /// Starts the workers the spin boxes ask for.
    void startWorkers();
    /// Stops the selected workers of this console.
    void stopSelected();
    void stopAll();

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateLocalWorkers();
    void updateButtons();
    QStringList selectedLocalWorkers() const;

    QPointer<WorkerPool> m_pool;
    WorkerTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QSpinBox *m_count;
    QSpinBox *m_concurrency;
    QPushButton *m_start;
    QPushButton *m_stop;
    QPushButton *m_stopAll;
    QLabel *m_summary;
    QLabel *m_note;
    QListWidget *m_steals;
    QLabel *m_stealsNote;
    ColumnFitter *m_columns = nullptr;
};

} // namespace ergon
