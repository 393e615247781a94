#include "widgets/sidebar.h"

#include "shell/consolestyle.h"

#include <QEvent>
#include <QPainter>
#include <QStyledItemDelegate>

namespace ergon {

namespace {

constexpr int badgeRole = Qt::UserRole + 1;
constexpr int alertRole = Qt::UserRole + 2;

QFont badgeFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.88);
    return small;
}

// Where a row's label and badge go: the badge at the right edge, the label left of it with a
// gap, so that the two never overlap (the delegate paints here; the sidebar's width asks for
// room for both).
struct RowLayout {
    QRect row;
    QRect label;
    QRect badge; // empty without a badge
};

constexpr int rowInset = 6;    // the highlight's distance from the list's edges
constexpr int labelInset = 10; // the label's from the highlight's left
constexpr int badgeInset = 6;  // the badge's from the highlight's right
constexpr int gap = 8;         // between label and badge

RowLayout layoutRow(const QRect &rect, const QFont &font, const QString &badge)
{
    RowLayout layout;
    layout.row = rect.adjusted(rowInset, 1, -rowInset, -1);
    int labelRight = layout.row.right();
    if (!badge.isEmpty()) {
        const QFontMetrics metrics(badgeFont(font));
        const int height = metrics.height() + 2;
        const int width = std::max(height, metrics.horizontalAdvance(badge) + 12);
        layout.badge =
            QRect(layout.row.right() - width - badgeInset, layout.row.center().y() - height / 2 + 1, width, height);
        labelRight = layout.badge.left() - gap;
    }
    layout.label = QRect(QPoint(layout.row.left() + labelInset, layout.row.top()),
                         QPoint(std::max(layout.row.left() + labelInset, labelRight), layout.row.bottom()));
    return layout;
}

int widthFor(const QFont &font, const QString &label, const QString &badge)
{
    int width = 2 * rowInset + labelInset + QFontMetrics(font).horizontalAdvance(label) + 4;
    if (!badge.isEmpty()) {
        const QFontMetrics metrics(badgeFont(font));
        width += gap + std::max(metrics.height() + 2, metrics.horizontalAdvance(badge) + 12) + badgeInset;
    }
    return width;
}

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
        const QString badge = index.data(badgeRole).toString();
        const RowLayout layout = layoutRow(option.rect, option.font, badge);
        painter->setPen(textColor);
        painter->setFont(option.font);
        painter->drawText(layout.label, Qt::AlignLeft | Qt::AlignVCenter,
                          option.fontMetrics.elidedText(index.data().toString(), Qt::ElideRight, layout.label.width()));

        if (!badge.isEmpty()) {
            const bool alert = index.data(alertRole).toBool();
            const QRect pill = layout.badge;
            const qreal radius = pill.height() / 2.0;
            QColor fill = alert ? style::statusColor(FlowStatus::Failed, pal) : textColor;
            if (!alert)
                fill.setAlphaF(0.18f);
            painter->setPen(Qt::NoPen);
            painter->setBrush(fill);
            painter->drawRoundedRect(pill, radius, radius);
            painter->setFont(badgeFont(option.font));
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
    fitWidth();
}

void Sidebar::setBadge(int page, const QString &text, bool alert)
{
    if (QListWidgetItem *entry = item(page)) {
        if (entry->data(badgeRole).toString() == text && entry->data(alertRole).toBool() == alert)
            return;
        entry->setData(badgeRole, text);
        entry->setData(alertRole, alert);
        fitWidth();
    }
}

QRect Sidebar::labelRect(int page) const
{
    const QListWidgetItem *entry = item(page);
    return entry ? layoutRow(visualItemRect(entry), font(), badge(page)).label : QRect();
}

QRect Sidebar::badgeRect(int page) const
{
    const QListWidgetItem *entry = item(page);
    return entry ? layoutRow(visualItemRect(entry), font(), badge(page)).badge : QRect();
}

void Sidebar::fitWidth()
{
    // As wide as the widest label with its badge, whatever the window's width: a narrow
    // window takes the room from the page, never from the badges.
    int needed = 0;
    for (int i = 0; i < count(); ++i)
        needed = std::max(needed, widthFor(font(), item(i)->text(), badge(i)));
    needed += 2 * frameWidth();
    if (minimumWidth() != needed) {
        setMinimumWidth(needed);
        updateGeometry();
    }
}

void Sidebar::changeEvent(QEvent *event)
{
    QListWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        fitWidth();
}

QString Sidebar::badge(int page) const
{
    const QListWidgetItem *entry = item(page);
    return entry ? entry->data(badgeRole).toString() : QString();
}

QSize Sidebar::sizeHint() const
{
    // Room for a six-digit badge next to the longest label, so that the width rarely changes.
    int width = minimumWidth();
    for (int i = 0; i < count(); ++i)
        width = std::max(width, widthFor(font(), item(i)->text(), QStringLiteral("000,000")) + 2 * frameWidth());
    return QSize(width, QListWidget::sizeHint().height());
}

} // namespace ergon
