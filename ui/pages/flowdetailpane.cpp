#include "pages/flowdetailpane.h"

#include "models/consoleformat.h"
#include "models/flowformat.h"
#include "models/flowstepsmodel.h"
#include "widgets/columnfitter.h"
#include "widgets/steptimeline.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace ergon {

namespace {

QPlainTextEdit *makeJsonView(QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setFrameShape(QFrame::NoFrame);
    return edit;
}

QString colored(const QString &text, const QColor &color)
{
    return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color.name(), text.toHtmlEscaped());
}

} // namespace

FlowDetailPane::FlowDetailPane(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
    , m_note(new QLabel(tr("Select a flow to see its steps, arguments and result."), this))
    , m_title(new QLabel(this))
    , m_status(new QLabel(this))
    , m_explanationLabel(new QLabel(this))
    , m_times(new QLabel(this))
    , m_retry(new QPushButton(tr("&Retry failed step"), this))
    , m_cancel(new QPushButton(tr("Ca&ncel flow"), this))
    , m_scheduleLike(new QPushButton(tr("Schedule &Like This…"), this))
    , m_error(makeJsonView(this))
    , m_tabs(new QTabWidget(this))
    , m_stepsModel(new FlowStepsModel(this))
    , m_stepsView(new QTreeView(this))
    , m_stepError(new QLabel(this))
    , m_timeline(new StepTimeline(this))
    , m_timelineArea(new QScrollArea(this))
    , m_arguments(makeJsonView(this))
    , m_result(makeJsonView(this))
    , m_countdown(new QTimer(this))
{
    m_note->setAlignment(Qt::AlignCenter);
    m_note->setWordWrap(true);
    m_note->setEnabled(false); // the palette's muted text colour

    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long type name is cut rather than widening the pane.
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_title->setMinimumWidth(m_title->fontMetrics().horizontalAdvance(QStringLiteral("Flow 0000000")));
    m_status->setTextFormat(Qt::RichText);
    QFont statusFont = m_status->font();
    statusFont.setBold(true);
    m_status->setFont(statusFont);
    m_explanationLabel->setWordWrap(true);
    m_explanationLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_times->setWordWrap(true);
    m_times->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_times->setForegroundRole(QPalette::PlaceholderText);
    m_retry->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_retry->setToolTip(retryToolTip());
    m_cancel->setIcon(style()->standardIcon(QStyle::SP_DialogCancelButton));
    m_cancel->setToolTip(tr("Cancel the flow; a running flow stops at its next step"));
    m_scheduleLike->setFlat(true);
    m_scheduleLike->setToolTip(tr("Open the Schedule dialog with this flow's type and arguments"));

    m_error->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_error->setFrameShape(QFrame::StyledPanel);

    m_stepsView->setModel(m_stepsModel);
    m_stepsView->setRootIsDecorated(true);
    m_stepsView->setAlternatingRowColors(true);
    m_stepsView->setUniformRowHeights(true);
    m_stepsView->setAllColumnsShowFocus(true);
    m_stepsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // By content, in the pane's width: the error reads best with room, so when the pane is
    // narrow the worker and the tries go first (the error of the selected row is also shown
    // whole below the table).
    const QFontMetrics metrics = fontMetrics();
    const int pad = 2 * metrics.horizontalAdvance(QLatin1Char('M'));
    m_stepColumns = new ColumnFitter(m_stepsView, m_stepsView->header(), FlowStepsModel::ErrorColumn,
                                     metrics.averageCharWidth() * 28);
    const auto fit = [&](int column, const QString &sample, int priority, int extra = 0) {
        const QString header = m_stepsModel->headerData(column, Qt::Horizontal).toString();
        m_stepColumns->setColumn(
            column, std::max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(header)) + pad + extra,
            priority);
    };
    fit(FlowStepsModel::NameColumn, QStringLiteral("attempt 10"), 5, m_stepsView->indentation());
    fit(FlowStepsModel::StatusColumn, QStringLiteral("completed"), 4, 20); // and its dot
    fit(FlowStepsModel::DurationColumn, QStringLiteral("3 min 12 s"), 3);
    fit(FlowStepsModel::AttemptsColumn, QStringLiteral("00"), 1);
    fit(FlowStepsModel::WorkerColumn, QStringLiteral("host-00000-0"), 0);
    m_stepError->setWordWrap(true);
    m_stepError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stepError->setTextFormat(Qt::PlainText);
    m_stepError->hide();
    connect(m_stepsView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &FlowDetailPane::updateStepError);
    connect(m_stepsModel, &QAbstractItemModel::dataChanged, this, &FlowDetailPane::updateStepError);
    connect(m_stepsModel, &QAbstractItemModel::modelReset, this, &FlowDetailPane::updateStepError);
    // A step whose attempts failed opens to show them.
    connect(m_stepsModel, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent) {
        if (parent.isValid())
            m_stepsView->expand(parent);
    });
    connect(m_stepsModel, &QAbstractItemModel::modelReset, this, [this] {
        for (int row = 0; row < m_stepsModel->rowCount(); ++row) {
            const QModelIndex step = m_stepsModel->index(row, 0);
            if (m_stepsModel->rowCount(step) > 0)
                m_stepsView->expand(step);
        }
    });

    // The timeline takes the height of its lanes (up to ten, then it scrolls); the steps
    // table the rest.
    m_timelineArea->setWidget(m_timeline);
    m_timelineArea->setWidgetResizable(true);
    m_timelineArea->setFrameShape(QFrame::NoFrame);
    m_timelineArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_timelineArea->setBackgroundRole(QPalette::Base);
    auto *stepsPage = new QWidget(this);
    auto *stepsLayout = new QVBoxLayout(stepsPage);
    stepsLayout->setContentsMargins(0, 4, 0, 0);
    stepsLayout->setSpacing(4);
    stepsLayout->addWidget(m_timelineArea);
    stepsLayout->addWidget(m_stepsView, 1);
    stepsLayout->addWidget(m_stepError);
    m_tabs->addTab(stepsPage, tr("Steps"));
    m_tabs->addTab(m_arguments, tr("Arguments"));
    m_tabs->addTab(m_result, tr("Result"));
    m_tabs->setDocumentMode(true);

    auto *detail = new QWidget(this);
    // Title; status with the actions; why it is where it is; its times.
    auto *statusRow = new QHBoxLayout;
    statusRow->setSpacing(6);
    statusRow->addWidget(m_status);
    statusRow->addStretch(1);
    statusRow->addWidget(m_retry);
    statusRow->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(detail);
    layout->setContentsMargins(10, 8, 10, 6);
    layout->setSpacing(6);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_scheduleLike);
    layout->addLayout(titleRow);
    layout->addLayout(statusRow);
    layout->addWidget(m_explanationLabel);
    layout->addWidget(m_times);
    layout->addWidget(m_error);
    layout->addWidget(m_tabs, 1);

    m_stack->addWidget(m_note);
    m_stack->addWidget(detail);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_stack);

    connect(m_retry, &QPushButton::clicked, this, [this] {
        if (m_snapshot.flow && m_snapshot.flow->status == FlowStatus::Failed &&
            retryAdvice(*m_snapshot.flow, m_snapshot.steps, m_registry).helps)
            Q_EMIT retryRequested(m_flowId, failedStepName(m_snapshot.steps));
    });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_snapshot.flow && !isFinished(m_snapshot.flow->status))
            Q_EMIT cancelRequested(m_flowId);
    });
    connect(m_scheduleLike, &QPushButton::clicked, this, [this] {
        if (m_snapshot.flow)
            Q_EMIT scheduleLikeRequested(m_snapshot.flow->type, m_snapshot.flow->arguments);
    });
    // The explanation counts down ("fires in 3 min 12 s") between two reads.
    m_countdown->setInterval(1000);
    connect(m_countdown, &QTimer::timeout, this, &FlowDetailPane::updateExplanation);

    showFlow(0);
}

