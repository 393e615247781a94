#pragma once

#include <QList>
#include <QMap>
#include <QObject>

class QAbstractItemView;
class QHeaderView;

namespace ergon {

/// Lays a view's columns out by their content in the width the view has: each column as wide
/// as its content needs, the stretch column (the one that reads best with more room: a name,
/// an error) takes the rest. When even the needs do not fit, the least useful columns are
/// hidden first, until the stretch column has its minimum again; they come back when the view
/// grows. Refits on every resize of the view.
class ColumnFitter : public QObject
{
    Q_OBJECT

public:
    ColumnFitter(QAbstractItemView *view, QHeaderView *header, int stretchColumn, int stretchMinimum);
    ~ColumnFitter() override;

    /// The width a column's content needs, and how useful it is: a lower priority is hidden
    /// sooner. Columns not given keep their width and are never hidden.
    void setColumn(int column, int width, int priority);
    void setStretchMinimum(int width);

    /// The columns hidden for want of room, in the order they were hidden.
    QList<int> hiddenColumns() const { return m_hidden; }

    void fit();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Column {
        int width = 0;
        int priority = 0;
    };

    QAbstractItemView *m_view;
    QHeaderView *m_header;
    int m_stretchColumn;
    int m_stretchMinimum;
    QMap<int, Column> m_columns;
    QList<int> m_hidden;
};

} // namespace ergon
