#include "pages/flowspage.h"

#include "models/flowformat.h"
#include "models/flowlistcontroller.h"
#include "models/flowtablemodel.h"
#include "pages/flowdetailpane.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace ergon {

namespace {

constexpr FlowStatus allStatuses[] = {FlowStatus::Pending,   FlowStatus::Running, FlowStatus::Waiting,
                                      FlowStatus::Completed, FlowStatus::Failed,  FlowStatus::Cancelled};

QString statusLabel(FlowStatus status)
{
    QString text = toString(status);
    text[0] = text[0].toUpper();
    return text;
}

} // namespace

FlowsPage::FlowsPage(QWidget *parent)
    : QWidget(parent)
    , m_controller(new FlowListController(this))
{
    m_detail = new FlowDetailPane(this);
    buildTable();
    m_info = new QLabel(m_controller->statusText(), this);
    m_info->setForegroundRole(QPalette::PlaceholderText);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    m_stack->addWidget(buildNote());

    auto *listSide = new QWidget(this);
    auto *listLayout = new QVBoxLayout(listSide);
    listLayout->setContentsMargins(8, 8, 4, 4);
    listLayout->setSpacing(6);
    listLayout->addLayout(buildFilterBar());
    listLayout->addWidget(m_stack, 1);
    // The bulk actions sit under the table, next to what it holds.
    listLayout->addLayout(buildFooter());

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(listSide);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({600, 400});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connectController();
    updateCounts();
    updateBulkButtons();
    updateEmptyState();
}

FlowsPage::~FlowsPage() = default;

QLayout *FlowsPage::buildFilterBar()
{
    m_statusBox = new QComboBox(this);
    m_statusBox->addItem(tr("All statuses"));
    for (const FlowStatus status : allStatuses)
        m_statusBox->addItem(flowformat::statusIcon(status, palette()), statusLabel(status), int(status));
    m_statusBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_statusBox->setToolTip(tr("Show only flows of one status"));

    m_typeBox = new QComboBox(this);
    m_typeBox->addItem(tr("All types"), QString());
    m_typeBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_typeBox->setMinimumContentsLength(16);
    m_typeBox->setToolTip(tr("Show only flows of one type"));

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search id or arguments"));
    m_search->setClearButtonEnabled(true);
    m_search->addAction(style()->standardIcon(QStyle::SP_FileDialogContentsView), QLineEdit::LeadingPosition);
    m_search->setToolTip(tr("A flow id, or text found in the flows' arguments (Ctrl+F; Escape clears it)"));
    m_search->installEventFilter(this);
    auto *find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QAction::triggered, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    addAction(find);

    connect(m_statusBox, &QComboBox::activated, this, &FlowsPage::applyFilterFromBar);
    connect(m_typeBox, &QComboBox::activated, this, &FlowsPage::applyFilterFromBar);
    connect(m_search, &QLineEdit::textEdited, this, &FlowsPage::applyFilterFromBar);

    auto *bar = new QHBoxLayout;
    bar->setSpacing(6);
    bar->addWidget(m_statusBox);
    bar->addWidget(m_typeBox);
    bar->addWidget(m_search, 1);
    return bar;
}

