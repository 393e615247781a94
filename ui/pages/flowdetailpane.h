#pragma once

#include "models/flowstatusexplainer.h"
#include "session/flowpage.h"

#include <QJsonObject>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QStackedWidget;
class QTabWidget;
class QTimer;
class QTreeView;

namespace ergon {

class FlowRegistry;
class ColumnFitter;
class FlowStepsModel;
class StepTimeline;

/// The detail of the current flow on the Flows page: its status and the line that says why it
/// is not moving (counting down every second), its times, error, steps with every attempt, a
/// timeline of the steps, and its arguments and result as formatted JSON. Retry failed step,
/// Cancel and Schedule Like This ask for the action by signal; the page passes it on.
class FlowDetailPane : public QWidget
{
    Q_OBJECT

public:
    explicit FlowDetailPane(QWidget *parent = nullptr);
    ~FlowDetailPane() override;

    /// The flow types loaded in this console, for the "no loaded plugin has type" case.
    void setRegistry(const FlowRegistry *registry);

    /// The flow shown, 0 for none.
    qint64 flowId() const { return m_flowId; }
    const FlowDetailSnapshot &snapshot() const { return m_snapshot; }
    FlowStatusExplanation explanation() const { return m_explanation; }

    QPushButton *retryButton() const { return m_retry; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *scheduleLikeButton() const { return m_scheduleLike; }
    FlowStepsModel *stepsModel() const { return m_stepsModel; }
    QTreeView *stepsView() const { return m_stepsView; }
    /// The whole error of the selected step or attempt, shown below the table; empty if none.
    QString stepErrorText() const;
    StepTimeline *timeline() const { return m_timeline; }
    QString argumentsText() const;
    QString resultText() const;
    QString errorText() const;

public Q_SLOTS:
    /// Shows a snapshot of a flow; a snapshot of another flow than the one chosen last with
    /// showFlow() is stale and ignored.
    void showDetail(const ergon::FlowDetailSnapshot &snapshot);
    /// The flow to show (its detail arrives later); 0 shows the "nothing selected" note.
    void showFlow(qint64 flowId);

Q_SIGNALS:
    void retryRequested(qint64 flowId, const QString &stepName);
    void cancelRequested(qint64 flowId);
    /// Schedule Like This: the Schedule dialog, filled with the flow's type and arguments.
    void scheduleLikeRequested(const QString &type, const QJsonObject &arguments);

private:
    void updateExplanation();
    void updateRetryButton();
    void updateStepError();
    static QString retryToolTip();
    void setJson(QPlainTextEdit *edit, const QString &text);

    const FlowRegistry *m_registry = nullptr;
    qint64 m_flowId = 0;
    FlowDetailSnapshot m_snapshot;
    FlowStatusExplanation m_explanation;

    QStackedWidget *m_stack;
    QLabel *m_note;
    QLabel *m_title;
    QLabel *m_status;
    QLabel *m_explanationLabel;
    QLabel *m_times;
    QPushButton *m_retry;
    QPushButton *m_cancel;
    QPushButton *m_scheduleLike;
    QPlainTextEdit *m_error;
    QTabWidget *m_tabs;
    FlowStepsModel *m_stepsModel;
    QTreeView *m_stepsView;
    QLabel *m_stepError;
    ColumnFitter *m_stepColumns = nullptr;
    StepTimeline *m_timeline;
    QScrollArea *m_timelineArea;
    QPlainTextEdit *m_arguments;
    QPlainTextEdit *m_result;
    QTimer *m_countdown;
};

} // namespace ergon
