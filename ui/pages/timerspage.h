#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace ergon {

class TimerTableModel;
struct ConsoleSnapshot;

/// Every pending durable timer: its flow, the timer's name, when it fires and a live countdown.
/// "Fire now" makes the selected timers due at once (through fireNowRequested()); a double
/// click on a timer asks for its flow (flowActivated()).
class TimersPage : public QWidget
{
    Q_OBJECT

public:
    explicit TimersPage(QWidget *parent = nullptr);
    ~TimersPage() override;

    TimerTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QPushButton *fireButton() const { return m_fire; }

public Q_SLOTS:
    void showSnapshot(const ergon::ConsoleSnapshot &snapshot);
    /// Asks to fire the selected timers.
    void fireSelected();

Q_SIGNALS:
    /// The flows whose timers are to fire, in the table's order.
    void fireNowRequested(const QList<qint64> &flowIds);
    /// A timer was double-clicked: show its flow.
    void flowActivated(qint64 flowId);

protected:
    void changeEvent(QEvent *event) override;

private:
    QTableView *m_view;
    TimerTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QPushButton *m_fire;
    QLabel *m_summary;
    QLabel *m_note;
};

} // namespace ergon