void FlowsPage::buildTable()
{
    m_view = new QTableView(this);
    m_view->setModel(m_controller->sortedModel());
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 10);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(FlowTableModel::IdColumn, Qt::DescendingOrder);
    // Columns as wide as their typical content.
    const QFontMetrics metrics = m_view->fontMetrics();
    const int padding = 2 * metrics.horizontalAdvance(QLatin1Char('M'));
    const int iconWidth = m_view->style()->pixelMetric(QStyle::PM_SmallIconSize) + 4;
    const std::pair<int, int> widths[] = {
        {FlowTableModel::IdColumn, metrics.horizontalAdvance(QStringLiteral("0000000")) + padding},
        {FlowTableModel::TypeColumn, metrics.horizontalAdvance(QStringLiteral("orders.OrderProcessor")) + padding / 2},
        {FlowTableModel::StatusColumn,
         metrics.horizontalAdvance(QStringLiteral("completed")) + iconWidth + padding / 2},
        {FlowTableModel::StepsColumn, metrics.horizontalAdvance(QStringLiteral("Steps")) + padding},
        {FlowTableModel::CreatedColumn, metrics.horizontalAdvance(QStringLiteral("00 May 00:00")) + padding},
        {FlowTableModel::UpdatedColumn, metrics.horizontalAdvance(QStringLiteral("00 May 00:00")) + padding},
        {FlowTableModel::ArgumentsColumn,
         metrics.horizontalAdvance(QStringLiteral("\"order_id\":\"ORD-0000\"")) + padding},
    };
    for (const auto &[column, width] : widths)
        header->resizeSection(column, width);

    connect(header, &QHeaderView::sortIndicatorChanged, m_controller, &FlowListController::sortBy);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { onCurrentChanged(current); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FlowsPage::updateBulkButtons);
}

QWidget *FlowsPage::buildNote()
{
    m_noteBox = new QWidget(this);
    m_note = new QLabel(m_noteBox);
    m_note->setAlignment(Qt::AlignCenter);
    m_note->setWordWrap(true);
    m_note->setEnabled(false); // the palette's muted text colour
    // An empty database: the next things to do, one click away.
    m_scheduleButton = new QPushButton(tr("Schedule a Flow…"), m_noteBox);
    m_scheduleButton->setToolTip(tr("Flows › Schedule… (Ctrl+N)"));
    m_workersButton = new QPushButton(tr("Start Workers…"), m_noteBox);
    m_workersButton->setToolTip(tr("Workers run the flows: start some in this console on the Workers page"));
    connect(m_scheduleButton, &QPushButton::clicked, this, &FlowsPage::scheduleRequested);
    connect(m_workersButton, &QPushButton::clicked, this, &FlowsPage::workersRequested);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_scheduleButton);
    buttons->addWidget(m_workersButton);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(m_noteBox);
    layout->addStretch(1);
    layout->addWidget(m_note);
    layout->addLayout(buttons);
    layout->addStretch(1);
    return m_noteBox;
}

QLayout *FlowsPage::buildFooter()
{
    m_bulkRetry = new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), tr("Retry"), this);
    m_bulkRetry->setToolTip(tr("Retry the selected failed flows, each from its failed step"));
    m_bulkCancel = new QPushButton(style()->standardIcon(QStyle::SP_DialogCancelButton), tr("Cancel"), this);
    m_bulkCancel->setToolTip(tr("Cancel the selected flows that have not finished"));
    connect(m_bulkRetry, &QPushButton::clicked, this,
            [this] { m_controller->retry(m_controller->failedAmong(selectedFlowIds())); });
    connect(m_bulkCancel, &QPushButton::clicked, this,
            [this] { confirmCancel(m_controller->unfinishedAmong(selectedFlowIds())); });
    auto *footer = new QHBoxLayout;
    footer->setSpacing(6);
    footer->addWidget(m_info, 1);
    footer->addWidget(m_bulkRetry);
    footer->addWidget(m_bulkCancel);
    return footer;
}

