#include "shell/scheduledialog.h"

#include "models/flowformat.h"
#include "shell/consolesettings.h"
#include "widgets/argumentform.h"

#include "ergon/flowregistry.h"
#include "ergon/limits.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace ergon {

namespace {

// The schema's errors name their field in quotes: "argument 'amount' must be of type number".
QString fieldOf(const QString &error)
{
    static const QRegularExpression quoted(QStringLiteral("argument '([^']+)'"));
    const auto match = quoted.match(error);
    return match.hasMatch() ? match.captured(1) : QString();
}

} // namespace

ScheduleDialog::ScheduleDialog(const FlowRegistry &registry, QWidget *parent)
    : QDialog(parent)
    , m_registry(registry)
    , m_type(new QComboBox(this))
    , m_description(new QLabel(this))
    , m_form(new ArgumentForm(this))
    , m_formArea(new QScrollArea(this))
    , m_count(new QSpinBox(this))
    , m_delay(new QDoubleSpinBox(this))
    , m_priority(new QSpinBox(this))
    , m_startAtOn(new QCheckBox(tr("&At:"), this))
    , m_startAt(new QDateTimeEdit(this))
    , m_key(new QLineEdit(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_schedule(new QPushButton(tr("&Schedule"), this))
    , m_close(new QPushButton(tr("&Close"), this))
{
    setWindowTitle(tr("Schedule Flows"));

    QList<FlowTypeInfo> types = registry.types();
    std::sort(types.begin(), types.end(), [](const FlowTypeInfo &a, const FlowTypeInfo &b) { return a.name < b.name; });
    for (const FlowTypeInfo &info : std::as_const(types)) {
        m_type->addItem(info.name, info.name);
        m_type->setItemData(m_type->count() - 1,
                            info.plugin.isEmpty() ? info.description
                                                  : tr("%1\n(plugin %2)").arg(info.description, info.plugin),
                            Qt::ToolTipRole);
    }
    m_type->setMinimumContentsLength(24);
    m_description->setWordWrap(true);
    m_description->setForegroundRole(QPalette::PlaceholderText);

    // The engine's ranges (the command line refuses the same values).
    m_count->setRange(int(limits::scheduleCount.min), int(limits::scheduleCount.max));
    m_count->setGroupSeparatorShown(true);
    m_count->setAccelerated(true);
    m_count->setToolTip(tr("How many flows to schedule with these arguments"));
    m_delay->setRange(0, double(limits::delay.max / limits::secondMs));
    m_delay->setDecimals(1);
    m_delay->setSuffix(tr(" s"));
    m_delay->setToolTip(tr("The flows are not run before this many seconds from now"));
    m_priority->setRange(int(limits::priority.min), int(limits::priority.max));
    m_priority->setToolTip(tr("Higher runs first"));
    // The scheduler's range of start times: the years 1970 to 9999.
    m_startAt->setDateTimeRange(QDateTime(QDate(1970, 1, 2), QTime(0, 0)), QDateTime(QDate(9999, 12, 30), QTime(0, 0)));
    m_startAt->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_startAt->setCalendarPopup(true);
    QDateTime inAnHour = QDateTime::currentDateTime().addSecs(3600);
    inAnHour.setTime(QTime(inAnHour.time().hour(), inAnHour.time().minute())); // as shown: no seconds
    m_startAt->setDateTime(inAnHour);
    m_startAt->setEnabled(false);
    m_startAt->setToolTip(tr("The flows are not run before this time (local)"));
    m_startAtOn->setToolTip(tr("Start at a set time instead of after a delay"));
    connect(m_startAtOn, &QCheckBox::toggled, this, [this](bool on) {
        m_startAt->setEnabled(on && !m_busy);
        m_delay->setEnabled(!on && !m_busy);
    });
    m_key->setPlaceholderText(tr("optional"));
    m_key->setToolTip(tr("Scheduling the same key again schedules nothing new; with a count of N the keys are "
                         "KEY-1 … KEY-N"));
    m_key->setMaxLength(1000);

    auto *typeForm = new QFormLayout;
    typeForm->addRow(tr("Flow &type:"), m_type);
    typeForm->addRow(QString(), m_description);

    auto *arguments = new QGroupBox(tr("Arguments"), this);
    auto *argumentsLayout = new QVBoxLayout(arguments);
    m_formArea->setWidget(m_form);
    m_formArea->setWidgetResizable(true);
    m_formArea->setFrameShape(QFrame::NoFrame);
    m_formArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    argumentsLayout->addWidget(m_formArea);

    auto *scheduling = new QGroupBox(tr("Scheduling"), this);
    auto *schedulingLayout = new QFormLayout(scheduling);
    schedulingLayout->addRow(tr("&Count:"), m_count);
    schedulingLayout->addRow(tr("&Delay:"), m_delay);
    auto *startRow = new QHBoxLayout;
    startRow->addWidget(m_startAtOn);
    startRow->addWidget(m_startAt, 1);
    schedulingLayout->addRow(tr("Or start:"), startRow);
    schedulingLayout->addRow(tr("&Priority:"), m_priority);
    schedulingLayout->addRow(tr("Idempotency &key:"), m_key);

    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_progress->hide();
    m_progress->setTextVisible(true);
    // The status line and the progress bar have their room from the start, so that nothing
    // above them moves when they appear (a click meant for Count would land elsewhere): three
    // lines of text, or a line and the bar; a longer text is cut and shown whole as tooltip.
    auto *statusArea = new QWidget(this);
    auto *statusLayout = new QVBoxLayout(statusArea);
    statusLayout->setContentsMargins(0, 0, 0, 0);
    statusLayout->setSpacing(4);
    statusLayout->addWidget(m_status);
    statusLayout->addWidget(m_progress);
    statusLayout->addStretch(1);
    const int lines = m_status->fontMetrics().lineSpacing();
    statusArea->setFixedHeight(std::max(3 * lines, lines + 4 + m_progress->sizeHint().height()));
    m_status->setMaximumHeight(statusArea->maximumHeight());

    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_schedule, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_close, QDialogButtonBox::RejectRole);
    m_schedule->setDefault(true);
    m_schedule->setAutoDefault(true);
    m_close->setAutoDefault(false);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);
    layout->addLayout(typeForm);
    layout->addWidget(arguments, 1);
    layout->addWidget(scheduling);
    layout->addWidget(statusArea);
    layout->addWidget(buttons);

    connect(m_type, &QComboBox::currentIndexChanged, this, &ScheduleDialog::typeChanged);
    connect(m_form, &ArgumentForm::changed, this, &ScheduleDialog::revalidate);
    m_form->installEventFilter(this);
    connect(buttons, &QDialogButtonBox::accepted, this, &ScheduleDialog::schedule);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    if (types.isEmpty()) {
        m_type->setEnabled(false);
        m_description->setText(tr("No flow types: no plugin is loaded. Add plugins and start the console again."));
    }
    typeChanged();
    resize(std::max(sizeHint().width(), 520), sizeHint().height());
}