FlowDetailPane::~FlowDetailPane() = default;

QString FlowDetailPane::stepErrorText() const
{
    return m_stepError->isHidden() ? QString() : m_stepError->text();
}

void FlowDetailPane::updateStepError()
{
    // The whole error of the step or attempt selected, where it can be read at any width.
    const QModelIndex current = m_stepsView->currentIndex();
    const QString error = current.isValid()
        ? current.siblingAtColumn(FlowStepsModel::ErrorColumn).data(Qt::ToolTipRole).toString()
        : QString();
    if (error.isEmpty()) {
        m_stepError->hide();
        return;
    }
    const QString name = current.siblingAtColumn(FlowStepsModel::NameColumn).data().toString();
    const QModelIndex parent = current.parent();
    const QString where = parent.isValid()
        ? tr("%1, %2").arg(parent.siblingAtColumn(FlowStepsModel::NameColumn).data().toString(), name)
        : name;
    m_stepError->setText(tr("%1: %2").arg(where, error));
    QPalette pal = m_stepError->palette();
    pal.setColor(QPalette::WindowText, flowformat::statusColor(FlowStatus::Failed, palette()));
    m_stepError->setPalette(pal);
    m_stepError->show();
}

void FlowDetailPane::updateRetryButton()
{
    // A flow whose own code threw has no step to retry: the button says why (and the line
    // under the status what would help), rather than re-queue a flow that fails the same way.
    if (!m_snapshot.flow || m_snapshot.flow->status != FlowStatus::Failed) {
        m_retry->setEnabled(false);
        m_retry->setToolTip(retryToolTip());
        return;
    }
    const RetryAdvice advice = retryAdvice(*m_snapshot.flow, m_snapshot.steps, m_registry);
    m_retry->setEnabled(advice.helps);
    m_retry->setToolTip(advice.reason.isEmpty() ? retryToolTip() : advice.reason);
}