void FlowsPage::connectController()
{
    FlowListController *c = m_controller;
    connect(c, &FlowListController::aboutToMerge, this, &FlowsPage::rememberScrollAnchor);
    connect(c, &FlowListController::merged, this, &FlowsPage::restoreScrollAnchor);
    connect(c, &FlowListController::snapshotApplied, this, [this](quint64 generation) {
        updateBulkButtons();
        Q_EMIT snapshotApplied(generation);
    });
    connect(c, &FlowListController::firstPageShown, this, &FlowsPage::firstPageShown);
    connect(c, &FlowListController::searchMirrorLoaded, this, &FlowsPage::searchMirrorLoaded);
    connect(c, &FlowListController::filterChanged, this, &FlowsPage::showFilterInBar);
    connect(c, &FlowListController::countsChanged, this, &FlowsPage::updateCounts);
    connect(c, &FlowListController::typesChanged, this, &FlowsPage::updateTypes);
    connect(c, &FlowListController::statusTextChanged, m_info, &QLabel::setText);
    connect(c, &FlowListController::emptyStateChanged, this, &FlowsPage::updateEmptyState);
    connect(c, &FlowListController::detailAvailable, m_detail, &FlowDetailPane::showDetail);
    connect(c, &FlowListController::sortReset, this, [this](int column, Qt::SortOrder order) {
        const QSignalBlocker block(m_view->horizontalHeader());
        m_view->horizontalHeader()->setSortIndicator(column, order);
    });
    connect(c->model(), &FlowTableModel::moreRequested, this, &FlowsPage::showMoreIfLastRowShows);
    connect(m_detail, &FlowDetailPane::retryRequested, c,
            [c](qint64 flowId, const QString &stepName) { c->retry({flowId}, stepName); });
    connect(m_detail, &FlowDetailPane::cancelRequested, this, [this](qint64 flowId) { confirmCancel({flowId}); });
    connect(m_detail, &FlowDetailPane::scheduleLikeRequested, this, &FlowsPage::scheduleLikeRequested);
}

void FlowsPage::setSession(ConsoleSession *session)
{
    m_detail->showFlow(0);
    m_controller->setSession(session);
}

FlowTableModel *FlowsPage::model() const
{
    return m_controller->model();
}

FlowFilter FlowsPage::filter() const
{
    return m_controller->filter();
}

quint64 FlowsPage::filterGeneration() const
{
    return m_controller->generation();
}

const FlowPageSnapshot &FlowsPage::lastSnapshot() const
{
    return m_controller->lastSnapshot();
}

QString FlowsPage::statusText() const
{
    return m_info->text();
}

qint64 FlowsPage::currentFlowId() const
{
    return m_controller->currentFlow();
}

void FlowsPage::setRegistry(const FlowRegistry *registry)
{
    m_detail->setRegistry(registry);
    m_controller->setRegistry(registry);
    updateTypes();
}

void FlowsPage::refresh()
{
    m_controller->refresh();
}

void FlowsPage::setFilter(const FlowFilter &filter)
{
    m_controller->setFilter(filter);
}

void FlowsPage::showFilterInBar(const FlowFilter &filter)
{
    const QSignalBlocker blockStatus(m_statusBox);
    const QSignalBlocker blockType(m_typeBox);
    const QSignalBlocker blockSearch(m_search);
    m_statusBox->setCurrentIndex(filter.status ? m_statusBox->findData(int(*filter.status)) : 0);
    if (!filter.type.isEmpty() && m_typeBox->findData(filter.type) < 0)
        m_typeBox->addItem(filter.type, filter.type);
    m_typeBox->setCurrentIndex(filter.type.isEmpty() ? 0 : m_typeBox->findData(filter.type));
    if (m_search->text() != filter.text)
        m_search->setText(filter.text);
}

void FlowsPage::applyFilterFromBar()
{
    FlowFilter filter;
    if (m_statusBox->currentIndex() > 0)
        filter.status = FlowStatus(m_statusBox->currentData().toInt());
    filter.type = m_typeBox->currentData().toString();
    filter.text = m_search->text().trimmed();
    if (filter == m_controller->filter())
        return;
    m_controller->setFilter(filter);
}

