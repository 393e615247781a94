#include "storage/sqlite/sqlitestatement.h"

#include <sqlite3.h>

#include <utility>

namespace ergon {

Error sqliteError(const QString &doing, const QString &fileName, const QString &text)
{
    if (text.contains(QLatin1String("readonly")) || text.contains(QLatin1String("read-only"))) {
        return Error(QStringLiteral("%1 %2: the database is read-only (%3)").arg(doing, fileName, text),
                     QStringLiteral("read-only"));
    }
    if (text.contains(QLatin1String("locked")) || text.contains(QLatin1String("busy"))) {
        return Error(
            QStringLiteral("%1 %2: the database stayed locked by another process (%3)").arg(doing, fileName, text),
            QStringLiteral("busy"));
    }
    if (text.contains(QLatin1String("disk is full"))) {
        return Error(QStringLiteral("%1 %2: the disk is full (%3)").arg(doing, fileName, text), QStringLiteral("full"));
    }
    if (text.contains(QLatin1String("malformed")) || text.contains(QLatin1String("not a database"))) {
        return Error(QStringLiteral("%1 %2: the database file is corrupt (%3)").arg(doing, fileName, text),
                     QStringLiteral("corrupt"));
    }
    return Error(QStringLiteral("%1 %2: %3").arg(doing, fileName, text), QStringLiteral("storage"));
}

SqliteStatement::SqliteStatement(sqlite3 *db, sqlite3_stmt *statement, const QString &fileName)
    : m_db(db)
    , m_statement(statement)
    , m_fileName(fileName)
{
}

SqliteStatement::SqliteStatement(SqliteStatement &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_statement(std::exchange(other.m_statement, nullptr))
    , m_fileName(std::move(other.m_fileName))
    , m_bindError(std::exchange(other.m_bindError, 0))
{
}

SqliteStatement &SqliteStatement::operator=(SqliteStatement &&other) noexcept
{
    if (this != &other) {
        finalize();
        m_db = std::exchange(other.m_db, nullptr);
        m_statement = std::exchange(other.m_statement, nullptr);
        m_fileName = std::move(other.m_fileName);
        m_bindError = std::exchange(other.m_bindError, 0);
    }
    return *this;
}

SqliteStatement::~SqliteStatement()
{
    finalize();
}

Result<SqliteStatement> SqliteStatement::prepare(sqlite3 *db, QByteArrayView sql, const QString &fileName)
{
    sqlite3_stmt *statement = nullptr;
    const int rc = sqlite3_prepare_v3(db, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(statement);
        return sqliteError(QStringLiteral("preparing a statement on"), fileName, QString::fromUtf8(sqlite3_errmsg(db)));
    }
    return SqliteStatement(db, statement, fileName);
}

void SqliteStatement::finalize()
{
    if (m_statement)
        sqlite3_finalize(std::exchange(m_statement, nullptr));
    m_db = nullptr;
}

void SqliteStatement::noteBind(int rc)
{
    if (rc != SQLITE_OK && m_bindError == SQLITE_OK)
        m_bindError = rc;
}

void SqliteStatement::bindNull(int index)
{
    noteBind(sqlite3_bind_null(m_statement, index));
}

void SqliteStatement::bindInt64(int index, qint64 value)
{
    noteBind(sqlite3_bind_int64(m_statement, index, value));
}

void SqliteStatement::bindInt(int index, int value)
{
    noteBind(sqlite3_bind_int(m_statement, index, value));
}

void SqliteStatement::bindBool(int index, bool value)
{
    noteBind(sqlite3_bind_int(m_statement, index, value ? 1 : 0));
}

void SqliteStatement::bindTime(int index, const QDateTime &time)
{
    if (time.isValid())
        bindInt64(index, time.toMSecsSinceEpoch());
    else
        bindNull(index);
}

void SqliteStatement::bindText(int index, const QString &text, Text lifetime)
{
    if (text.isNull()) {
        bindNull(index);
        return;
    }
    // constData(), not utf16(): SQLite takes the length, so no terminator is needed, and
    // utf16() copies a string whose data Qt does not own (a QStringLiteral, say) to add one.
    noteBind(sqlite3_bind_text16(m_statement, index, text.constData(), int(text.size() * sizeof(char16_t)),
                                 lifetime == Text::Borrowed ? SQLITE_STATIC : SQLITE_TRANSIENT));
}

void SqliteStatement::bindUtf8(int index, QByteArrayView text, Text lifetime)
{
    // A null pointer would bind NULL: empty text binds ''.
    const char *data = text.data() ? text.data() : "";
    noteBind(sqlite3_bind_text(m_statement, index, data, int(text.size()),
                               lifetime == Text::Borrowed ? SQLITE_STATIC : SQLITE_TRANSIENT));
}

Result<bool> SqliteStatement::step(const QString &doing)
{
    if (m_bindError != SQLITE_OK) {
        const int rc = std::exchange(m_bindError, SQLITE_OK);
        return sqliteError(doing, m_fileName, QString::fromUtf8(sqlite3_errstr(rc)));
    }
    switch (sqlite3_step(m_statement)) {
    case SQLITE_ROW:
        return true;
    case SQLITE_DONE:
        return false;
    default:
        return lastError(doing);
    }
}

Result<void> SqliteStatement::run(const QString &doing)
{
    for (;;) {
        auto row = step(doing);
        if (!row) {
            reset();
            return row.error();
        }
        if (!*row)
            break;
    }
    reset();
    return {};
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    m_bindError = SQLITE_OK;
}

bool SqliteStatement::columnIsNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

qint64 SqliteStatement::columnInt64(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

int SqliteStatement::columnInt(int column) const
{
    return sqlite3_column_int(m_statement, column);
}

QDateTime SqliteStatement::columnTime(int column) const
{
    if (columnIsNull(column))
        return QDateTime();
    return QDateTime::fromMSecsSinceEpoch(sqlite3_column_int64(m_statement, column), Qt::UTC);
}

QByteArrayView SqliteStatement::columnUtf8View(int column) const
{
    // sqlite3_column_text() first, then sqlite3_column_bytes(): the order SQLite documents.
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    return QByteArrayView(text, text ? sqlite3_column_bytes(m_statement, column) : 0);
}

QString SqliteStatement::columnText(int column) const
{
    const QByteArrayView text = columnUtf8View(column);
    return text.data() ? QString::fromUtf8(text) : QString();
}

QByteArray SqliteStatement::columnUtf8(int column) const
{
    const QByteArrayView text = columnUtf8View(column);
    return text.data() ? text.toByteArray() : QByteArray();
}

int SqliteStatement::changes() const
{
    return sqlite3_changes(m_db);
}

Error SqliteStatement::lastError(const QString &doing) const
{
    return sqliteError(doing, m_fileName, QString::fromUtf8(sqlite3_errmsg(m_db)));
}

} // namespace ergon
