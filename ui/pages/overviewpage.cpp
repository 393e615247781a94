#include "pages/overviewpage.h"

#include "models/failurelistmodel.h"
#include "session/consolesnapshot.h"
#include "shell/consolestyle.h"
#include "widgets/rollinglinechart.h"
#include "widgets/workerloadchart.h"

#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QStackedLayout>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace ergon {

namespace {

constexpr int redrawIntervalMs = 500; // charts at most at 2 Hz

constexpr std::array<FlowStatus, 6> statuses = {FlowStatus::Pending,   FlowStatus::Running, FlowStatus::Waiting,
                                                FlowStatus::Completed, FlowStatus::Failed,  FlowStatus::Cancelled};

QString statusCaption(FlowStatus status)
{
    switch (status) {
    case FlowStatus::Pending:
        return OverviewPage::tr("Pending");
    case FlowStatus::Running:
        return OverviewPage::tr("Running");
    case FlowStatus::Waiting:
        return OverviewPage::tr("Waiting");
    case FlowStatus::Completed:
        return OverviewPage::tr("Completed");
    case FlowStatus::Failed:
        return OverviewPage::tr("Failed");
    case FlowStatus::Cancelled:
        return OverviewPage::tr("Cancelled");
    }
    return {};
}

QFrame *card(QWidget *parent)
{
    auto *frame = new QFrame(parent);
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setAutoFillBackground(true);
    frame->setBackgroundRole(QPalette::Base);
    return frame;
}

} // namespace

OverviewPage::OverviewPage(QWidget *parent)
    : QWidget(parent)
    , m_total(new QLabel(this))
    , m_queueChart(new RollingLineChart(tr("Queue depth"), this))
    , m_rateChart(new RollingLineChart(tr("Finished per second"), this))
    , m_workerChart(new WorkerLoadChart(tr("Flows per worker"), this))
    , m_failureModel(new FailureListModel(this))
    , m_failureView(new QTableView(this))
    , m_failureNote(new QLabel(tr("No failed flows."), this))
    , m_retryButton(new QPushButton(tr("Retry selected"), this))
    , m_redrawTimer(new QTimer(this))
{
    // Counts by status: one tile each, the number large.
    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(10);
    for (const FlowStatus status : statuses) {
        QFrame *frame = card(this);
        Tile &tile = m_tiles.at(std::size_t(status));
        tile.caption = new QLabel(statusCaption(status), frame);
        tile.value = new QLabel(QStringLiteral("–"), frame);
        tile.value->setObjectName(QStringLiteral("count-") + toString(status));
        style::makeHeading(tile.value, 1.9);
        tile.value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        auto *layout = new QVBoxLayout(frame);
        layout->setContentsMargins(14, 10, 14, 10);
        layout->setSpacing(2);
        layout->addWidget(tile.caption);
        layout->addWidget(tile.value);
        tiles->addWidget(frame, 1);
    }

    m_queueChart->addSeries(tr("Pending"), {});
    m_queueChart->addSeries(tr("Waiting"), {});
    m_rateChart->addSeries(tr("Completed"), {});
    m_rateChart->addSeries(tr("Failed"), {});
    m_rateChart->setWholeSteps(false); // flows per second: 0.25, 0.5 …
    m_rateChart->setMinimumTop(1);
    m_rateChart->setPlaceholderText(tr("Completions and failures per second appear from the second reading on."));

    // The latest failures, with a retry for the selected ones.
    m_failureView->setModel(m_failureModel);
    style::setUpTableView(m_failureView);
    m_failureView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    const QFontMetrics metrics = m_failureView->fontMetrics();
    QHeaderView *header = m_failureView->horizontalHeader();
    header->resizeSection(FailureListModel::FlowColumn, metrics.horizontalAdvance(QStringLiteral("0000000")) + 16);
    header->resizeSection(FailureListModel::TypeColumn,
                          metrics.horizontalAdvance(QStringLiteral("orders.OrderProcess")));
    header->resizeSection(FailureListModel::WhenColumn, metrics.horizontalAdvance(QStringLiteral("10 min 00 s ago")));
    m_retryButton->setEnabled(false);
    m_retryButton->setToolTip(tr("Re-queue the selected flows from their failed step"));
    connect(m_failureView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { m_retryButton->setEnabled(!selectedFailures().isEmpty()); });
    connect(m_retryButton, &QPushButton::clicked, this, [this] {
        const QList<qint64> ids = selectedFailures();
        if (!ids.isEmpty())
            Q_EMIT retryRequested(ids, {});
    });
    connect(m_failureView, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.isValid())
            Q_EMIT flowActivated(index.data(FailureListModel::FlowIdRole).toLongLong());
    });
    m_failureView->setToolTip(tr("Double-click a failure to open it on the Flows page"));
    m_failureNote->setAlignment(Qt::AlignCenter);

    auto *failureHead = new QHBoxLayout;
    auto *failureTitle = new QLabel(tr("Latest failures"), this);
    style::makeHeading(failureTitle, 1.0);
    failureHead->addWidget(failureTitle);
    failureHead->addStretch(1);
    failureHead->addWidget(m_retryButton);
    auto *failureStack = new QStackedLayout;
    failureStack->addWidget(m_failureNote);
    failureStack->addWidget(m_failureView);
    connect(m_failureModel, &QAbstractItemModel::rowsInserted, this,
            [this, failureStack] { failureStack->setCurrentWidget(m_failureView); });
    connect(m_failureModel, &QAbstractItemModel::rowsRemoved, this, [this, failureStack] {
        if (m_failureModel->rowCount() == 0)
            failureStack->setCurrentWidget(m_failureNote);
    });
    auto *failures = new QVBoxLayout;
    failures->setSpacing(4);
    failures->addLayout(failureHead);
    failures->addLayout(failureStack, 1);

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(18);
    grid->setVerticalSpacing(14);
    grid->addWidget(m_queueChart, 0, 0);
    grid->addWidget(m_rateChart, 0, 1);
    grid->addWidget(m_workerChart, 1, 0);
    grid->addLayout(failures, 1, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);

    auto *heading = new QLabel(tr("Overview"), this);
    style::makeHeading(heading, 1.4);
    auto *head = new QHBoxLayout;
    head->addWidget(heading);
    head->addStretch(1);
    head->addWidget(m_total);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(14);
    layout->addLayout(head);
    layout->addLayout(tiles);
    layout->addLayout(grid, 1);

    m_redrawTimer->setSingleShot(true);
    connect(m_redrawTimer, &QTimer::timeout, this, &OverviewPage::redrawCharts);
    setHistoryWindow(m_history.window());
    applyPalette();
}

