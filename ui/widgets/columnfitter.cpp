#include "widgets/columnfitter.h"

#include <QAbstractItemView>
#include <QEvent>
#include <QHeaderView>

#include <algorithm>

namespace ergon {

ColumnFitter::ColumnFitter(QAbstractItemView *view, QHeaderView *header, int stretchColumn, int stretchMinimum)
    : QObject(view)
    , m_view(view)
    , m_header(header)
    , m_stretchColumn(stretchColumn)
    , m_stretchMinimum(stretchMinimum)
{
    m_header->setStretchLastSection(false);
    m_header->setSectionResizeMode(QHeaderView::Interactive);
    m_header->setSectionResizeMode(m_stretchColumn, QHeaderView::Stretch);
    m_view->viewport()->installEventFilter(this);
}

ColumnFitter::~ColumnFitter() = default;

void ColumnFitter::setColumn(int column, int width, int priority)
{
    m_columns.insert(column, Column{width, priority});
    fit();
}

void ColumnFitter::setStretchMinimum(int width)
{
    m_stretchMinimum = width;
    fit();
}

void ColumnFitter::fit()
{
    const int available = m_view->viewport()->width();
    if (available <= 0)
        return;
    // What the columns nobody fits take, hidden or not, is theirs.
    int fixed = 0;
    for (int column = 0; column < m_header->count(); ++column) {
        if (column != m_stretchColumn && !m_columns.contains(column) && !m_header->isSectionHidden(column))
            fixed += m_header->sectionSize(column);
    }
    // Hide the least useful first (a lower priority; of equal ones, the later column).
    QList<int> order = m_columns.keys();
    order.removeAll(m_stretchColumn);
    std::stable_sort(order.begin(), order.end(), [this](int a, int b) {
        const int pa = m_columns.value(a).priority;
        const int pb = m_columns.value(b).priority;
        return pa != pb ? pa < pb : a > b;
    });
    int needed = fixed + m_stretchMinimum;
    for (const int column : std::as_const(order))
        needed += m_columns.value(column).width;
    QList<int> hidden;
    for (const int column : std::as_const(order)) {
        if (needed <= available)
            break;
        hidden.append(column);
        needed -= m_columns.value(column).width;
    }
    for (auto it = m_columns.cbegin(); it != m_columns.cend(); ++it) {
        if (it.key() == m_stretchColumn || it.key() >= m_header->count())
            continue;
        const bool hide = hidden.contains(it.key());
        if (m_header->isSectionHidden(it.key()) != hide)
            m_header->setSectionHidden(it.key(), hide);
        if (!hide && m_header->sectionSize(it.key()) != it->width)
            m_header->resizeSection(it.key(), it->width);
    }
    m_hidden = hidden;
}

bool ColumnFitter::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        fit();
    return QObject::eventFilter(watched, event);
}

} // namespace ergon
