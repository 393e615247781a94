#include "flowspage.h"

#include "flowlistsnapshot.h"
#include "flowtablemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace ergon {

FlowsPage::FlowsPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new FlowTableModel(this))
    , m_view(new QTableView(this))
    , m_note(new QLabel(tr("Reading the database…"), this))
    , m_stack(new QStackedWidget(this))
{
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 10);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    // Wide enough for typical contents; the error column takes the rest.
    const QFontMetrics metrics = m_view->fontMetrics();
    const int padding = 2 * metrics.horizontalAdvance(QLatin1Char('M'));
    const int iconWidth = m_view->style()->pixelMetric(QStyle::PM_SmallIconSize) + 4;
    header->resizeSection(FlowTableModel::IdColumn, metrics.horizontalAdvance(QStringLiteral("00000000")) + padding);
    header->resizeSection(FlowTableModel::TypeColumn,
                          metrics.horizontalAdvance(QStringLiteral("orders.process-something")));
    header->resizeSection(FlowTableModel::StatusColumn,
                          metrics.horizontalAdvance(QStringLiteral("cancelled")) + iconWidth + padding);
    header->resizeSection(FlowTableModel::UpdatedColumn,
                          metrics.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00")) + padding);

    m_note->setAlignment(Qt::AlignCenter);
    m_note->setWordWrap(true);
    m_note->setEnabled(false); // the palette's muted text colour

    m_stack->addWidget(m_note);
    m_stack->addWidget(m_view);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
}

FlowsPage::~FlowsPage() = default;

void FlowsPage::showSnapshot(const FlowListSnapshot &snapshot)
{
    m_model->setSnapshot(snapshot);
    if (snapshot.flows.isEmpty()) {
        m_note->setText(tr("No flows in this database yet.\nFlows appear here as soon as they are scheduled."));
        m_stack->setCurrentWidget(m_note);
    } else {
        m_stack->setCurrentWidget(m_view);
    }
}

void FlowsPage::showOpenError(const QString &error)
{
    m_note->setText(tr("Cannot open the database.\n%1").arg(error));
    m_stack->setCurrentWidget(m_note);
}

} // namespace ergon
