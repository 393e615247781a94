#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <algorithm>

namespace ergon {

/// The base of the console's snapshot models: a table of value rows that a new snapshot is
/// merged into by key, in place — rows gone are removed, new rows inserted, changed rows
/// announced with dataChanged (one signal per contiguous run) — so that selection, current
/// index and scroll position survive every refresh.
///
/// Key must be usable as a QHash key. The derived class provides columnCount() and data().
template<typename Row, typename Key>
class RowMergeModel : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }

    const QList<Row> &rows() const { return m_rows; }

protected:
    virtual Key keyOf(const Row &row) const = 0;
    /// Whether two rows of the same key show the same: false repaints the row.
    virtual bool sameRow(const Row &a, const Row &b) const = 0;

    /// Makes the rows equal to `fresh`, in its order.
    void mergeRows(const QList<Row> &fresh)
    {
        QHash<Key, qsizetype> position;
        position.reserve(fresh.size());
        for (qsizetype i = 0; i < fresh.size(); ++i)
            position.insert(keyOf(fresh.at(i)), i);

        // 1. Rows whose key is gone, a contiguous run at a time, from the bottom up.
        for (qsizetype last = m_rows.size() - 1; last >= 0; --last) {
            if (position.contains(keyOf(m_rows.at(last))))
                continue;
            qsizetype first = last;
            while (first > 0 && !position.contains(keyOf(m_rows.at(first - 1))))
                --first;
            beginRemoveRows({}, int(first), int(last));
            m_rows.remove(first, last - first + 1);
            endRemoveRows();
            last = first;
        }

        // 2. Rows that changed order: a layout change carries the persistent indexes along.
        const auto before = [this, &position](const Row &a, const Row &b) {
            return position.value(keyOf(a)) < position.value(keyOf(b));
        };
        if (!std::is_sorted(m_rows.cbegin(), m_rows.cend(), before)) {
            Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
            const QModelIndexList oldIndexes = persistentIndexList();
            QList<Key> oldKeys;
            oldKeys.reserve(oldIndexes.size());
            for (const QModelIndex &index : oldIndexes)
                oldKeys.append(keyOf(m_rows.at(index.row())));
            std::stable_sort(m_rows.begin(), m_rows.end(), before);
            QHash<Key, int> row;
            for (int i = 0; i < m_rows.size(); ++i)
                row.insert(keyOf(m_rows.at(i)), i);
            QModelIndexList newIndexes;
            newIndexes.reserve(oldIndexes.size());
            for (qsizetype i = 0; i < oldIndexes.size(); ++i)
                newIndexes.append(index(row.value(oldKeys.at(i)), oldIndexes.at(i).column()));
            changePersistentIndexList(oldIndexes, newIndexes);
            Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
        }

        // 3. The rows are now a subsequence of fresh, in order: walk both, inserting runs of
        //    new rows and updating changed ones.
        qsizetype row = 0;
        qsizetype changedFirst = -1;
        const int lastColumn = std::max(0, columnCount() - 1);
        const auto flushChanged = [&](qsizetype end) {
            if (changedFirst < 0)
                return;
            Q_EMIT dataChanged(index(int(changedFirst), 0), index(int(end - 1), lastColumn));
            changedFirst = -1;
        };
        for (qsizetype i = 0; i < fresh.size();) {
            if (row < m_rows.size() && keyOf(m_rows.at(row)) == keyOf(fresh.at(i))) {
                if (sameRow(m_rows.at(row), fresh.at(i)))
                    flushChanged(row);
                else if (changedFirst < 0)
                    changedFirst = row;
                m_rows[row] = fresh.at(i);
                ++row;
                ++i;
                continue;
            }
            flushChanged(row);
            qsizetype end = i;
            while (end < fresh.size() && (row >= m_rows.size() || keyOf(fresh.at(end)) != keyOf(m_rows.at(row))))
                ++end;
            beginInsertRows({}, int(row), int(row + end - i - 1));
            m_rows.insert(row, end - i, Row());
            std::copy(fresh.cbegin() + i, fresh.cbegin() + end, m_rows.begin() + row);
            endInsertRows();
            row += end - i;
            i = end;
        }
        flushChanged(row);
    }

    /// Repaints one column of every row (e.g. a countdown or an age), one signal.
    void columnChanged(int column, const QList<int> &roles = {})
    {
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, column), index(int(m_rows.size()) - 1, column), roles);
    }

    QList<Row> m_rows;
};

} // namespace ergon
