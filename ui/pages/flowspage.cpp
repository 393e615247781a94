#include "pages/flowspage.h"

#include "pages/flowdetailpane.h"
#include "models/flowformat.h"
#include "session/flowpagereader.h"
#include "models/flowtablemodel.h"

#include "ergon/flowregistry.h"

#include <QAction>
#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QThread>
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

// The table view, with the one thing the page needs that QTableView keeps protected: laying
// its rows out now, so that the scroll position can be restored right after a merge.
class FlowTableView : public QTableView
{
public:
    using QTableView::QTableView;

    void layoutNow()
    {
        executeDelayedItemsLayout();
        updateGeometries();
    }
};

// Reader threads of pages already gone, still finishing a query.
QSet<QThread *> &retiringThreads()
{
    static QSet<QThread *> threads;
    return threads;
}

bool &applicationQuitting()
{
    static bool quitting = false;
    return quitting;
}

void waitForRetiringThreads()
{
    applicationQuitting() = true;
    for (QThread *thread : std::as_const(retiringThreads()))
        thread->wait();
}

void retireReaderThread(QThread *thread)
{
    auto *app = QCoreApplication::instance();
    if (!app || applicationQuitting() || QCoreApplication::closingDown()) {
        thread->quit();
        thread->wait();
        delete thread;
        return;
    }
    static const bool watching = [app] {
        QObject::connect(app, &QCoreApplication::aboutToQuit, app, &waitForRetiringThreads);
        qAddPostRoutine(&waitForRetiringThreads); // QTEST_MAIN and others that never exec()
        return true;
    }();
    Q_UNUSED(watching);
    retiringThreads().insert(thread);
    QObject::connect(thread, &QThread::finished, app, [thread] {
        retiringThreads().remove(thread);
        thread->deleteLater();
    });
    thread->quit();
}

} // namespace

FlowsPage::FlowsPage(Opener opener, QWidget *parent)
    : QWidget(parent)
    , m_latest(std::make_shared<std::atomic<quint64>>(0))
{
    qRegisterMetaType<FlowFilter>();
    qRegisterMetaType<FlowPageSnapshot>();
    qRegisterMetaType<FlowDetailSnapshot>();
    buildUi();

    m_thread = new QThread; // not a child: it may outlive the page (see the destructor)
    m_thread->setObjectName(QStringLiteral("flows-page-reader"));
    m_reader = new FlowPageReader(std::move(opener), m_latest);
    m_reader->moveToThread(m_thread);
    connect(m_thread, &QThread::started, m_reader, &FlowPageReader::start);
    // Deleted on its own thread, where its connection was opened.
    connect(m_thread, &QThread::finished, m_reader, &QObject::deleteLater);
    connect(m_reader, &FlowPageReader::pageAvailable, this, &FlowsPage::applyPage);
    connect(m_reader, &FlowPageReader::detailAvailable, m_detail, &FlowDetailPane::showDetail);
    connect(m_reader, &FlowPageReader::openFailed, this, &FlowsPage::showOpenError);
    connect(m_reader, &FlowPageReader::searchMirrorLoaded, this, &FlowsPage::searchMirrorLoaded);
    connect(m_reader, &FlowPageReader::readFailed, this, [this](const QString &error) {
        m_readError = error;
        updateStatusText();
    });
    m_thread->start();
}

FlowsPage::~FlowsPage()
{
    // The reader may be in the middle of a long query (a text search over a million flows):
    // the page goes at once and the thread ends in the background, the reader deleted on it.
    // Only when the application is quitting is the thread waited for.
    retireReaderThread(m_thread);
}