QString FlowDetailPane::retryToolTip()
{
    return tr("Re-queue the flow: its failed step gets a fresh retry budget; completed steps are replayed");
}

void FlowDetailPane::setRegistry(const FlowRegistry *registry)
{
    m_registry = registry;
    updateRetryButton();
    updateExplanation();
}

QString FlowDetailPane::argumentsText() const
{
    return m_arguments->toPlainText();
}

QString FlowDetailPane::resultText() const
{
    return m_result->toPlainText();
}

QString FlowDetailPane::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->toPlainText();
}

void FlowDetailPane::showFlow(qint64 flowId)
{
    if (flowId == m_flowId && flowId != 0)
        return;
    m_flowId = flowId;
    m_snapshot = FlowDetailSnapshot();
    m_snapshot.flowId = flowId;
    m_explanation = {};
    m_countdown->stop();
    m_retry->setEnabled(false);
    m_cancel->setEnabled(false);
    m_scheduleLike->setEnabled(false);
    if (flowId == 0) {
        m_note->setText(tr("Select a flow to see its steps, arguments and result."));
        m_stack->setCurrentWidget(m_note);
        m_stepsModel->clear();
        m_timeline->clear();
        return;
    }
    m_note->setText(tr("Reading flow %1…").arg(flowId));
    m_stack->setCurrentWidget(m_note);
}

