#include "widgets/sidebar.h"

#include "shell/consolestyle.h"

#include <QPainter>
#include <QStyledItemDelegate>

namespace ergon {

namespace {

constexpr int badgeRole = Qt::UserRole + 1;
constexpr int alertRole = Qt::UserRole + 2;

class SidebarDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        size.setHeight(option.fontMetrics.height() + 16);
        return size;
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        const QPalette &pal = option.palette;
        const bool selected = option.state & QStyle::State_Selected;
        const bool hovered = option.state & QStyle::State_MouseOver;
        const QRect row = option.rect.adjusted(6, 1, -6, -1);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        if (selected || hovered) {
            QColor fill = pal.color(QPalette::Highlight);
            if (!selected)
                fill.setAlphaF(0.18f);
            painter->setPen(Qt::NoPen);
            painter->setBrush(fill);
            painter->drawRoundedRect(row, 4, 4);
        }
        const QColor textColor = selected ? pal.color(QPalette::HighlightedText) : pal.color(QPalette::WindowText);
        painter->setPen(textColor);
        painter->setFont(option.font);
        painter->drawText(row.adjusted(10, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, index.data().toString());

        const QString badge = index.data(badgeRole).toString();
        if (!badge.isEmpty()) {
            const bool alert = index.data(alertRole).toBool();
            QFont font = option.font;
            font.setPointSizeF(font.pointSizeF() * 0.88);
            const QFontMetrics metrics(font);
            const int height = metrics.height() + 2;
            const int width = std::max(height, metrics.horizontalAdvance(badge) + 12);
            const QRect pill(row.right() - width - 6, row.center().y() - height / 2 + 1, width, height);
            QColor fill = alert ? style::statusColor(FlowStatus::Failed, pal) : textColor;
            if (!alert)
                fill.setAlphaF(0.18f);
            painter->setPen(Qt::NoPen);
            painter->setBrush(fill);
            painter->drawRoundedRect(pill, height / 2.0, height / 2.0);
            painter->setFont(font);
            // On the failure colour (deep on light themes, bright on dark ones) the palette's
            // base reads best: white on light themes, near-black on dark ones.
            painter->setPen(alert ? pal.color(QPalette::Base) : textColor);
            painter->drawText(pill, Qt::AlignCenter, badge);
        }
        painter->restore();
    }
};

} // namespace

Sidebar::Sidebar(QWidget *parent)
    : QListWidget(parent)
{
    setItemDelegate(new SidebarDelegate(this));
    setSelectionMode(QAbstractItemView::SingleSelection);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setFocusPolicy(Qt::StrongFocus);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Window);
    viewport()->setBackgroundRole(QPalette::Window);
    setSpacing(1);
    setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_Hover);
}

Sidebar::~Sidebar() = default;

void Sidebar::addPage(const QString &title, const QString &toolTip)
{
    auto *item = new QListWidgetItem(title, this);
    item->setToolTip(toolTip);
}

void Sidebar::setBadge(int page, const QString &text, bool alert)
{
    if (QListWidgetItem *entry = item(page)) {
        entry->setData(badgeRole, text);
        entry->setData(alertRole, alert);
    }
}

QString Sidebar::badge(int page) const
{
    const QListWidgetItem *entry = item(page);
    return entry ? entry->data(badgeRole).toString() : QString();
}

QSize Sidebar::sizeHint() const
{
    const QFontMetrics metrics = fontMetrics();
    return QSize(metrics.horizontalAdvance(QStringLiteral("Overview")) +
                     metrics.horizontalAdvance(QStringLiteral("000,000")) + 64,
                 QListWidget::sizeHint().height());
}

} // namespace ergon
