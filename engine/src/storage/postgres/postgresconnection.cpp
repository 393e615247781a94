#include "storage/postgres/postgresconnection.h"

#include <QAtomicInteger>
#include <QLibrary>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QUrl>
#include <QUrlQuery>

namespace ergon::detail {

namespace {

QAtomicInteger<quint64> connectionCounter;

constexpr qint64 firstBackoffMs = 100;
constexpr qint64 maxBackoffMs = 5000;

QString quotedIdentifier(const QString &name)
{
    QString quoted = name;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// A libpq connection parameter value, quoted as libpq's conninfo strings want it.
QString quotedParameter(const QString &value)
{
    QString quoted = value;
    quoted.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

// Whether the error says that the connection is gone (rather than that the statement failed):
// SQLSTATE class 08 (connection exception), 57P01-57P03 (the server shuts down or restarts),
// or the client library's own messages, which come without an SQLSTATE.
bool isConnectionLoss(const QSqlError &error)
{
    const QString code = error.nativeErrorCode();
    if (code.startsWith(QLatin1String("08")) || code == QLatin1String("57P01") || code == QLatin1String("57P02") ||
        code == QLatin1String("57P03"))
        return true;
    if (error.type() == QSqlError::ConnectionError)
        return true;
    static const char *const phrases[] = {
        "server closed the connection", "no connection to the server", "could not connect",
        "connection to server",         "terminating connection",      "could not send data",
        "could not receive data",       "connection not open",         "SSL SYSCALL",
        "the database system is",       "Connection refused",          "lost synchronization",
    };
    const QString text = error.text();
    for (const char *phrase : phrases) {
        if (text.contains(QLatin1String(phrase), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

// Dropping the prepared statements of a dead connection makes QPSQL warn, once per statement,
// that it could not DEALLOCATE them on the server (which has forgotten them anyway). Those
// warnings are discarded while this thread drops them; every other message passes on.
thread_local bool discardingStatements = false;
QtMessageHandler nextHandler = nullptr;

void statementWarningFilter(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (discardingStatements && type == QtWarningMsg && message.startsWith(QLatin1String("Unable to free statement")))
        return;
    nextHandler(type, context, message);
}

void dropStatements(QHash<QString, QSqlQuery> &statements)
{
    static const bool installed = [] {
        nextHandler = qInstallMessageHandler(statementWarningFilter);
        return true;
    }();
    Q_UNUSED(installed);
    discardingStatements = true;
    statements.clear();
    discardingStatements = false;
}

// What is wrong with a URL QUrl refused, in words of our own: QUrl::errorString() quotes the
// URL itself ("source was ...") or its user info ("userinfo = ..."), passwords included, and
// names a character of the password when one is not allowed. Only the kind of fault is kept.
QString urlFault(const QUrl &parsed)
{
    const QString qtText = parsed.errorString();
    const QString fault = qtText.left(qtText.indexOf(QLatin1Char(';')));
    if (fault.contains(QLatin1String("port"), Qt::CaseInsensitive))
        return QStringLiteral("the port is not a number between 1 and 65535");
    if (fault.contains(QLatin1String("user name"), Qt::CaseInsensitive) ||
        fault.contains(QLatin1String("password"), Qt::CaseInsensitive))
        return QStringLiteral("the user name or the password holds a character a URL does not allow: "
                              "percent-encode it, or leave the password out (PGPASSWORD, ~/.pgpass)");
    if (fault.contains(QLatin1String("host"), Qt::CaseInsensitive) ||
        fault.contains(QLatin1String("IPv"), Qt::CaseInsensitive) || fault.contains(QLatin1Char('[')))
        return QStringLiteral("the host name is malformed");
    if (fault.contains(QLatin1String("path"), Qt::CaseInsensitive))
        return QStringLiteral("the database name is malformed");
    if (fault.contains(QLatin1String("query"), Qt::CaseInsensitive))
        return QStringLiteral("the parameters after '?' are malformed");
    return QStringLiteral("a malformed URL");
}

// libpq prints the server's notices, and an error that arrives on an idle connection ("FATAL:
// terminating connection due to administrator command" when the server stops), on stderr
// itself: QPSQL sets no notice processor. Ours hands them to a logging category, off by
// default (QT_LOGGING_RULES="ergon.postgres.notice.info=true" shows them): the connection's
// loss reaches the program as the error of its next call, which says it in its own words.
Q_LOGGING_CATEGORY(lcNotices, "ergon.postgres.notice", QtWarningMsg)

void logNotice(void *, const char *message)
{
    qCInfo(lcNotices, "%s", QByteArray(message).trimmed().constData());
}

void routeNotices(const QSqlDatabase &db)
{
    // Resolved from the libpq that QPSQL loaded: the engine does not link libpq itself.
    using NoticeProcessor = void (*)(void *, const char *);
    using SetNoticeProcessor = NoticeProcessor (*)(void *, NoticeProcessor, void *);
    static const auto setNoticeProcessor =
        reinterpret_cast<SetNoticeProcessor>(QLibrary::resolve(QStringLiteral("pq"), 5, "PQsetNoticeProcessor"));
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!setNoticeProcessor || !handle.isValid() || qstrcmp(handle.typeName(), "PGconn*") != 0)
        return;
    if (void *connection = *static_cast<void *const *>(handle.constData()))
        setNoticeProcessor(connection, &logNotice, nullptr);
}

} // namespace

Result<PostgresLocation> PostgresLocation::parse(const QString &url)
{
    const QUrl parsed(url, QUrl::StrictMode);
    const auto invalid = [](const QString &why) {
        return Error(QStringLiteral("not a PostgreSQL URL (%1): expected postgresql://user@host:port/dbname").arg(why),
                     QStringLiteral("invalid-location"));
    };
    if (!parsed.isValid())
        return invalid(urlFault(parsed));
    if (parsed.scheme() != QLatin1String("postgresql") && parsed.scheme() != QLatin1String("postgres"))
        return invalid(QStringLiteral("the scheme is '%1'").arg(parsed.scheme()));

    PostgresLocation location;
    location.user = parsed.userName(QUrl::FullyDecoded);
    location.password = parsed.password(QUrl::FullyDecoded);
    location.host = parsed.host(QUrl::FullyDecoded);
    location.port = parsed.port(-1);
    location.database = parsed.path(QUrl::FullyDecoded);
    if (location.database.startsWith(QLatin1Char('/')))
        location.database.remove(0, 1);
    if (location.database.contains(QLatin1Char('/')))
        return invalid(QStringLiteral("the database name '%1' contains '/'").arg(location.database));
    const QUrlQuery query(parsed);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("schema"))
            location.schema = value;
        else if (key == QLatin1String("password"))
            location.password = value;
        else if (key == QLatin1String("user"))
            location.user = value;
        else if (key == QLatin1String("dbname"))
            location.database = value;
        else if (key == QLatin1String("port"))
            location.port = value.toInt();
        else if (key == QLatin1String("host"))
            location.host = value; // e.g. a socket folder, which a URL's host cannot hold
        else
            location.parameters.append({key, value});
    }
    return location;
}

QString PostgresLocation::display() const
{
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    if (!user.isEmpty())
        url.setUserName(user);
    // A socket folder goes back into the query: a URL's host cannot hold a path.
    const bool hostIsPath = host.startsWith(QLatin1Char('/'));
    url.setHost(hostIsPath ? QString() : host);
    if (port > 0)
        url.setPort(port);
    url.setPath(QLatin1Char('/') + database);
    QUrlQuery query;
    if (hostIsPath)
        query.addQueryItem(QStringLiteral("host"), host);
    if (!schema.isEmpty())
        query.addQueryItem(QStringLiteral("schema"), schema);
    for (const auto &[key, value] : parameters)
        query.addQueryItem(key, value);
    url.setQuery(query);
    return url.toString();
}

PostgresConnection::PostgresConnection(PostgresLocation location)
    : m_location(std::move(location))
    , m_display(m_location.display())
    , m_connectionName(QStringLiteral("ergon-postgres-%1").arg(connectionCounter.fetchAndAddRelaxed(1)))
{
}

PostgresConnection::~PostgresConnection()
{
    dropConnection();
}

void PostgresConnection::dropConnection()
{
    dropStatements(m_statements);
    if (m_db.isValid()) {
        const QString name = m_db.connectionName();
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
}

Result<void> PostgresConnection::open()
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
        return Error(QStringLiteral("cannot open %1: the Qt PostgreSQL driver (QPSQL) is not installed (Debian: "
                                    "libqt6sql6-psql)")
                         .arg(m_display),
                     QStringLiteral("driver"));
    }
    QStringList options;
    bool timeoutGiven = false;
    bool nameGiven = false;
    for (const auto &[key, value] : std::as_const(m_location.parameters)) {
        options.append(key + QLatin1Char('=') + quotedParameter(value));
        timeoutGiven = timeoutGiven || key == QLatin1String("connect_timeout");
        nameGiven = nameGiven || key == QLatin1String("application_name");
    }
    // A server that does not answer fails a (re)connection in seconds, not minutes.
    if (!timeoutGiven)
        options.append(QStringLiteral("connect_timeout=5"));
    if (!nameGiven)
        options.append(QStringLiteral("application_name=ergon-console"));
    m_connectOptions = options.join(QLatin1Char(';'));
    return connect(true);
}

Result<void> PostgresConnection::connect(bool first)
{
    // A new driver for every connection: QPSQL neither frees the client connection nor
    // resets its notification listener after the server has gone, only when it is destroyed.
    dropConnection();
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"),
                                     QStringLiteral("%1-%2").arg(m_connectionName).arg(++m_generation));
    if (!m_location.host.isEmpty())
        m_db.setHostName(m_location.host);
    if (m_location.port > 0)
        m_db.setPort(m_location.port);
    if (!m_location.user.isEmpty())
        m_db.setUserName(m_location.user);
    // Without a password here libpq reads PGPASSWORD or ~/.pgpass itself.
    if (!m_location.password.isEmpty())
        m_db.setPassword(m_location.password);
    if (!m_location.database.isEmpty())
        m_db.setDatabaseName(m_location.database);
    m_db.setConnectOptions(m_connectOptions);

    m_sinceAttempt.start();
    if (!m_db.open()) {
        const QString text = m_db.lastError().text().simplified();
        return Error(QStringLiteral("cannot connect to %1: %2").arg(m_display, text), QStringLiteral("connection"));
    }
    routeNotices(m_db);
    if (auto ready = setUpSession(first); !ready) {
        m_db.close();
        return ready;
    }
    m_broken = false;
    m_backoffMs = 0;
    return {};
}

Result<void> PostgresConnection::sessionExec(const QString &sql, const QString &doing)
{
    QSqlQuery query(m_db);
    if (!query.exec(sql)) {
        const QString text = query.lastError().text().simplified();
        return Error(QStringLiteral("%1 %2: %3").arg(doing, m_display, text), QStringLiteral("connection"));
    }
    return {};
}

Result<void> PostgresConnection::setUpSession(bool first)
{
    const QString doing = QStringLiteral("setting up a session on");
    // Notices ("schema already exists, skipping") would go to stderr, which verbs keep for errors.
    if (auto quiet = sessionExec(QStringLiteral("SET client_min_messages TO warning"), doing); !quiet)
        return quiet;
    if (m_location.schema.isEmpty())
        return {};
    if (first) {
        if (auto created = sessionExec(
                QStringLiteral("CREATE SCHEMA IF NOT EXISTS ") + quotedIdentifier(m_location.schema), doing);
            !created) {
            // Another connection may have created it at the same moment.
            if (!created.error().message().contains(QLatin1String("already exists")))
                return created;
        }
    }
    return sessionExec(QStringLiteral("SET search_path TO ") + quotedIdentifier(m_location.schema), doing);
}

Result<void> PostgresConnection::ensureOpen()
{
    if (!m_broken)
        return {};
    if (m_sinceAttempt.isValid() && m_sinceAttempt.elapsed() < m_backoffMs) {
        return Error(QStringLiteral("%1 is unreachable; reconnecting in %2 ms")
                         .arg(m_display)
                         .arg(m_backoffMs - m_sinceAttempt.elapsed()),
                     QStringLiteral("connection"));
    }
    if (auto connected = connect(false); !connected) {
        m_backoffMs = m_backoffMs == 0 ? firstBackoffMs : std::min(maxBackoffMs, m_backoffMs * 2);
        return Error(connected.error().message() + QStringLiteral(" (retrying in %1 ms)").arg(m_backoffMs),
                     QStringLiteral("connection"));
    }
    if (m_reconnected)
        m_reconnected();
    return {};
}

void PostgresConnection::markBroken()
{
    if (m_broken)
        return;
    m_broken = true;
    // The first reconnection is tried at once (a restarted server is often back already).
    m_backoffMs = 0;
    m_sinceAttempt.invalidate();
}

Error PostgresConnection::sqlError(const QString &doing, const QSqlError &error)
{
    const QString text = error.text().simplified();
    if (isConnectionLoss(error)) {
        markBroken();
        return Error(QStringLiteral("%1 %2: the connection was lost (%3); reconnecting").arg(doing, m_display, text),
                     QStringLiteral("connection"));
    }
    return Error(QStringLiteral("%1 %2: %3").arg(doing, m_display, text), QStringLiteral("storage"));
}

Result<QSqlQuery *> PostgresConnection::run(const QString &sql, const QVariantList &values, const QString &doing)
{
    // QPSQL closes a connection whose socket fails while it waits for notifications.
    if (!m_broken && !m_db.isOpen())
        markBroken();
    if (auto ready = ensureOpen(); !ready)
        return ready.error();
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        QSqlQuery query(m_db);
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            return sqlError(QStringLiteral("preparing a statement on"), query.lastError());
        it = m_statements.emplace(sql, std::move(query)); // insert() would copy
    }
    QSqlQuery *q = &it.value();
    for (int i = 0; i < values.size(); ++i)
        q->bindValue(i, values.at(i));
    if (!q->exec()) {
        const Error failed = sqlError(doing, q->lastError());
        // A statement that failed on a dead connection cannot be reused on the new one.
        if (m_broken)
            dropStatements(m_statements);
        return failed;
    }
    return q;
}

Result<void> PostgresConnection::exec(const QString &sql, const QString &doing)
{
    if (!m_broken && !m_db.isOpen())
        markBroken();
    if (auto ready = ensureOpen(); !ready)
        return ready;
    QSqlQuery query(m_db);
    if (!query.exec(sql))
        return sqlError(doing, query.lastError());
    return {};
}

Result<void> PostgresConnection::begin(const QString &doing)
{
    if (!m_broken && !m_db.isOpen())
        markBroken();
    if (auto ready = ensureOpen(); !ready)
        return ready;
    if (!m_db.transaction())
        return sqlError(doing, m_db.lastError());
    return {};
}

Result<void> PostgresConnection::commit(const QString &doing)
{
    if (!m_db.commit()) {
        const Error error = sqlError(doing, m_db.lastError());
        if (!m_broken)
            m_db.rollback();
        return error;
    }
    return {};
}

void PostgresConnection::rollback()
{
    if (!m_broken)
        m_db.rollback();
}

} // namespace ergon::detail