void FlowsPage::buildUi()
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
    m_search->setToolTip(tr("A flow id, or text found in the flows' arguments (Ctrl+F)"));
    auto *find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QAction::triggered, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    addAction(find);

    m_bulkRetry = new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), tr("Retry"), this);
    m_bulkRetry->setToolTip(tr("Retry the selected failed flows, each from its failed step"));
    m_bulkCancel = new QPushButton(style()->standardIcon(QStyle::SP_DialogCancelButton), tr("Cancel"), this);
    m_bulkCancel->setToolTip(tr("Cancel the selected flows that have not finished"));

    m_info = new QLabel(tr("Reading the database…"), this);
    m_info->setForegroundRole(QPalette::PlaceholderText);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_model = new FlowTableModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FlowTableModel::SortRole);
    m_proxy->setDynamicSortFilter(true);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    auto *view = new FlowTableView(this);
    m_view = view;
    m_view->setModel(m_proxy);
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
    const QFontMetrics metrics = m_view->fontMetrics();
    const int padding = 2 * metrics.horizontalAdvance(QLatin1Char('M'));
    const int iconWidth = m_view->style()->pixelMetric(QStyle::PM_SmallIconSize) + 4;
    header->resizeSection(FlowTableModel::IdColumn, metrics.horizontalAdvance(QStringLiteral("0000000")) + padding);
    header->resizeSection(FlowTableModel::TypeColumn,
                          metrics.horizontalAdvance(QStringLiteral("orders.OrderProcessor")) + padding / 2);
    header->resizeSection(FlowTableModel::StatusColumn,
                          metrics.horizontalAdvance(QStringLiteral("completed")) + iconWidth + padding / 2);
    header->resizeSection(FlowTableModel::StepsColumn, metrics.horizontalAdvance(QStringLiteral("Steps")) + padding);
    header->resizeSection(FlowTableModel::CreatedColumn,
                          metrics.horizontalAdvance(QStringLiteral("00 May 00:00")) + padding);
    header->resizeSection(FlowTableModel::UpdatedColumn,
                          metrics.horizontalAdvance(QStringLiteral("00 May 00:00")) + padding);
    header->resizeSection(FlowTableModel::ArgumentsColumn,
                          metrics.horizontalAdvance(QStringLiteral("\"order_id\":\"ORD-0000\"")) + padding);

    m_note = new QLabel(this);
    m_note->setAlignment(Qt::AlignCenter);
    m_note->setWordWrap(true);
    m_note->setEnabled(false); // the palette's muted text colour
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_note);

    m_detail = new FlowDetailPane(this);

    auto *bar = new QHBoxLayout;
    bar->setSpacing(6);
    bar->addWidget(m_statusBox);
    bar->addWidget(m_typeBox);
    bar->addWidget(m_search, 1);
    // The bulk actions sit under the table, next to what it holds.
    auto *footer = new QHBoxLayout;
    footer->setSpacing(6);
    footer->addWidget(m_info, 1);
    footer->addWidget(m_bulkRetry);
    footer->addWidget(m_bulkCancel);

    auto *listSide = new QWidget(this);
    auto *listLayout = new QVBoxLayout(listSide);
    listLayout->setContentsMargins(8, 8, 4, 4);
    listLayout->setSpacing(6);
    listLayout->addLayout(bar);
    listLayout->addWidget(m_stack, 1);
    listLayout->addLayout(footer);

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

    connect(m_statusBox, &QComboBox::activated, this, &FlowsPage::applyFilterFromBar);
    connect(m_typeBox, &QComboBox::activated, this, &FlowsPage::applyFilterFromBar);
    connect(m_search, &QLineEdit::textEdited, this, &FlowsPage::applyFilterFromBar);
    connect(header, &QHeaderView::sortIndicatorChanged, this, &FlowsPage::onSortRequested);
    connect(m_model, &FlowTableModel::moreRequested, this, [this] {
        // Only rows someone can see are loaded: a hidden view asks for more after every
        // insertion, and a view not laid out yet cannot tell where its last row is.
        auto *view = static_cast<FlowTableView *>(m_view);
        bool lastRowShows = false;
        if (view->isVisible()) {
            view->layoutNow();
            const QModelIndex last = m_proxy->index(m_proxy->rowCount() - 1, 0);
            lastRowShows = !last.isValid() || view->viewport()->rect().intersects(view->visualRect(last));
        }
        if (!lastRowShows) {
            m_model->cancelFetch();
            return;
        }
        requestMore(m_model->rowCount() + FlowPageReader::defaultPageSize);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { onCurrentChanged(current); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FlowsPage::updateBulkButtons);
    connect(m_bulkRetry, &QPushButton::clicked, this, [this] {
        QList<qint64> ids;
        for (const qint64 id : selectedFlowIds()) {
            const int row = m_model->rowOf(id);
            if (row >= 0 && m_model->flowAt(row).status == FlowStatus::Failed)
                ids.append(id);
        }
        if (!ids.isEmpty())
            Q_EMIT retryRequested(ids, QString());
    });
    connect(m_bulkCancel, &QPushButton::clicked, this, [this] {
        QList<qint64> ids;
        for (const qint64 id : selectedFlowIds()) {
            const int row = m_model->rowOf(id);
            if (row >= 0 && !isFinished(m_model->flowAt(row).status))
                ids.append(id);
        }
        if (!ids.isEmpty())
            Q_EMIT cancelRequested(ids);
    });
    connect(m_detail, &FlowDetailPane::retryRequested, this,
            [this](qint64 flowId, const QString &stepName) { Q_EMIT retryRequested({flowId}, stepName); });
    connect(m_detail, &FlowDetailPane::cancelRequested, this,
            [this](qint64 flowId) { Q_EMIT cancelRequested({flowId}); });
    updateBulkButtons();
}

void FlowsPage::setRegistry(const FlowRegistry *registry)
{
    m_registry = registry;
    m_detail->setRegistry(registry);
    if (!registry)
        return;
    QList<FlowRecord> known;
    for (const FlowTypeInfo &info : registry->types()) {
        FlowRecord flow;
        flow.type = info.name;
        known.append(flow);
    }
    updateTypes(known);
    for (int i = 1; i < m_typeBox->count(); ++i) {
        if (const FlowTypeInfo *info = registry->info(m_typeBox->itemData(i).toString()))
            m_typeBox->setItemData(i, info->description, Qt::ToolTipRole);
    }
}

void FlowsPage::refresh()
{
    if (m_reader)
        QMetaObject::invokeMethod(m_reader, &FlowPageReader::refresh, Qt::QueuedConnection);
}

void FlowsPage::setRefreshInterval(std::chrono::milliseconds interval)
{
    if (!m_reader)
        return;
    const int ms = int(std::clamp<qint64>(interval.count(), 0, std::numeric_limits<int>::max()));
    QMetaObject::invokeMethod(
        m_reader, [reader = m_reader, ms] { reader->setInterval(ms); }, Qt::QueuedConnection);
}

void FlowsPage::setFilter(const FlowFilter &filter)
{
    {
        const QSignalBlocker blockStatus(m_statusBox);
        const QSignalBlocker blockType(m_typeBox);
        const QSignalBlocker blockSearch(m_search);
        m_statusBox->setCurrentIndex(filter.status ? m_statusBox->findData(int(*filter.status)) : 0);
        if (!filter.type.isEmpty() && m_typeBox->findData(filter.type) < 0) {
            FlowRecord flow;
            flow.type = filter.type;
            updateTypes({flow});
        }
        m_typeBox->setCurrentIndex(filter.type.isEmpty() ? 0 : m_typeBox->findData(filter.type));
        m_search->setText(filter.text);
    }
    startFilter(filter);
}

void FlowsPage::showFlow(qint64 flowId)
{
    const int row = m_model->rowOf(flowId);
    if (row >= 0) {
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        m_view->selectionModel()->setCurrentIndex(index,
                                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(index);
        return;
    }
    m_currentFlow = flowId;
    m_detail->showFlow(flowId);
    if (m_reader)
        QMetaObject::invokeMethod(
            m_reader, [reader = m_reader, flowId] { reader->setCurrentFlow(flowId); }, Qt::QueuedConnection);
}

void FlowsPage::applyFilterFromBar()
{
    FlowFilter filter;
    if (m_statusBox->currentIndex() > 0)
        filter.status = FlowStatus(m_statusBox->currentData().toInt());
    filter.type = m_typeBox->currentData().toString();
    filter.text = m_search->text().trimmed();
    if (filter == m_filter)
        return;
    startFilter(filter);
}

void FlowsPage::startFilter(const FlowFilter &filter)
{
    m_filter = filter;
    ++m_generation;
    // Published before the request is queued: the reader skips every older request still in
    // its queue, and drops the answer of the one it may be reading.
    m_latest->store(m_generation, std::memory_order_release);
    m_info->setText(tr("Searching…"));
    if (!m_reader)
        return;
    QMetaObject::invokeMethod(
        m_reader, [reader = m_reader, filter, generation = m_generation] { reader->setFilter(filter, generation); },
        Qt::QueuedConnection);
}

void FlowsPage::requestMore(int rows)
{
    // While a new filter's first page is on its way the loaded rows are the old filter's.
    if (!m_reader || m_lastSnapshot.generation != m_generation)
        return;
    QMetaObject::invokeMethod(
        m_reader, [reader = m_reader, generation = m_generation, rows] { reader->loadMore(generation, rows); },
        Qt::QueuedConnection);
}

void FlowsPage::applyPage(const FlowPageSnapshot &snapshot)
{
    if (snapshot.generation != m_generation)
        return; // the answer to a filter that has been replaced since
    if (m_openFailed)
        return;

    // Keep the row at the top of the viewport where it is, unless the view is at the very top
    // (then new flows show up there).
    auto *view = static_cast<FlowTableView *>(m_view);
    QScrollBar *scroll = m_view->verticalScrollBar();
    qint64 anchorId = 0;
    int anchorTop = 0;
    if (scroll->value() > 0) {
        const QModelIndex top = m_view->indexAt(QPoint(1, 1));
        if (top.isValid()) {
            anchorId = top.data(FlowTableModel::FlowIdRole).toLongLong();
            anchorTop = m_view->visualRect(top).top();
        }
    }

    m_applying = true;
    if (snapshot.offset == 0)
        m_model->setFlows(snapshot.flows, snapshot.complete);
    else
        m_model->appendFlows(snapshot.flows, snapshot.complete);
    m_applying = false;

    if (anchorId != 0) {
        const int row = m_model->rowOf(anchorId);
        if (row >= 0) {
            view->layoutNow();
            const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
            const int delta = m_view->visualRect(index).top() - anchorTop;
            if (delta != 0)
                scroll->setValue(scroll->value() + delta);
        }
    }

    if (snapshot.offset == 0) {
        m_lastSnapshot = snapshot;
        updateCounts(snapshot.countsByStatus);
    } else {
        m_lastSnapshot.complete = snapshot.complete;
        m_lastSnapshot.buildMicroseconds = snapshot.buildMicroseconds;
        m_sortLoading = false;
    }
    m_readError.clear();
    updateTypes(snapshot.flows);
    applySort();
    updateBulkButtons();
    updateStatusText();

    if (m_model->rowCount() == 0 && m_model->isComplete()) {
        showNote(m_filter.isEmpty()
                     ? tr("No flows in this database yet.\nFlows appear here as soon as they are scheduled.")
                     : tr("No flow matches the filter."));
    } else {
        m_stack->setCurrentWidget(m_view);
    }

    Q_EMIT snapshotApplied(snapshot.generation);
    if (!m_firstPageShown) {
        m_firstPageShown = true;
        Q_EMIT firstPageShown();
    }
}

void FlowsPage::updateCounts(const QMap<FlowStatus, qint64> &counts)
{
    qint64 total = 0;
    for (const qint64 count : counts)
        total += count;
    m_statusBox->setItemText(0, tr("All statuses (%L1)").arg(total));
    for (int i = 1; i < m_statusBox->count(); ++i) {
        const auto status = FlowStatus(m_statusBox->itemData(i).toInt());
        m_statusBox->setItemText(i, tr("%1 (%L2)").arg(statusLabel(status)).arg(counts.value(status, 0)));
    }
}

void FlowsPage::updateTypes(const QList<FlowRecord> &flows)
{
    // Types known from the registry and from the flows seen, in name order; the current item
    // stays current as others are inserted.
    for (const FlowRecord &flow : flows) {
        if (flow.type.isEmpty() || m_typeBox->findData(flow.type) >= 0)
            continue;
        int at = 1;
        while (at < m_typeBox->count() && m_typeBox->itemData(at).toString() < flow.type)
            ++at;
        const QSignalBlocker block(m_typeBox);
        m_typeBox->insertItem(at, flow.type, flow.type);
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

qint64 FlowsPage::currentFlowId() const
{
    return m_currentFlow;
}

void FlowsPage::updateBulkButtons()
{
    int failed = 0;
    int unfinished = 0;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows) {
        const auto status = FlowStatus(index.data(FlowTableModel::FlowStatusRole).toInt());
        failed += status == FlowStatus::Failed ? 1 : 0;
        unfinished += isFinished(status) ? 0 : 1;
    }
    m_bulkRetry->setEnabled(failed > 0);
    m_bulkRetry->setText(failed > 1 ? tr("Retry %L1").arg(failed) : tr("Retry"));
    m_bulkCancel->setEnabled(unfinished > 0);
    m_bulkCancel->setText(unfinished > 1 ? tr("Cancel %L1").arg(unfinished) : tr("Cancel"));
}

QString FlowsPage::statusText() const
{
    return m_info->text();
}

void FlowsPage::updateStatusText()
{
    QStringList parts;
    const qint64 loaded = m_model->rowCount();
    if (m_lastSnapshot.generation != m_generation) {
        parts << tr("Searching…");
    } else if (m_model->isComplete()) {
        parts << (loaded == 1 ? tr("1 flow") : tr("%L1 flows").arg(loaded));
    } else if (m_lastSnapshot.matching >= 0) {
        parts << tr("%L1 of %L2 flows loaded").arg(loaded).arg(m_lastSnapshot.matching);
    } else {
        parts << tr("%L1 flows loaded, more below").arg(loaded);
    }
    if (m_lastSnapshot.generation == m_generation)
        parts << tr("read in %1")
                     .arg(flowformat::duration(std::chrono::milliseconds(m_lastSnapshot.buildMicroseconds / 1000)));
    if (!m_sortNote.isEmpty())
        parts << m_sortNote;
    if (!m_readError.isEmpty())
        parts << tr("last read failed: %1").arg(m_readError);
    m_info->setText(parts.join(QStringLiteral("  ·  ")));
}

void FlowsPage::onCurrentChanged(const QModelIndex &current)
{
    // A row that moves or goes during a merge does not change the flow the user picked.
    if (m_applying || !current.isValid())
        return;
    const qint64 flowId = current.data(FlowTableModel::FlowIdRole).toLongLong();
    if (flowId == m_currentFlow)
        return;
    m_currentFlow = flowId;
    m_detail->showFlow(flowId);
    if (m_reader)
        QMetaObject::invokeMethod(
            m_reader, [reader = m_reader, flowId] { reader->setCurrentFlow(flowId); }, Qt::QueuedConnection);
}

void FlowsPage::onSortRequested(int column, Qt::SortOrder order)
{
    m_sortColumn = column;
    m_sortOrder = order;
    m_sortLoadGeneration.reset();
    m_sortLoading = false;
    m_sortNote.clear();
    applySort();
    updateStatusText();
}

void FlowsPage::applySort()
{
    const bool natural = m_sortColumn == FlowTableModel::IdColumn && m_sortOrder == Qt::DescendingOrder;
    if (natural || m_model->isComplete()) {
        // Newest first is the log's own order; any other order is honest only over every match.
        if (natural && m_proxy->sortColumn() != -1)
            m_proxy->sort(-1);
        else if (!natural && (m_proxy->sortColumn() != m_sortColumn || m_proxy->sortOrder() != m_sortOrder))
            m_proxy->sort(m_sortColumn, m_sortOrder);
        m_sortNote.clear();
        return;
    }
    if (m_sortLoading)
        return;
    if (m_reader && m_sortLoadGeneration != m_generation && m_lastSnapshot.generation == m_generation &&
        m_model->rowCount() < sortableRows) {
        m_sortLoadGeneration = m_generation;
        m_sortLoading = true;
        m_sortNote = tr("loading every match to sort…");
        requestMore(sortableRows);
        return;
    }
    // More match than the page sorts: back to newest first, and say why.
    if (m_proxy->sortColumn() != -1)
        m_proxy->sort(-1);
    const QString column = m_model->headerData(m_sortColumn, Qt::Horizontal).toString();
    m_sortNote = tr("more than %L1 match: narrow the filter to sort by %2").arg(sortableRows).arg(column);
    m_sortColumn = FlowTableModel::IdColumn;
    m_sortOrder = Qt::DescendingOrder;
    const QSignalBlocker block(m_view->horizontalHeader());
    m_view->horizontalHeader()->setSortIndicator(FlowTableModel::IdColumn, Qt::DescendingOrder);
}

void FlowsPage::showNote(const QString &text)
{
    m_note->setText(text);
    m_stack->setCurrentWidget(m_note);
}

void FlowsPage::showOpenError(const QString &error)
{
    m_openFailed = true;
    m_model->clear();
    m_info->setText(tr("Cannot open the database."));
    showNote(tr("Cannot open the database.\n%1").arg(error));
}

} // namespace ergon
