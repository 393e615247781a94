#include "pages/timerspage.h"

#include "models/timertablemodel.h"
#include "session/consolesnapshot.h"
#include "shell/consolestyle.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedLayout>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace ergon {

TimersPage::TimersPage(QWidget *parent)
    : QWidget(parent)
    , m_view(new QTableView(this))
    , m_model(new TimerTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_fire(new QPushButton(tr("Fire now"), this))
    , m_summary(new QLabel(this))
    , m_note(new QLabel(tr("No flow is waiting on a durable timer."), this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(TimerTableModel::SortRole);
    m_view->setModel(m_proxy);
    style::setUpTableView(m_view);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(TimerTableModel::FireAtColumn, Qt::AscendingOrder);
    QHeaderView *header = m_view->horizontalHeader();
    const QFontMetrics metrics = m_view->fontMetrics();
    const int pad = 2 * metrics.horizontalAdvance(QLatin1Char('M'));
    header->resizeSection(TimerTableModel::FlowColumn, metrics.horizontalAdvance(QStringLiteral("00000000")) + pad);
    header->resizeSection(TimerTableModel::TypeColumn,
                          metrics.horizontalAdvance(QStringLiteral("orders.TimedOrderProcessor")) + pad);
    header->resizeSection(TimerTableModel::NameColumn,
                          metrics.horizontalAdvance(QStringLiteral("fraud-ORD-00000")) + pad);
    header->resizeSection(TimerTableModel::FireAtColumn,
                          metrics.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00")) + pad);
    header->resizeSection(TimerTableModel::CountdownColumn,
                          metrics.horizontalAdvance(QStringLiteral("00 min 00 s")) + pad);
    // The timer's name takes the room left; the countdown stays next to the fire time.
    header->setStretchLastSection(false);
    header->setSectionResizeMode(TimerTableModel::NameColumn, QHeaderView::Stretch);

    m_fire->setEnabled(false);
    m_fire->setToolTip(tr("Make the selected timers due now: their flows continue at once"));
    connect(m_fire, &QPushButton::clicked, this, &TimersPage::fireSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { m_fire->setEnabled(m_view->selectionModel()->hasSelection()); });
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (const qint64 flowId = index.data(TimerTableModel::FlowIdRole).toLongLong(); flowId > 0)
            Q_EMIT flowActivated(flowId);
    });

    auto *heading = new QLabel(tr("Timers"), this);
    style::makeHeading(heading, 1.4);
    auto *head = new QHBoxLayout;
    head->addWidget(heading);
    head->addStretch(1);
    head->addWidget(m_summary);
    head->addSpacing(12);
    head->addWidget(m_fire);

    m_note->setAlignment(Qt::AlignCenter);
    m_note->setWordWrap(true);
    auto *stack = new QStackedLayout;
    stack->addWidget(m_note);
    stack->addWidget(m_view);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this, stack] { stack->setCurrentWidget(m_view); });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this, stack] {
        if (m_model->rowCount() == 0)
            stack->setCurrentWidget(m_note);
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(10);
    layout->addLayout(head);
    layout->addLayout(stack, 1);
    style::makeMuted(m_summary);
    style::makeMuted(m_note);
}

TimersPage::~TimersPage() = default;

void TimersPage::showSnapshot(const ConsoleSnapshot &snapshot)
{
    m_model->setSnapshot(snapshot);
    const qsizetype count = snapshot.timers.size();
    if (snapshot.timersTruncated)
        m_summary->setText(tr("the first %1 pending timers").arg(style::count(count)));
    else
        m_summary->setText(count == 1 ? tr("1 pending timer") : tr("%1 pending timers").arg(style::count(count)));
    m_fire->setEnabled(m_view->selectionModel()->hasSelection());
}

void TimersPage::fireSelected()
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<qint64> flowIds;
    for (const QModelIndex &row : std::as_const(rows)) {
        const qint64 flowId = row.data(TimerTableModel::FlowIdRole).toLongLong();
        if (flowId > 0 && !flowIds.contains(flowId))
            flowIds.append(flowId);
    }
    if (!flowIds.isEmpty())
        Q_EMIT fireNowRequested(flowIds); // one command, one summary naming each
}

void TimersPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        style::makeMuted(m_summary);
        style::makeMuted(m_note);
    }
}

} // namespace ergon
