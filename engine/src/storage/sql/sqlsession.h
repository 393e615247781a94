#pragma once

#include "ergon/result.h"

#include <QDateTime>
#include <QLatin1StringView>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

namespace ergon::sqlsession {

/// One connection of an SQL backend, as the reads and administrative writes the backends share
/// (sqlreads.h, sqladmin.h, workersql.h) use it: statements with `?` placeholders bound in
/// order, and transactions. Each backend runs them its own way (SQLite: its statement cache and
/// the write gate; PostgreSQL: its reconnecting connection); the dialect differences are the
/// hooks.
class SqlSession
{
public:
    virtual ~SqlSession() = default;

    /// What ExecutionLog::location() says (an SQLite file's path, a PostgreSQL URL without its
    /// password).
    virtual QString location() const = 0;
    /// How messages name the database (an SQLite file's name).
    virtual QString where() const = 0;
    /// Runs one statement; the query stays valid until the next statement of the same text.
    virtual Result<QSqlQuery *> run(const QString &sql, const QVariantList &values, const QString &doing) = 0;
    virtual Result<void> begin(const QString &doing) = 0;
    /// Commits; on a failure the transaction is rolled back.
    virtual Result<void> commit(const QString &doing) = 0;
    virtual void rollback() = 0;
    /// The error a failed read of a statement's rows is (see ergon::nextRow()).
    virtual Error readError(const QString &doing, const QSqlError &error) = 0;

    // The dialect.
    /// The case-insensitive LIKE of FlowQuery::text: LIKE on SQLite (ASCII case folding), ILIKE
    /// on PostgreSQL.
    virtual QLatin1StringView caseInsensitiveLike() const = 0;
    /// What a read in a write transaction appends to lock the rows it reads until the end of the
    /// transaction: " FOR UPDATE" on PostgreSQL (READ COMMITTED would let another transaction
    /// change them between the read and the write); nothing on SQLite, whose write transactions
    /// (BEGIN IMMEDIATE) hold the file's write lock from the start.
    virtual QLatin1StringView lockRowsRead() const = 0;
    /// Tells the workers of every process, at commit, that work falls due at `due` (invalid:
    /// now): NOTIFY on PostgreSQL. Nothing on SQLite: the workers of this process are woken by
    /// its WorkNotifier, those of other processes find the work at their next poll.
    virtual Result<void> notifyWork(const QDateTime &due, const QString &doing) = 0;

    /// readError() as the row readers (readRows(), nextRow()) take it.
    auto readErrorOf(const QString &doing)
    {
        return [this, doing](const QSqlError &error) { return readError(doing, error); };
    }
    /// rollback(), then the error.
    Error rolledBack(Error error)
    {
        rollback();
        return error;
    }
};

} // namespace ergon::sqlsession