ScheduleDialog::~ScheduleDialog() = default;

bool ScheduleDialog::setFlowType(const QString &type)
{
    const int index = m_type->findData(type);
    if (index < 0)
        return false;
    m_type->setCurrentIndex(index);
    return true;
}

bool ScheduleDialog::prefill(const QString &type, const QJsonObject &arguments)
{
    if (!setFlowType(type))
        return false;
    m_form->setValues(arguments);
    revalidate();
    return true;
}

void ScheduleDialog::setSettings(ConsoleSettings *settings)
{
    m_settings = settings;
    if (!m_settings)
        return;
    if (const auto last = m_settings->lastSchedule())
        prefill(last->type, last->arguments);
}

QString ScheduleDialog::flowType() const
{
    return m_type->currentData().toString();
}

int ScheduleDialog::count() const
{
    return m_count->value();
}

QString ScheduleDialog::statusText() const
{
    return m_status->text();
}

void ScheduleDialog::typeChanged()
{
    const FlowTypeInfo *info = m_registry.info(flowType());
    if (!info) {
        m_form->setSchema({});
        revalidate();
        return;
    }
    m_description->setText(info->description);
    m_form->setSchema(info->schema);
    revalidate();
}

Result<ScheduleRequest> ScheduleDialog::request() const
{
    if (!m_registry.contains(flowType()))
        return Error(tr("Choose a flow type."));
    auto entered = m_form->arguments();
    if (!entered)
        return entered.error();
    // The scheduler's own check: unknown and missing fields, types; defaults filled in.
    auto validated = m_registry.validate(flowType(), *entered);
    if (!validated)
        return validated.error();
    ScheduleRequest request;
    request.type = flowType();
    request.arguments = validated.take();
    if (m_startAtOn->isChecked())
        request.startAt = m_startAt->dateTime();
    else
        request.delay = std::chrono::milliseconds(qint64(m_delay->value() * 1000.0));
    request.priority = m_priority->value();
    request.idempotencyKey = m_key->text().trimmed();
    return request;
}