void FlowDetailPane::showDetail(const FlowDetailSnapshot &snapshot)
{
    if (snapshot.flowId != m_flowId || m_flowId == 0)
        return; // the answer for a flow no longer shown
    if (!snapshot.error.isEmpty()) {
        // Keep what is shown; the next read tries again.
        m_explanationLabel->setToolTip(tr("The last read failed: %1").arg(snapshot.error));
        return;
    }
    if (!snapshot.flow) {
        m_snapshot = snapshot;
        m_note->setText(tr("Flow %1 is not in the database.").arg(snapshot.flowId));
        m_stack->setCurrentWidget(m_note);
        m_countdown->stop();
        m_retry->setEnabled(false);
        m_cancel->setEnabled(false);
        m_scheduleLike->setEnabled(false);
        return;
    }
    m_snapshot = snapshot;
    const FlowRecord &flow = *snapshot.flow;
    const QPalette pal = palette();
    const QDate today = QDate::currentDate();

    m_title->setText(tr("Flow %1 · %2").arg(flow.id).arg(flow.type));
    m_status->setText(colored(QStringLiteral("● ") + toString(flow.status), flowformat::statusColor(flow.status, pal)));

    QStringList times;
    times << tr("created %1").arg(flowformat::time(flow.created, today));
    if (flow.runAt.isValid() && flow.runAt != flow.created && !isFinished(flow.status))
        times << tr("due %1").arg(flowformat::time(flow.runAt, today));
    if (flow.runStarted.isValid() && !isFinished(flow.status))
        times << tr("run started %1").arg(flowformat::time(flow.runStarted, today));
    times << tr("updated %1").arg(flowformat::time(flow.updated, today));
    if (flow.finished.isValid())
        times << tr("finished %1 (%2 after creation)")
                     .arg(flowformat::time(flow.finished, today), style::duration(flow.created, flow.finished));
    if (!flow.leaseOwner.isEmpty())
        times << tr("held by %1").arg(flow.leaseOwner);
    times << tr("priority %1").arg(flow.priority) << tr("version %1").arg(flow.typeVersion);
    if (!flow.idempotencyKey.isEmpty())
        times << tr("key %1").arg(flow.idempotencyKey);
    m_times->setText(times.join(QStringLiteral("  ·  ")));

    m_error->setVisible(!flow.error.isEmpty());
    if (m_error->toPlainText() != flow.error) {
        m_error->setPlainText(flow.error);
        // As high as the text, about, up to five lines; then it scrolls.
        const int chars =
            std::max(40, m_error->viewport()->width() / std::max(1, m_error->fontMetrics().averageCharWidth()));
        int lines = 0;
        for (const QString &line : flow.error.split(QLatin1Char('\n')))
            lines += 1 + int(line.size()) / chars;
        m_error->setFixedHeight(m_error->fontMetrics().lineSpacing() * std::clamp(lines + 1, 2, 5) + 10);
    }

    setJson(m_arguments, flowformat::prettyJson(flow.arguments));
    setJson(m_result,
            flow.resultJson.isEmpty() ? (flow.status == FlowStatus::Completed ? QStringLiteral("null") : QString())
                                      : flowformat::prettyJson(flow.resultJson));
    m_tabs->setTabText(0, tr("Steps (%1)").arg(snapshot.steps.size()));

    m_stepsModel->setSteps(flow.id, snapshot.steps, snapshot.readAt);
    m_timeline->setSteps(snapshot.steps, snapshot.readAt);
    m_timelineArea->setFixedHeight(m_timeline->heightForLanes(std::min(m_timeline->laneCount(), 10)));

    updateRetryButton();
    m_cancel->setEnabled(!isFinished(flow.status));
    m_scheduleLike->setEnabled(true);
    m_stack->setCurrentIndex(1);
    m_explanationLabel->setToolTip({});
    updateExplanation();
    if (isFinished(flow.status))
        m_countdown->stop();
    else if (!m_countdown->isActive())
        m_countdown->start();
}

void FlowDetailPane::updateExplanation()
{
    if (!m_snapshot.flow) {
        m_explanationLabel->hide();
        return;
    }
    // The log was read at readAt; between reads the countdown moves with the wall clock.
    m_explanation = explainFlowStatus(*m_snapshot.flow, m_snapshot.steps, m_snapshot.workers, m_registry,
                                      QDateTime::currentDateTimeUtc());
    m_explanationLabel->setVisible(!m_explanation.text.isEmpty());
    if (m_explanation.text.isEmpty())
        return;
    const QPalette pal = palette();
    const QColor accent =
        m_explanation.isProblem() ? flowformat::statusColor(FlowStatus::Failed, pal) : pal.color(QPalette::Text);
    m_explanationLabel->setText(m_explanation.text);
    QPalette labelPalette = m_explanationLabel->palette();
    labelPalette.setColor(QPalette::WindowText, accent);
    m_explanationLabel->setPalette(labelPalette);
    QFont font = m_explanationLabel->font();
    font.setBold(m_explanation.isProblem());
    m_explanationLabel->setFont(font);
}

void FlowDetailPane::setJson(QPlainTextEdit *edit, const QString &text)
{
    // Setting the same text again would reset the reader's scroll position and selection.
    if (edit->toPlainText() != text)
        edit->setPlainText(text);
}

} // namespace ergon