void FlowsPage::showFlow(qint64 flowId)
{
    const int row = model()->rowOf(flowId);
    if (row >= 0) {
        const QModelIndex index = m_controller->sortedModel()->mapFromSource(model()->index(row, 0));
        m_view->selectionModel()->setCurrentIndex(index,
                                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(index);
        return;
    }
    m_detail->showFlow(flowId);
    m_controller->setCurrentFlow(flowId);
    syncCurrentRow();
}

void FlowsPage::updateCounts()
{
    // The session's counts: the same numbers as the sidebar and the Overview.
    const bool known = m_controller->hasCounts();
    const QMap<FlowStatus, qint64> counts = m_controller->counts();
    qint64 total = 0;
    for (const qint64 count : counts)
        total += count;
    m_statusBox->setItemText(0, known ? tr("All statuses (%L1)").arg(total) : tr("All statuses"));
    for (int i = 1; i < m_statusBox->count(); ++i) {
        const auto status = FlowStatus(m_statusBox->itemData(i).toInt());
        m_statusBox->setItemText(
            i, known ? tr("%1 (%L2)").arg(statusLabel(status)).arg(counts.value(status, 0)) : statusLabel(status));
    }
}

void FlowsPage::updateTypes()
{
    // The current item stays current as others are inserted, in name order.
    const QSignalBlocker block(m_typeBox);
    for (const QString &type : m_controller->types()) {
        if (m_typeBox->findData(type) >= 0)
            continue;
        int at = 1;
        while (at < m_typeBox->count() && m_typeBox->itemData(at).toString() < type)
            ++at;
        m_typeBox->insertItem(at, type, type);
    }
}

QList<qint64> FlowsPage::selectedFlowIds() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<qint64> ids;
    ids.reserve(rows.size());
    for (const QModelIndex &index : std::as_const(rows))
        ids.append(index.data(FlowTableModel::FlowIdRole).toLongLong());
    return ids;
}

void FlowsPage::updateBulkButtons()
{
    const QList<qint64> selected = selectedFlowIds();
    const qsizetype failed = m_controller->failedAmong(selected).size();
    const qsizetype unfinished = m_controller->unfinishedAmong(selected).size();
    m_bulkRetry->setEnabled(failed > 0);
    m_bulkRetry->setText(failed > 1 ? tr("Retry %L1").arg(failed) : tr("Retry"));
    m_bulkCancel->setEnabled(unfinished > 0);
    m_bulkCancel->setText(unfinished > 1 ? tr("Cancel %L1").arg(unfinished) : tr("Cancel"));
}

void FlowsPage::updateEmptyState()
{
    using Empty = FlowListController::Empty;
    const Empty empty = m_controller->emptyState();
    if (empty == Empty::No || empty == Empty::Reading) {
        m_stack->setCurrentWidget(m_view);
        return;
    }
    const bool firstRun = empty == Empty::NoFlows;
    m_scheduleButton->setVisible(firstRun);
    m_workersButton->setVisible(firstRun);
    switch (empty) {
    case Empty::NoFlows:
        m_note->setText(tr("No flows in this database yet.\nSchedule one (Ctrl+N), and start workers to run it."));
        break;
    case Empty::NoMatch:
        m_note->setText(tr("No flow matches the filter."));
        break;
    case Empty::CannotOpen:
        m_note->setText(tr("Cannot open the database.\n%1").arg(m_controller->openError()));
        break;
    case Empty::No:
    case Empty::Reading:
        break;
    }
    m_stack->setCurrentWidget(m_noteBox);
}

void FlowsPage::rememberScrollAnchor()
{
    // Keep the row at the top of the viewport where it is, unless the view is at the very top
    // (then new flows show up there).
    m_merging = true;
    m_anchorId = 0;
    if (m_view->verticalScrollBar()->value() <= 0)
        return;
    const QModelIndex top = m_view->indexAt(QPoint(1, 1));
    if (top.isValid()) {
        m_anchorId = top.data(FlowTableModel::FlowIdRole).toLongLong();
        m_anchorTop = m_view->visualRect(top).top();
    }
}

void FlowsPage::restoreScrollAnchor()
{
    m_merging = false;
    syncCurrentRow();
    if (m_anchorId == 0)
        return;
    const int row = model()->rowOf(m_anchorId);
    if (row < 0)
        return;
    m_view->doItemsLayout();
    const QModelIndex index = m_controller->sortedModel()->mapFromSource(model()->index(row, 0));
    const int delta = m_view->visualRect(index).top() - m_anchorTop;
    if (delta != 0)
        m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->value() + delta);
}

