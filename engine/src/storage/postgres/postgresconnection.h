#pragma once

#include "ergon/result.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <functional>
#include <utility>

class QSqlError;

namespace ergon::detail {

/// A PostgreSQL database named by a URL, postgresql://user[:password]@host[:port]/dbname
/// [?schema=NAME&sslmode=...]. Query parameters other than `schema` (ours: the schema the
/// tables live in) and `password` are libpq connection parameters.
struct PostgresLocation {
    QString user;
    QString password;
    QString host;
    int port = -1;
    QString database;
    QString schema;
    QList<std::pair<QString, QString>> parameters;

    static Result<PostgresLocation> parse(const QString &url);
    /// The URL without the password, for messages and location().
    QString display() const;
};

/// A connection to PostgreSQL through QPSQL, for the thread that opens it: prepared statements
/// kept and bound, errors that name the database (never its password), and reconnection.
///
/// A statement that fails because the connection is gone (the server restarted, the network
/// dropped) marks the connection broken; the next call reconnects, at most once per back-off
/// interval (0.1 s doubling to 5 s), and fails fast in between with an error of kind
/// "connection". Nothing is retried behind the caller's back: a transaction that was cut off
/// is rolled back by the server, and the caller tries again.
class PostgresConnection
{
public:
    explicit PostgresConnection(PostgresLocation location);
    ~PostgresConnection();
    PostgresConnection(const PostgresConnection &) = delete;
    PostgresConnection &operator=(const PostgresConnection &) = delete;

    const PostgresLocation &location() const { return m_location; }
    QString display() const { return m_display; }
    /// The current connection; a reconnection makes a new one (and a new driver).
    QSqlDatabase &database() { return m_db; }

    /// Opens the connection (creating the URL's schema if it does not exist yet).
    Result<void> open();
    /// Reconnects a broken connection when its back-off allows it.
    Result<void> ensureOpen();
    bool isBroken() const { return m_broken; }
    /// Called after each successful reconnection (e.g. to listen again).
    void setReconnected(std::function<void()> callback) { m_reconnected = std::move(callback); }

    /// A prepared statement run with the values bound in order ('?' placeholders).
    Result<QSqlQuery *> run(const QString &sql, const QVariantList &values, const QString &doing);
    /// A statement run once, unprepared (DDL, session settings).
    Result<void> exec(const QString &sql, const QString &doing);
    Result<void> begin(const QString &doing);
    Result<void> commit(const QString &doing);
    void rollback();

    /// The error as a value; a lost connection is marked broken and reported as kind "connection".
    Error sqlError(const QString &doing, const QSqlError &error);

private:
    Result<void> connect(bool first);
    void dropConnection();
    Result<void> setUpSession(bool first);
    Result<void> sessionExec(const QString &sql, const QString &doing);
    void markBroken();

    PostgresLocation m_location;
    QString m_display;
    QString m_connectionName;
    QString m_connectOptions;
    int m_generation = 0;
    QSqlDatabase m_db;
    QHash<QString, QSqlQuery> m_statements;
    bool m_broken = false;
    QElapsedTimer m_sinceAttempt;
    qint64 m_backoffMs = 0;
    std::function<void()> m_reconnected;
};

} // namespace ergon::detail
