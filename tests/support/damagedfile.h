#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

namespace ergon::test {

/// Makes an Ergon SQLite database of `count` completed flows (orders.OrderProcessor, two steps
/// and two attempts each), fast, through SQL: the schema from SqliteExecutionLog::open(), the
/// rows from one INSERT ... SELECT each. Checkpointed: everything is in the main file. Returns
/// an error message, or an empty string.
QString makeCompletedFlowsDatabase(const QString &path, int count);

/// The flows by status of a database, read by a plain table scan (no index), with an error
/// message when it cannot be read: what the truth is, to check the log's answers against.
struct StatusScan {
    QMap<QString, qint64> counts;
    QString error;
};
StatusScan scanStatuses(const QString &path);

/// Overwrites `flips` bytes of the file at positions drawn from `seed` in its middle third
/// (each byte XORed with a non-zero value), as a failing disk or a stray write would. False
/// when the file could not be rewritten.
bool flipBytesInMiddleThird(const QString &path, quint32 seed, int flips = 16);

/// The page size and the root page of an index or table, read from a database file (closed).
struct PageInfo {
    int pageSize = 0;
    int rootPage = 0;
};
PageInfo pageInfo(const QString &path, const QString &name);

/// Damages one leaf page of the b-tree rooted at `rootPage` (the leaf reached down the middle
/// child of each interior page) by overwriting its page type, so that SQLite fails when a scan
/// reaches it and not before: the rows before it read fine. Returns the page damaged, or 0.
int damageMiddleLeaf(const QString &path, const PageInfo &info);

} // namespace ergon::test