void ScheduleDialog::fitForm()
{
    // The whole form shows without scrolling, wrapped messages included, up to a height; a
    // long schema scrolls. (A window's layout does not follow the height-for-width of wrapped
    // labels by itself.)
    const int width = std::max(m_formArea->viewport()->width(), m_form->minimumSizeHint().width());
    const int height = m_form->hasHeightForWidth() ? m_form->heightForWidth(width) : m_form->sizeHint().height();
    if (m_formArea->minimumHeight() == std::min(height, 420))
        return;
    m_formArea->setMinimumHeight(std::min(height, 420));
    layout()->activate();
    if (isVisible() && this->height() < minimumSizeHint().height())
        resize(this->width(), minimumSizeHint().height());
}

void ScheduleDialog::resizeEvent(QResizeEvent *event)
{
    QDialog::resizeEvent(event);
    fitForm();
}

bool ScheduleDialog::eventFilter(QObject *watched, QEvent *event)
{
    // New editors show (and messages wrap) only once the form's layout has run.
    if (watched == m_form && event->type() == QEvent::LayoutRequest)
        QMetaObject::invokeMethod(this, &ScheduleDialog::fitForm, Qt::QueuedConnection);
    return QDialog::eventFilter(watched, event);
}

void ScheduleDialog::revalidate()
{
    if (m_busy)
        return;
    const auto current = request();
    m_schedule->setEnabled(current.ok());
    if (current.ok() || !m_registry.contains(flowType())) {
        setStatus(QString(), false);
        return;
    }
    // A fault the form's editors do not see (the schema's verdict) goes under its field.
    const QString field = fieldOf(current.errorString());
    if (!field.isEmpty() && m_form->arguments().ok() && m_form->editor(field)) {
        m_form->setMessage(field, current.errorString());
        setStatus(QString(), false);
        return;
    }
    setStatus(QString(), false);
}

void ScheduleDialog::schedule()
{
    if (m_busy)
        return;
    const auto current = request();
    if (!current) {
        m_form->showAllErrors();
        setStatus(current.errorString(), true);
        return;
    }
    setBusy(true);
    m_progress->setRange(0, 0); // busy until the first progress report
    m_progress->show();
    setStatus(count() == 1 ? tr("Scheduling one %1 flow…").arg(current->type)
                           : tr("Scheduling %L1 %2 flows…").arg(count()).arg(current->type),
              false);
    if (m_settings)
        m_settings->setLastSchedule({current->type, m_form->arguments().value_or(current->arguments)});
    Q_EMIT scheduleRequested(*current, count());
}

void ScheduleDialog::showProgress(int done, int total)
{
    m_progress->setRange(0, std::max(1, total));
    m_progress->setValue(std::clamp(done, 0, std::max(1, total)));
    m_progress->show();
    setStatus(tr("Scheduled %L1 of %L2 flows…").arg(done).arg(total), false);
}

void ScheduleDialog::showFinished(const QString &summary)
{
    setBusy(false);
    m_progress->hide();
    setStatus(summary, false);
    revalidate();
    setStatus(summary, false);
}

void ScheduleDialog::showFailed(const QString &error)
{
    setBusy(false);
    m_progress->hide();
    revalidate();
    setStatus(tr("Not scheduled: %1").arg(error), true);
}

void ScheduleDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_type->setEnabled(!busy && m_type->count() > 0);
    m_form->setEnabled(!busy);
    m_count->setEnabled(!busy);
    m_delay->setEnabled(!busy && !m_startAtOn->isChecked());
    m_startAtOn->setEnabled(!busy);
    m_startAt->setEnabled(!busy && m_startAtOn->isChecked());
    m_priority->setEnabled(!busy);
    m_key->setEnabled(!busy);
    m_schedule->setEnabled(!busy);
}

void ScheduleDialog::setStatus(const QString &text, bool problem)
{
    m_status->setText(text);
    m_status->setToolTip(text); // whole, should it need more than its three lines
    QPalette pal = m_status->palette();
    pal.setColor(QPalette::WindowText,
                 problem ? flowformat::statusColor(FlowStatus::Failed, palette())
                         : palette().color(QPalette::WindowText));
    m_status->setPalette(pal);
}

} // namespace ergon