void FlowsPage::syncCurrentRow()
{
    // The current row is the flow the pane shows, or none: when rows go in a merge, the view
    // moves its current index to a neighbour the user never picked, and a click on that row
    // would then change nothing.
    QItemSelectionModel *selection = m_view->selectionModel();
    const qint64 shown = m_controller->currentFlow();
    const QModelIndex current = selection->currentIndex();
    if (current.isValid() && current.data(FlowTableModel::FlowIdRole).toLongLong() == shown)
        return;
    const int row = shown > 0 ? model()->rowOf(shown) : -1;
    m_merging = true;
    if (row >= 0)
        selection->setCurrentIndex(m_controller->sortedModel()->mapFromSource(model()->index(row, 0)),
                                   QItemSelectionModel::NoUpdate);
    else
        selection->clearCurrentIndex();
    m_merging = false;
}

void FlowsPage::onCurrentChanged(const QModelIndex &current)
{
    // A row that moves or goes during a merge does not change the flow the user picked.
    if (m_merging || !current.isValid())
        return;
    const qint64 flowId = current.data(FlowTableModel::FlowIdRole).toLongLong();
    if (flowId == m_controller->currentFlow())
        return;
    m_detail->showFlow(flowId);
    m_controller->setCurrentFlow(flowId);
}

void FlowsPage::showMoreIfLastRowShows()
{
    // Only rows someone can see are loaded: a hidden view asks for more after every insertion,
    // and a view not laid out yet cannot tell where its last row is.
    bool lastRowShows = false;
    if (m_view->isVisible()) {
        m_view->doItemsLayout();
        const QAbstractItemModel *shown = m_view->model();
        const QModelIndex last = shown->index(shown->rowCount() - 1, 0);
        lastRowShows = !last.isValid() || m_view->viewport()->rect().intersects(m_view->visualRect(last));
    }
    if (!lastRowShows) {
        model()->cancelFetch();
        return;
    }
    m_controller->loadMore(model()->rowCount() + FlowListController::pageSize());
}

void FlowsPage::confirmCancel(const QList<qint64> &flowIds)
{
    if (flowIds.isEmpty())
        return;
    // Opened, not exec()'d: no nested event loop; the table stays live behind it.
    const int count = int(flowIds.size());
    auto *box =
        new QMessageBox(QMessageBox::Warning, tr("Cancel Flows"),
                        count == 1 ? tr("Cancel flow %1?").arg(flowIds.first()) : tr("Cancel %L1 flows?").arg(count),
                        QMessageBox::NoButton, this);
    box->setInformativeText(tr("A cancelled flow runs no further step: a running one stops at its next step or "
                               "timer. It cannot be resumed or retried."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *confirm = box->addButton(count == 1 ? tr("Cancel Flow") : tr("Cancel %L1 Flows").arg(count),
                                          QMessageBox::DestructiveRole);
    box->setDefaultButton(box->addButton(tr("Keep"), QMessageBox::RejectRole));
    connect(box, &QMessageBox::buttonClicked, this, [this, confirm, flowIds](QAbstractButton *button) {
        if (button == confirm)
            m_controller->cancel(flowIds);
    });
    box->open();
}

bool FlowsPage::eventFilter(QObject *watched, QEvent *event)
{
    // Escape in the search field clears it (and the text filter).
    if (watched == m_search && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent *>(event)->key() == Qt::Key_Escape && !m_search->text().isEmpty()) {
        m_search->clear();
        applyFilterFromBar();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void FlowsPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        for (int i = 1; i < m_statusBox->count(); ++i)
            m_statusBox->setItemIcon(i,
                                     flowformat::statusIcon(FlowStatus(m_statusBox->itemData(i).toInt()), palette()));
    }
    QWidget::changeEvent(event);
}

} // namespace ergon