OverviewPage::~OverviewPage() = default;

void OverviewPage::setHistoryWindow(std::chrono::seconds window)
{
    m_history.setWindow(window);
    m_queueChart->setWindow(window);
    m_rateChart->setWindow(window);
    const qint64 minutes = window.count() / 60;
    const QString span = window.count() % 60 != 0 ? tr("%1 seconds").arg(window.count())
        : minutes == 1                            ? tr("minute")
                                                  : tr("%1 minutes").arg(minutes);
    m_queueChart->setPlaceholderText(tr("Pending and waiting flows over the last %1 appear here.").arg(span));
    redrawCharts();
}

QString OverviewPage::countText(FlowStatus status) const
{
    return m_tiles.at(std::size_t(status)).value->text();
}

void OverviewPage::showSnapshot(const ConsoleSnapshot &snapshot)
{
    for (const FlowStatus status : statuses)
        m_tiles.at(std::size_t(status)).value->setText(style::count(snapshot.count(status)));
    const qint64 total = snapshot.total();
    m_total->setText(total == 1 ? tr("1 flow in the database")
                                : tr("%1 flows in the database").arg(style::count(total)));
    m_failureModel->setSnapshot(snapshot);
    m_retryButton->setEnabled(!selectedFailures().isEmpty());
    m_history.add(snapshot);
    m_workerChart->setLoads(workerLoads(snapshot));

    // Batched: a fast reader does not make the charts repaint faster than twice a second.
    if (m_redrawTimer->isActive())
        return;
    const qint64 since = m_sinceRedraw.isValid() ? m_sinceRedraw.elapsed() : redrawIntervalMs;
    if (since >= redrawIntervalMs)
        redrawCharts();
    else
        m_redrawTimer->start(int(redrawIntervalMs - since));
}

void OverviewPage::clear()
{
    m_history.clear();
    m_redrawTimer->stop();
    redrawCharts();
    for (Tile &tile : m_tiles)
        tile.value->setText(QStringLiteral("–"));
    m_total->clear();
}

void OverviewPage::redrawCharts()
{
    m_sinceRedraw.start();
    using Series = ConsoleHistory::Series;
    m_queueChart->setPoints({m_history.points(Series::Pending), m_history.points(Series::Waiting)});
    m_rateChart->setPoints({m_history.points(Series::CompletedPerSecond), m_history.points(Series::FailedPerSecond)});
}

QList<qint64> OverviewPage::selectedFailures() const
{
    QList<qint64> ids;
    const QModelIndexList rows = m_failureView->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows)
        ids.append(row.data(FailureListModel::FlowIdRole).toLongLong());
    return ids;
}

void OverviewPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void OverviewPage::applyPalette()
{
    const QPalette pal = palette();
    for (const FlowStatus status : statuses) {
        Tile &tile = m_tiles.at(std::size_t(status));
        style::setTextColor(tile.caption, style::mutedText(pal));
        style::setTextColor(tile.value, style::statusColor(status, pal));
    }
    m_queueChart->setColor(0, style::statusColor(FlowStatus::Pending, pal));
    m_queueChart->setColor(1, style::statusColor(FlowStatus::Waiting, pal));
    m_rateChart->setColor(0, style::statusColor(FlowStatus::Completed, pal));
    m_rateChart->setColor(1, style::statusColor(FlowStatus::Failed, pal));
    style::makeMuted(m_total);
    style::makeMuted(m_failureNote);
}

} // namespace ergon
