#pragma once

#include "ergon/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace ergon {

/// The error of a failed SQLite call, classified the same way for QtSql and native calls: a
/// read-only file, a lock that outlasted the busy timeout, a corrupt file, or any other storage
/// error. `text` is SQLite's message (sqlite3_errmsg, or QSqlError::text()).
Error sqliteError(const QString &doing, const QString &fileName, const QString &text);

/// One prepared statement on a connection that QSQLITE opened, used through SQLite's native API
/// on the hot write path (ExecutionLog::commit()), where QtSql's per-value boxing and per-row
/// record building cost more than SQLite itself.
///
/// Prepared once for repeated use; finalized by the destructor, which must run before the
/// connection closes. Parameter and column indexes are SQLite's: parameters from 1, columns
/// from 0. A failed bind is reported by the next step(). Times are INTEGER milliseconds since
/// the epoch (UTC), NULL when invalid: the schema's convention.
class SqliteStatement
{
public:
    /// Whether bound text outlives the step: Borrowed text is not copied (SQLITE_STATIC), and
    /// must stay unchanged until reset(); Copied text is copied by SQLite (SQLITE_TRANSIENT).
    enum class Text { Borrowed, Copied };

    SqliteStatement() = default;
    SqliteStatement(SqliteStatement &&other) noexcept;
    SqliteStatement &operator=(SqliteStatement &&other) noexcept;
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;
    ~SqliteStatement();

    /// Prepares UTF-8 `sql` on `db` (SQLITE_PREPARE_PERSISTENT). `fileName` names the database
    /// in error messages.
    static Result<SqliteStatement> prepare(sqlite3 *db, QByteArrayView sql, const QString &fileName);

    bool isValid() const { return m_statement != nullptr; }
    void finalize();

    void bindNull(int index);
    void bindInt64(int index, qint64 value);
    void bindInt(int index, int value);
    void bindBool(int index, bool value);
    /// Milliseconds since the epoch, or NULL for an invalid time.
    void bindTime(int index, const QDateTime &time);
    /// UTF-16 text; a null QString binds NULL (as QtSql does), an empty one ''.
    void bindText(int index, const QString &text, Text lifetime = Text::Copied);
    /// UTF-8 text, '' when empty.
    void bindUtf8(int index, QByteArrayView text, Text lifetime = Text::Copied);

    /// Runs to the next row: true with a row to read, false when done.
    Result<bool> step(const QString &doing);
    /// Runs to completion (rows, if any, are skipped), then reset().
    Result<void> run(const QString &doing);
    /// Ready to run again, with every parameter NULL: borrowed text is released.
    void reset();

    bool columnIsNull(int column) const;
    qint64 columnInt64(int column) const;
    int columnInt(int column) const;
    /// Invalid for NULL.
    QDateTime columnTime(int column) const;
    /// A null QString for NULL.
    QString columnText(int column) const;
    /// The column's UTF-8 bytes, valid until the next step() or reset().
    QByteArrayView columnUtf8View(int column) const;
    /// A copy of the column's UTF-8 bytes; null for NULL.
    QByteArray columnUtf8(int column) const;

    /// Rows changed by the last INSERT, UPDATE or DELETE of the connection.
    int changes() const;

    /// The connection's last error, classified as sqliteError() does.
    Error lastError(const QString &doing) const;

private:
    SqliteStatement(sqlite3 *db, sqlite3_stmt *statement, const QString &fileName);
    void noteBind(int rc);

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    QString m_fileName;
    int m_bindError = 0;
};

} // namespace ergon
