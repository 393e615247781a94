#pragma once

#include "session/consoletypes.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QScrollArea;
class QPushButton;
class QSpinBox;

namespace ergon {

class ArgumentForm;
class ConsoleSettings;
class FlowRegistry;

/// Schedules flows: pick a flow type of the registry, fill in the form built from its
/// argument schema (typed editors, defaults, a message under each wrong value; Schedule stays
/// disabled until the arguments pass the type's schema), and say how many, after what delay
/// and at what priority.
///
/// The dialog does not schedule: Schedule emits scheduleRequested() and the window runs it off
/// the GUI thread, reporting back through showProgress(), showFinished() or showFailed(). The
/// dialog stays open and responsive meanwhile (closing it does not stop the work), and can
/// schedule again afterwards.
///
/// Besides the count, a delay or a start time (local), a priority and an idempotency key
/// (optional; the same key again schedules nothing new). With settings (setSettings()) the
/// dialog opens on the type and arguments scheduled last; prefill() copies another flow's.
class ScheduleDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ScheduleDialog(const ergon::FlowRegistry &registry, QWidget *parent = nullptr);
    ~ScheduleDialog() override;

    /// Selects a flow type (and rebuilds the form); false if the registry does not have it.
    bool setFlowType(const QString &type);
    QString flowType() const;
    /// The request the form holds now (arguments with the schema's defaults filled in), or the
    /// first fault.
    Result<ScheduleRequest> request() const;
    int count() const;
    /// Selects the type and fills the form with these arguments (those of another flow, say);
    /// false if the registry does not have the type.
    bool prefill(const QString &type, const QJsonObject &arguments);
    /// Where the last type and arguments scheduled are remembered; the form takes them now.
    /// The settings must outlive the dialog.
    void setSettings(ConsoleSettings *settings);
    bool isBusy() const { return m_busy; }

    ArgumentForm *argumentForm() const { return m_form; }
    QComboBox *typeBox() const { return m_type; }
    QSpinBox *countBox() const { return m_count; }
    QDoubleSpinBox *delayBox() const { return m_delay; }
    QSpinBox *priorityBox() const { return m_priority; }
    QCheckBox *startAtBox() const { return m_startAtOn; }
    QDateTimeEdit *startAtEdit() const { return m_startAt; }
    QLineEdit *keyEdit() const { return m_key; }
    QPushButton *scheduleButton() const { return m_schedule; }
    QProgressBar *progressBar() const { return m_progress; }
    /// The line under the form: the schema's verdict, progress, or the outcome.
    QString statusText() const;

public Q_SLOTS:
    /// `done` of `total` flows are scheduled.
    void showProgress(int done, int total);
    /// Scheduling ended well; the summary says what was scheduled.
    void showFinished(const QString &summary);
    void showFailed(const QString &error);
    /// Asks for what the form holds to be scheduled (the Schedule button), if it is valid.
    void schedule();

Q_SIGNALS:
    void scheduleRequested(const ergon::ScheduleRequest &request, int count);

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fitForm();
    void typeChanged();
    void revalidate();
    void setBusy(bool busy);
    void setStatus(const QString &text, bool problem);

    const FlowRegistry &m_registry;
    bool m_busy = false;
    QComboBox *m_type;
    QLabel *m_description;
    ArgumentForm *m_form;
    QScrollArea *m_formArea;
    QSpinBox *m_count;
    QDoubleSpinBox *m_delay;
    QSpinBox *m_priority;
    QCheckBox *m_startAtOn;
    QDateTimeEdit *m_startAt;
    QLineEdit *m_key;
    ConsoleSettings *m_settings = nullptr;
    QLabel *m_status;
    QProgressBar *m_progress;
    QPushButton *m_schedule;
    QPushButton *m_close;
};

} // namespace ergon
