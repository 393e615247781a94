#pragma once

#include "ergon/result.h"

#include <QLatin1StringView>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

namespace ergon::sqlsession {

/// One connection of an SQL backend, as the reads and administrative writes the backends share
/// (sqlreads.h, workersql.h) use it: statements with `?` placeholders bound in order, and
/// transactions. Each backend runs them its own way (SQLite: its statement cache and the write
/// gate; PostgreSQL: its reconnecting connection); the dialect differences are the hooks.
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
