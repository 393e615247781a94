#include "ergon/sqliteexecutionlog.h"

#include "storage/logbatchrules.h"
#include "storage/sql/flowquerysql.h"
#include "storage/sql/sqlreads.h"
#include "storage/sql/sqlrows.h"
#include "storage/sql/workersql.h"
#include "storage/sqlite/sqlitefilecheck.h"
#include "storage/sqlite/sqliteschema.h"
#include "storage/sqlite/sqlitestatement.h"
#include "storage/sqlite/sqlitewritegate.h"

#include "ergon/jsontext.h"

#include <QAtomicInteger>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QVarLengthArray>
#include <QVariant>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <thread>
#include <unordered_map>

namespace ergon {

using sqlrows::flowColumnList;
using sqlrows::flowFromRow;
using sqlrows::flowStepCountColumn;
using sqlrows::fromTime;
using sqlrows::nullIfEmpty;
using sqlrows::stepColumnList;
using sqlrows::stepFromRow;
using sqlrows::toTime;

namespace {

QAtomicInteger<quint64> connectionCounter;

const QString flowColumns = QLatin1String(flowColumnList);
const QString stepColumns = QLatin1String(stepColumnList);

// --- the native write path (commit()) -------------------------------------------------

/// The stored names of an enum's values as UTF-8 that lives as long as the program: bound
/// without a copy (SQLITE_STATIC) and compared with a column's bytes without making a QString.
template<typename Enum, size_t Count>
const std::array<QByteArray, Count> &utf8Names()
{
    static const std::array<QByteArray, Count> names = [] {
        std::array<QByteArray, Count> utf8;
        for (size_t i = 0; i < Count; ++i)
            utf8[i] = toString(Enum(i)).toUtf8();
        return utf8;
    }();
    return names;
}

const QByteArray &utf8Name(FlowStatus status)
{
    return utf8Names<FlowStatus, size_t(FlowStatus::Cancelled) + 1>()[size_t(status)];
}

const QByteArray &utf8Name(StepStatus status)
{
    return utf8Names<StepStatus, size_t(StepStatus::Failed) + 1>()[size_t(status)];
}

const QByteArray &utf8Name(StepKind kind)
{
    return utf8Names<StepKind, size_t(StepKind::Timer) + 1>()[size_t(kind)];
}

std::optional<FlowStatus> flowStatusFromUtf8(QByteArrayView text)
{
    const auto &names = utf8Names<FlowStatus, size_t(FlowStatus::Cancelled) + 1>();
    for (size_t i = 0; i < names.size(); ++i) {
        if (text == QByteArrayView(names[i]))
            return FlowStatus(i);
    }
    return std::nullopt;
}

/// NULL for empty text, as nullIfEmpty() binds it on the QtSql path. The text outlives the step.
void bindTextOrNull(SqliteStatement &statement, int index, const QString &text)
{
    if (text.isEmpty())
        statement.bindNull(index);
    else
        statement.bindText(index, text, SqliteStatement::Text::Borrowed);
}

void bindUtf8OrNull(SqliteStatement &statement, int index, const QByteArray &text)
{
    if (text.isEmpty())
        statement.bindNull(index);
    else
        statement.bindUtf8(index, text, SqliteStatement::Text::Borrowed);
}

/// The column's text, sharing `likely` when it holds the same text: no allocation for the
/// values every row repeats (the flow type, the owner that just claimed it).
QString textSharing(const SqliteStatement &row, int column, const QString &likely)
{
    const QByteArrayView text = row.columnUtf8View(column);
    if (!text.data())
        return QString();
    if (!likely.isNull() && QAnyStringView::equal(QUtf8StringView(text), likely))
        return likely;
    return QString::fromUtf8(text);
}

/// Flow arguments are most often the empty object, which needs no parser; other text goes
/// from the column's UTF-8 straight to the parser (no QString on the way).
QJsonObject argumentsFromUtf8(QByteArrayView text)
{
    if (text == QByteArrayView("{}"))
        return QJsonObject();
    return objectFromJsonText(text.toByteArray()).value_or(QJsonObject());
}

/// flowFromRow() for a native row of the same columns (flowColumnList). `lastType` keeps the
/// last type read, to share it; `owner` is the owner that claimed it.
Result<FlowRecord> flowFromNativeRow(const SqliteStatement &row, QString &lastType, const QString &owner,
                                     const QString &fileName)
{
    FlowRecord flow;
    flow.id = row.columnInt64(0);
    flow.type = textSharing(row, 1, lastType);
    lastType = flow.type;
    flow.typeVersion = row.columnInt(2);
    flow.arguments = argumentsFromUtf8(row.columnUtf8View(3));
    const auto status = flowStatusFromUtf8(row.columnUtf8View(4));
    if (!status)
        return unknownStoredValue(fileName, QStringLiteral("the status of flow %1").arg(flow.id), row.columnText(4));
    flow.status = *status;
    flow.priority = row.columnInt(5);
    flow.runAt = row.columnTime(6);
    flow.idempotencyKey = row.columnText(7);
    flow.leaseOwner = textSharing(row, 8, owner);
    flow.leaseExpires = row.columnTime(9);
    flow.resultJson = row.columnUtf8(10);
    flow.error = row.columnText(11);
    flow.stepCount = row.columnInt(flowStepCountColumn);
    flow.created = row.columnTime(13);
    flow.updated = row.columnTime(14);
    flow.finished = row.columnTime(15);
    flow.runStarted = row.columnTime(16);
    flow.plugin = row.columnText(17);
    return flow;
}

/// stepFromRow() for a native row of the same columns (stepColumnList).
Result<StepRecord> stepFromNativeRow(const SqliteStatement &row, const QString &fileName)
{
    StepRecord step;
    step.flowId = row.columnInt64(0);
    step.seq = row.columnInt(1);
    step.name = row.columnText(2);
    step.occurrence = row.columnInt(3);
    step.inputHash = row.columnUtf8(4);
    const auto kind = stepKindFromString(row.columnText(5));
    const auto status = stepStatusFromString(row.columnText(6));
    if (!kind || !status) {
        return unknownStoredValue(fileName,
                                  QStringLiteral("the %1 of step %2 of flow %3")
                                      .arg(kind ? QStringLiteral("status") : QStringLiteral("kind"))
                                      .arg(step.seq)
                                      .arg(step.flowId),
                                  row.columnText(kind ? 6 : 5));
    }
    step.kind = *kind;
    step.status = *status;
    step.resultJson = row.columnUtf8(7);
    step.error = row.columnText(8);
    step.worker = row.columnText(9);
    step.attempts = row.columnInt(10);
    step.retryBase = row.columnInt(11);
    step.typeVersion = row.columnInt(12);
    step.started = row.columnTime(13);
    step.finished = row.columnTime(14);
    step.nextAttemptAt = row.columnTime(15);
    step.attemptStarted = row.columnTime(16);
    return step;
}

/// " AND ((type = ?3 AND plugin IN ('', ?4)) OR …)" for the native claim statements, whose ?1
/// and ?2 are the time and the limit: each type with the plugin that provides it here (see
/// ClaimFilter); empty for no types. bindTypes() binds them.
QByteArray typeInFilter(const ClaimFilter &types)
{
    if (types.isEmpty())
        return {};
    QByteArrayList terms;
    for (int i = 0; i < types.size(); ++i) {
        terms.append("(type = ?" + QByteArray::number(2 * i + 3) + " AND plugin IN ('', ?" +
                     QByteArray::number(2 * i + 4) + "))");
    }
    return " AND (" + terms.join(" OR ") + ")";
}

void bindTypes(SqliteStatement &statement, const ClaimFilter &types)
{
    for (int i = 0; i < types.size(); ++i) {
        statement.bindText(2 * i + 3, types.at(i).type, SqliteStatement::Text::Borrowed);
        statement.bindText(2 * i + 4, types.at(i).plugin, SqliteStatement::Text::Borrowed);
    }
}

/// A flow a claim may take, with what orders the claims.
struct Candidate {
    qint64 id;
    int priority;
    qint64 due;
};

} // namespace

class SqliteExecutionLog::Private final : public sqlsession::SqlSession
{
public:
    /// commit()'s statements, run through SQLite's native API on QSQLITE's own connection:
    /// the hot write path, where QtSql's per-value QVariant boxing, per-row QSqlRecord and
    /// UTF-8/UTF-16 conversions cost more than SQLite itself. Prepared on the first commit().
    struct Native {
        SqliteStatement begin;
        SqliteStatement commit;
        SqliteStatement rollback;
        SqliteStatement claim;
        SqliteStatement claimedRow;
        SqliteStatement claimedSteps;
        SqliteStatement unheld;
        SqliteStatement step;
        SqliteStatement timer;
        SqliteStatement attempt;
        SqliteStatement guardedFlow;
        SqliteStatement flow;
    };

    QString path;
    QString name; ///< the file's name, for messages
    QString connectionName;
    QSqlDatabase db;
    sqlite3 *handle = nullptr; ///< db's connection, owned by the QSQLITE driver
    bool readOnly = false;
    QString readOnlyReason; ///< see SqliteFilePlan
    QString canonicalPath;
    qint64 quickCheckMaxBytes = 0;
    std::shared_ptr<void> checkedMark; ///< see SqliteIntegrity::check()
    int busyTimeoutMs = 5000;
    QElapsedTimer busySince; ///< when the current wait for another writer's lock began
    /// busySince was started by takeTurn(): the wait for the turn and SQLite's own wait for the
    /// lock share one busy timeout.
    bool waitingSinceTurn = false;
    std::shared_ptr<SqliteWriteGate> gate; ///< null for a read-only file
    bool inTurn = false;                   ///< this connection holds the gate's turn

    // SQLite's own busy handler sleeps 1, 2, 5, 10, ... then 100 ms between tries: against a
    // writer that commits back to back (another worker's group commits), a waiter keeps waking
    // up to a held lock and falls further behind, its whole thread stalled (measured: a quarter
    // of a second, due timers included). Short sleeps take the lock in the first gap.
    static int onBusy(void *context, int tries)
    {
        auto *self = static_cast<Private *>(context);
        if (tries == 0 && !self->waitingSinceTurn)
            self->busySince.start();
        if (self->busySince.elapsed() >= self->busyTimeoutMs)
            return 0; // SQLITE_BUSY for the caller
        // 50 us, doubling up to 1 ms: a group commit holds the lock for about a millisecond.
        std::this_thread::sleep_for(std::chrono::microseconds(std::min(1000, 50 << std::min(tries, 5))));
        return 1;
    }
    QHash<QString, QSqlQuery> statements;
    std::unique_ptr<Native> native;
    std::unordered_map<QByteArray, SqliteStatement> nativeCache; ///< see cachedNative()
    /// When dueCandidates() last looked for expired leases (log time, ms since the epoch).
    qint64 lastExpiredLeaseScanMs = std::numeric_limits<qint64>::min() / 2;
    static constexpr qint64 expiredLeaseScanMs = 1000;
    QString lastType; ///< the last flow type a claim read, shared by the next ones

    ~Private()
    {
        endTurn();
        // Statements belong to the connection: SQLite refuses to close it while any is left.
        native.reset();
        nativeCache.clear();
        statements.clear();
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(connectionName);
    }

    const QString &fileName() const { return name; }
    QString location() const override { return path; }
    QString where() const override { return name; }
    QLatin1StringView caseInsensitiveLike() const override { return QLatin1StringView("LIKE"); }
    Error readError(const QString &doing, const QSqlError &error) override { return sqlError(doing, error); }

    Error sqlError(const QString &doing, const QSqlError &error) const
    {
        return explained(sqliteError(doing, fileName(), error.text().trimmed()));
    }
    /// A read-only error says why the file is read-only when it is not the file itself.
    /// A disk I/O error on a full disk is a full disk (sqliteFullDiskError()).
    Error explained(const Error &error) const
    {
        if (error.kind() != QLatin1String("read-only") || readOnlyReason.isEmpty())
            return sqliteFullDiskError(error, path);
        return Error(error.message() + QStringLiteral("; ") + readOnlyReason, error.kind());
    }

    /// The next row of a query that ran: false past the last one, an error when the read failed
    /// (see ergon::nextRow(): a damaged page must not read as the end of the rows).
    Result<bool> nextRow(QSqlQuery &query, const QString &doing) const
    {
        return ergon::nextRow(query, [&](const QSqlError &error) { return sqlError(doing, error); });
    }
    /// What readRows() makes of a failed read.
    auto readError(const QString &doing) const
    {
        return [this, doing](const QSqlError &error) { return sqlError(doing, error); };
    }

    /// A prepared statement, prepared on first use and kept: re-preparing costs ~35%.
    Result<QSqlQuery *> statement(const QString &sql)
    {
        auto it = statements.find(sql);
        if (it == statements.end()) {
            QSqlQuery query(db);
            // Results are only read with next(). A scrollable query makes QtSql allocate and
            // destroy a cache of 128 rows of QVariants on every exec() of a SELECT.
            query.setForwardOnly(true);
            if (!query.prepare(sql))
                return sqlError(QStringLiteral("preparing a statement on"), query.lastError());
            it = statements.insert(sql, std::move(query));
        }
        return &it.value();
    }

    /// Runs a prepared statement with the values bound in order.
    Result<QSqlQuery *> run(const QString &sql, const QVariantList &values, const QString &doing) override
    {
        auto query = statement(sql);
        if (!query)
            return query.error();
        QSqlQuery *q = *query;
        for (int i = 0; i < values.size(); ++i)
            q->bindValue(i, values.at(i));
        if (!q->exec())
            return sqlError(doing, q->lastError());
        return q;
    }

    Result<void> exec(const QString &sql, const QString &doing)
    {
        QSqlQuery query(db);
        if (!query.exec(sql))
            return sqlError(doing, query.lastError());
        return {};
    }

    /// Takes this process's turn to write the file (see SqliteWriteGate), before the write lock.
    void takeTurn(SqliteWriteGate::Urgency urgency)
    {
        busySince.start();
        waitingSinceTurn = true;
        if (gate && !inTurn)
            inTurn = gate->enter(urgency, std::chrono::milliseconds(busyTimeoutMs));
    }
    /// BEGIN IMMEDIATE has returned: later waits (a checkpoint at COMMIT) time themselves.
    void turnTaken() { waitingSinceTurn = false; }
    /// Hands the turn on, once the transaction has ended.
    void endTurn()
    {
        if (inTurn) {
            inTurn = false;
            gate->leave();
        }
    }

    // QSqlDatabase::transaction() issues a deferred BEGIN, which fails at once with SQLITE_BUSY
    // when another writer holds the lock; BEGIN IMMEDIATE waits on the busy timeout instead.
    Result<void> begin(const QString &doing) override { return begin(doing, SqliteWriteGate::Urgency::Normal); }
    Result<void> begin(const QString &doing, SqliteWriteGate::Urgency urgency)
    {
        takeTurn(urgency);
        auto begun = exec(QStringLiteral("BEGIN IMMEDIATE"), doing);
        turnTaken();
        if (!begun)
            endTurn();
        return begun;
    }

    Result<void> commit(const QString &doing) override
    {
        if (!db.commit()) {
            const Error error = sqlError(doing, db.lastError());
            rollback();
            return error;
        }
        endTurn();
        return {};
    }

    void rollback() override
    {
        db.rollback();
        endTurn();
    }

    template<typename T>
    Result<T> rollback(Error error)
    {
        rollback();
        return error;
    }

    Result<void> migrate();
    Error newerSchema(int version) const;
    /// Tables at schema version 0 are another application's. Only meaningful under the write
    /// lock (or on a read-only file): a first open elsewhere may be creating the schema.
    Result<void> checkNotForeign(int version);
    Result<qint64> scheduleOne(const NewFlow &flow, const QDateTime &now);
    /// Marks every due timer of a waiting flow fired, inside the caller's transaction.
    Result<int> fireDue(const QDateTime &now, const QString &doing);
    Result<void> prepareNative();
    Result<std::optional<ClaimedFlow>> claim(const FlowClaim &claim);
    Result<QList<StepRecord>> claimedSteps(qint64 flowId);
    /// A native statement for `sql`, prepared on first use and kept.
    Result<SqliteStatement *> cachedNative(const QByteArray &sql);
    /// Leases the flows to the owner, not started (a prefetch, or fired flows handed over).
    Result<void> leaseUnstarted(const QList<qint64> &ids, const QString &owner, const QDateTime &now,
                                const QDateTime &leaseUntil, const QString &doing);
    /// The flows a claim may take now, in claim order, at most `limit`.
    Result<std::vector<Candidate>> dueCandidates(const QDateTime &now, int limit, const ClaimFilter &types,
                                                 const QString &doing);
    class BatchWriter;
    /// LogBatchWriter::notHeldBy(): one statement for all the flows of one writer.
    Result<QList<qint64>> notHeldBy(const QString &writer, const QList<qint64> &flowIds);
    Result<void> applyStep(const StepRecord &step);
    Result<void> applyAttempt(const AttemptWrite &write);
    Result<bool> applyFlowUpdate(const FlowUpdate &update);
};

Result<void> SqliteExecutionLog::Private::migrate()
{
    QSqlQuery versionQuery(db);
    if (!versionQuery.exec(QStringLiteral("PRAGMA user_version")) || !versionQuery.next()) {
        // The first read of the file: SQLite checks its header here (SQLITE_NOTADB).
        if (versionQuery.lastError().nativeErrorCode() == QLatin1String("26") ||
            versionQuery.lastError().text().contains(QLatin1String("not a database"))) {
            return Error(QStringLiteral("%1 is not an SQLite database (corrupt, or another kind of file); it was left "
                                        "untouched.")
                             .arg(path),
                         QStringLiteral("corrupt"));
        }
        return sqlError(QStringLiteral("reading the schema version of"), versionQuery.lastError());
    }
    const int version = versionQuery.value(0).toInt();
    versionQuery.finish();
    // A damaged file is refused before anything is written to it, migrations included.
    auto checked = SqliteIntegrity::check(handle, canonicalPath, fileName(), quickCheckMaxBytes);
    if (!checked)
        return checked.error();
    checkedMark = checked.take();
    if (version > SqliteExecutionLog::schemaVersion)
        return newerSchema(version);
    if (version == SqliteExecutionLog::schemaVersion)
        return {};
    if (readOnly) {
        if (auto foreign = checkNotForeign(version); !foreign)
            return foreign;
        return Error(QStringLiteral("%1 is read-only and needs its schema upgraded from version %2 to %3")
                         .arg(fileName())
                         .arg(version)
                         .arg(SqliteExecutionLog::schemaVersion),
                     QStringLiteral("read-only"));
    }

    // Under the write lock, the version is read again: another connection (a worker starting
    // beside the console) may have created or upgraded the schema meanwhile.
    const QString doing = QStringLiteral("migrating the schema of");
    if (auto begun = begin(doing); !begun)
        return begun;
    QSqlQuery lockedQuery(db);
    if (!lockedQuery.exec(QStringLiteral("PRAGMA user_version")) || !lockedQuery.next())
        return rollback<void>(sqlError(QStringLiteral("reading the schema version of"), lockedQuery.lastError()));
    const int current = lockedQuery.value(0).toInt();
    lockedQuery.finish();
    if (current > SqliteExecutionLog::schemaVersion)
        return rollback<void>(newerSchema(current));
    if (auto foreign = checkNotForeign(current); !foreign)
        return rollback<void>(foreign.error());
    for (const SchemaMigration &migration : sqliteMigrations()) {
        if (migration.version <= current)
            continue;
        for (const QString &sql : migration.statements) {
            if (auto done = exec(sql, doing); !done)
                return rollback<void>(done.error());
        }
        if (auto done = exec(QStringLiteral("PRAGMA user_version = %1").arg(migration.version), doing); !done)
            return rollback<void>(done.error());
    }
    return commit(doing);
}

Error SqliteExecutionLog::Private::newerSchema(int version) const
{
    return Error(QStringLiteral("%1 was written by a newer Ergon Console (schema version %2; this build knows "
                                "versions up to %3). Upgrade Ergon Console to open it; the file was left untouched.")
                     .arg(fileName())
                     .arg(version)
                     .arg(SqliteExecutionLog::schemaVersion),
                 QStringLiteral("newer-schema"));
}

Result<void> SqliteExecutionLog::Private::checkNotForeign(int version)
{
    if (version != 0)
        return {};
    QSqlQuery tables(db);
    if (!tables.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) || !tables.next())
        return sqlError(QStringLiteral("reading"), tables.lastError());
    const int count = tables.value(0).toInt();
    tables.finish();
    if (count > 0) {
        return Error(QStringLiteral("%1 is an SQLite database of another application (it has tables but no Ergon "
                                    "schema); it was left untouched.")
                         .arg(fileName()),
                     QStringLiteral("foreign-database"));
    }
    return {};
}

SqliteExecutionLog::SqliteExecutionLog(std::unique_ptr<Private> d)
    : d(std::move(d))
{
}

SqliteExecutionLog::~SqliteExecutionLog() = default;

Result<std::unique_ptr<SqliteExecutionLog>> SqliteExecutionLog::open(const QString &path, Options options)
{
    auto d = std::make_unique<Private>();
    d->path = path;
    d->name = QFileInfo(path).fileName();
    d->connectionName = QStringLiteral("ergon-sqlite-%1").arg(connectionCounter.fetchAndAddRelaxed(1));

    // No file descriptor of our own on the database: closing any descriptor of a file drops
    // every POSIX lock this process holds on it, those of SQLite's other connections included,
    // and another process may then delete a WAL that is still in use. SQLite itself tells a
    // file that is not a database (see migrate()); only stat() here (planSqliteOpen()).
    auto plan = planSqliteOpen(path, options.create);
    if (!plan)
        return plan.error();
    d->readOnly = plan->readOnly;
    d->readOnlyReason = plan->readOnlyReason;
    d->quickCheckMaxBytes = plan->exists ? options.quickCheckMaxBytes : qint64(0); // a new file holds nothing yet

    d->db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->connectionName);
    const SqliteConnectTarget target = sqliteConnectTarget(path, *plan);
    d->db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(options.busyTimeoutMs) + target.extraOptions);
    d->db.setDatabaseName(target.databaseName);
    if (!d->db.open())
        return d->sqlError(QStringLiteral("opening"), d->db.lastError());
    // The write path runs on this connection's own handle (see Private::Native), so the busy
    // timeout and the read-only flag set above apply to it too.
    const QVariant handle = d->db.driver()->handle();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        d->handle = *static_cast<sqlite3 *const *>(handle.constData());
    if (!d->handle) {
        return Error(
            QStringLiteral("opening %1: the QSQLITE driver did not hand out its SQLite connection").arg(d->name),
            QStringLiteral("storage"));
    }
    d->busyTimeoutMs = options.busyTimeoutMs;
    sqlite3_busy_handler(d->handle, &Private::onBusy, d.get());
    const QFileInfo opened(path);
    d->canonicalPath = opened.canonicalFilePath().isEmpty() ? opened.absoluteFilePath() : opened.canonicalFilePath();
    if (!d->readOnly)
        d->gate = SqliteWriteGate::forFile(d->canonicalPath);

    // The schema check comes first: it is the first read of the file (where SQLite tells a
    // file that is not a database), and switching to WAL rewrites the file header, while a
    // file that is refused (newer schema, another application's) must be left untouched.
    if (auto migrated = d->migrate(); !migrated)
        return migrated.error();
    const QString synchronous =
        options.synchronous == Synchronous::Full ? QStringLiteral("FULL") : QStringLiteral("NORMAL");
    if (auto done = d->exec(QStringLiteral("PRAGMA synchronous = ") + synchronous, QStringLiteral("setting up")); !done)
        return done.error();
    if (!d->readOnly) {
        // Switching a new file to WAL upgrades the pragma's own read lock to an exclusive one,
        // and SQLite does not call the busy handler for such an upgrade (it could deadlock):
        // when several processes open a new file at once, the losers are told "busy" at once.
        // Once one has switched, the mode is the file's and the pragma changes nothing; so the
        // losers try again, within the busy timeout.
        QElapsedTimer waited;
        waited.start();
        for (int attempt = 0;; ++attempt) {
            auto done = d->exec(QStringLiteral("PRAGMA journal_mode = WAL"), QStringLiteral("setting up"));
            if (done)
                break;
            if (done.error().kind() != QLatin1String("busy") || waited.elapsed() >= d->busyTimeoutMs)
                return done.error();
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt + 1, 10)));
        }
        if (sqliteSpaceIsShort(path)) {
            if (auto small = sqliteKeepLogSmall(d->handle, d->name); !small)
                return small.error();
        }
    }
    return std::unique_ptr<SqliteExecutionLog>(new SqliteExecutionLog(std::move(d)));
}

bool SqliteExecutionLog::isReadOnly() const
{
    return d->readOnly;
}

Result<void> SqliteExecutionLog::checkIntegrity()
{
    return SqliteIntegrity::quickCheck(d->handle, d->fileName());
}

Result<void> SqliteExecutionLog::reclaimSpace()
{
    if (d->readOnly)
        return {};
    return sqliteReclaimLogSpace(d->handle, d->fileName());
}

QString SqliteExecutionLog::location() const
{
    return d->path;
}

Result<qint64> SqliteExecutionLog::Private::scheduleOne(const NewFlow &flow, const QDateTime &now)
{
    const QString doing = QStringLiteral("scheduling a flow in");
    if (!flow.idempotencyKey.isEmpty()) {
        auto existing =
            run(QStringLiteral("SELECT id FROM flows WHERE idempotency_key = ?"), {flow.idempotencyKey}, doing);
        if (!existing)
            return existing.error();
        QSqlQuery *q = *existing;
        auto found = nextRow(*q, doing);
        if (!found)
            return found.error();
        if (*found) {
            const qint64 id = q->value(0).toLongLong();
            q->finish();
            return id;
        }
    }
    auto inserted =
        run(QStringLiteral("INSERT INTO flows (type, type_version, plugin, args, status, priority, run_at,"
                           " idempotency_key, created, updated) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)"),
            {flow.type, flow.typeVersion, flow.plugin.isNull() ? QStringLiteral("") : flow.plugin,
             QString::fromUtf8(toJsonText(flow.arguments)), flow.priority,
             fromTime(flow.runAt.isValid() ? flow.runAt : now), nullIfEmpty(flow.idempotencyKey), fromTime(now),
             fromTime(now)},
            doing);
    if (!inserted)
        return inserted.error();
    return (*inserted)->lastInsertId().toLongLong();
}

Result<QList<qint64>> SqliteExecutionLog::scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now)
{
    const QString doing = QStringLiteral("scheduling flows in");
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    QList<qint64> ids;
    ids.reserve(flows.size());
    for (const NewFlow &flow : flows) {
        auto id = d->scheduleOne(flow, now);
        if (!id)
            return d->rollback<QList<qint64>>(id.error());
        ids.append(*id);
    }
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return ids;
}

Result<std::optional<FlowRecord>> SqliteExecutionLog::flow(qint64 id)
{
    const QString doing = QStringLiteral("reading a flow from");
    auto query =
        d->run(QStringLiteral("SELECT ") + flowColumns + QStringLiteral(" FROM flows WHERE id = ?"), {id}, doing);
    if (!query)
        return query.error();
    QSqlQuery *q = *query;
    auto found = d->nextRow(*q, doing);
    if (!found)
        return found.error();
    std::optional<FlowRecord> record;
    if (*found) {
        auto read = flowFromRow(*q, d->fileName());
        if (!read) {
            q->finish();
            return read.error();
        }
        record = read.take();
    }
    q->finish();
    return record;
}

Result<QList<StepRecord>> SqliteExecutionLog::steps(qint64 flowId, bool withAttempts)
{
    return sqlreads::steps(*d, flowId, withAttempts);
}

Result<QList<FlowRecord>> SqliteExecutionLog::flows(const FlowQuery &query)
{
    return sqlreads::flows(*d, query);
}

Result<QList<FlowText>> SqliteExecutionLog::flowTexts(qint64 afterId, int limit)
{
    return sqlreads::flowTexts(*d, afterId, limit);
}

Result<QMap<FlowStatus, qint64>> SqliteExecutionLog::countByStatus()
{
    return sqlreads::countByStatus(*d);
}

Result<void> SqliteExecutionLog::Private::prepareNative()
{
    if (native)
        return {};
    // The SQL of the QtSql write path this replaced, unchanged in meaning; numbered parameters
    // where a value appears twice.
    static const QByteArray stepInsert = QByteArrayLiteral("INSERT INTO steps (") + stepColumnList + ")";
    static const QByteArray stepUpsert =
        QByteArrayLiteral(" ON CONFLICT (flow_id, seq) DO UPDATE SET status = excluded.status,"
                          " result = excluded.result, error = excluded.error, worker = excluded.worker,"
                          " attempts = excluded.attempts, retry_base = excluded.retry_base,"
                          " started = excluded.started, finished = excluded.finished,"
                          " next_attempt_at = excluded.next_attempt_at,"
                          " attempt_started = excluded.attempt_started"
                          " WHERE steps.status <> 'completed'");
    static const QByteArray flowUpdate = QByteArrayLiteral(
        "UPDATE flows SET status = ?1, result = COALESCE(?2, result), error = ?3, run_at = COALESCE(?4, run_at),"
        " updated = ?5, finished = CASE WHEN ?6 THEN ?5 ELSE finished END,"
        " lease_owner = CASE WHEN ?7 THEN NULL ELSE lease_owner END,"
        " lease_expires = CASE WHEN ?7 THEN NULL ELSE lease_expires END,"
        " run_started = CASE WHEN ?7 THEN NULL ELSE run_started END"
        " WHERE id = ?8");

    auto prepared = std::make_unique<Native>();
    const std::pair<SqliteStatement *, QByteArray> sql[] = {
        {&prepared->begin, QByteArrayLiteral("BEGIN IMMEDIATE")},
        {&prepared->commit, QByteArrayLiteral("COMMIT")},
        {&prepared->rollback, QByteArrayLiteral("ROLLBACK")},
        // No RETURNING: SQLite runs a RETURNING statement through an ephemeral table, which
        // measured four to five times the cost of the UPDATE itself (3.40). The claimed row is
        // read back by id instead; its step count says whether it has steps to replay.
        {&prepared->claim,
         QByteArrayLiteral("UPDATE flows SET status = 'running', lease_owner = ?1, lease_expires = ?2, updated = ?3,"
                           " run_started = ?3"
                           " WHERE id = ?4 AND ((status IN ('pending', 'waiting') AND run_at <= ?3)"
                           " OR (status = 'running' AND (lease_expires < ?3 OR lease_owner = ?1)))")},
        {&prepared->claimedRow, QByteArrayLiteral("SELECT ") + flowColumnList + " FROM flows WHERE id = ?1"},
        // A resumed flow's steps, read in the claim's transaction: one statement prepared
        // once, rather than a query of its own per flow after the commit.
        {&prepared->claimedSteps,
         QByteArrayLiteral("SELECT ") + stepColumnList + " FROM steps WHERE flow_id = ?1 ORDER BY seq"},
        // The guard of a batch's steps, one statement per worker for the whole batch (?1: a
        // JSON array of flow ids): the flows among them that the worker (?2) does not hold
        // running. Guarding each row in its own INSERT cost two thirds of the INSERT.
        {&prepared->unheld,
         QByteArrayLiteral("SELECT value FROM json_each(?1) WHERE NOT EXISTS"
                           " (SELECT 1 FROM flows WHERE id = value AND lease_owner = ?2 AND status = 'running')")},
        {&prepared->step,
         stepInsert + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)" +
             stepUpsert},
        {&prepared->timer,
         QByteArrayLiteral("INSERT INTO timers (flow_id, seq, name, fire_at, fired_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                           " ON CONFLICT (flow_id, seq) DO UPDATE SET fire_at = excluded.fire_at,"
                           " fired_at = excluded.fired_at")},
        {&prepared->attempt,
         QByteArrayLiteral("INSERT OR IGNORE INTO attempts (flow_id, seq, attempt, started, finished, error, worker)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")},
        {&prepared->guardedFlow, flowUpdate + " AND lease_owner = ?9 AND status = 'running'"},
        {&prepared->flow, flowUpdate},
    };
    for (const auto &[statement, text] : sql) {
        auto made = SqliteStatement::prepare(handle, text, fileName());
        if (!made)
            return made.error();
        *statement = made.take();
    }
    native = std::move(prepared);
    return {};
}

Result<std::optional<ClaimedFlow>> SqliteExecutionLog::Private::claim(const FlowClaim &claim)
{
    const QString doing = QStringLiteral("claiming a flow in");
    SqliteStatement &update = native->claim;
    update.bindText(1, claim.owner, SqliteStatement::Text::Borrowed);
    update.bindTime(2, claim.leaseUntil);
    update.bindTime(3, claim.now);
    update.bindInt64(4, claim.flowId);
    if (auto done = update.run(doing); !done)
        return done.error();
    std::optional<ClaimedFlow> claimed;
    if (update.changes() == 0)
        return claimed;
    SqliteStatement &q = native->claimedRow;
    q.bindInt64(1, claim.flowId);
    auto row = q.step(doing);
    if (!row) {
        q.reset();
        return row.error();
    }
    if (*row) {
        auto record = flowFromNativeRow(q, lastType, claim.owner, fileName());
        if (!record) {
            q.reset();
            return record.error();
        }
        claimed.emplace();
        claimed->record = record.take();
        claimed->hasSteps = claimed->record.stepCount > 0;
    }
    q.reset();
    if (claimed && claimed->hasSteps) {
        auto steps = claimedSteps(claim.flowId);
        if (!steps)
            return steps.error();
        claimed->steps = steps.take();
    }
    return claimed;
}

Result<QList<StepRecord>> SqliteExecutionLog::Private::claimedSteps(qint64 flowId)
{
    const QString doing = QStringLiteral("reading steps from");
    SqliteStatement &q = native->claimedSteps;
    q.bindInt64(1, flowId);
    QList<StepRecord> steps;
    for (;;) {
        auto row = q.step(doing);
        if (!row) {
            q.reset();
            return row.error();
        }
        if (!*row)
            break;
        auto step = stepFromNativeRow(q, fileName());
        if (!step) {
            q.reset();
            return step.error();
        }
        steps.append(step.take());
    }
    q.reset();
    return steps;
}

Result<QList<qint64>> SqliteExecutionLog::Private::notHeldBy(const QString &writer, const QList<qint64> &flowIds)
{
    // The flow ids as a JSON array, bound once (json_each): one statement however many flows.
    QByteArray ids("[");
    for (const qint64 id : flowIds) {
        if (ids.size() > 1)
            ids += ',';
        ids += QByteArray::number(id);
    }
    ids += ']';
    const QString doing = QStringLiteral("checking leases in");
    SqliteStatement &q = native->unheld;
    q.bindUtf8(1, ids, SqliteStatement::Text::Borrowed);
    q.bindText(2, writer, SqliteStatement::Text::Borrowed);
    QList<qint64> unheld;
    for (;;) {
        auto row = q.step(doing);
        if (!row) {
            q.reset();
            return row.error();
        }
        if (!*row)
            break;
        unheld.append(q.columnInt64(0));
    }
    q.reset();
    return unheld;
}

Result<void> SqliteExecutionLog::Private::applyStep(const StepRecord &step)
{
    const QString doing = QStringLiteral("recording a step in");
    // Unguarded here: applyLogBatch() has left out the steps of flows not held. A step already
    // completed is kept as recorded (the upsert's condition).
    SqliteStatement &q = native->step;
    q.bindInt64(1, step.flowId);
    q.bindInt(2, step.seq);
    q.bindText(3, step.name, SqliteStatement::Text::Borrowed);
    q.bindInt(4, step.occurrence);
    q.bindUtf8(5, step.inputHash, SqliteStatement::Text::Borrowed); // NOT NULL: no inputs bind as ''
    q.bindUtf8(6, utf8Name(step.kind), SqliteStatement::Text::Borrowed);
    q.bindUtf8(7, utf8Name(step.status), SqliteStatement::Text::Borrowed);
    bindUtf8OrNull(q, 8, step.resultJson);
    bindTextOrNull(q, 9, step.error);
    bindTextOrNull(q, 10, step.worker);
    q.bindInt(11, step.attempts);
    q.bindInt(12, step.retryBase);
    q.bindInt(13, step.typeVersion);
    q.bindTime(14, step.started);
    q.bindTime(15, step.finished);
    q.bindTime(16, step.nextAttemptAt);
    q.bindTime(17, step.attemptStarted);
    if (auto done = q.run(doing); !done)
        return done.error();
    if (q.changes() == 0)
        return {}; // completed already: kept as recorded
    if (step.kind != StepKind::Timer || !step.nextAttemptAt.isValid())
        return {};
    // The timers table mirrors timer steps: pending until the step completes.
    SqliteStatement &timer = native->timer;
    timer.bindInt64(1, step.flowId);
    timer.bindInt(2, step.seq);
    timer.bindText(3, step.name, SqliteStatement::Text::Borrowed);
    timer.bindTime(4, step.nextAttemptAt);
    timer.bindTime(5, step.status == StepStatus::Completed ? step.finished : QDateTime());
    if (auto done = timer.run(doing); !done)
        return done.error();
    return {};
}

Result<void> SqliteExecutionLog::Private::applyAttempt(const AttemptWrite &write)
{
    const QString doing = QStringLiteral("writing to");
    const AttemptRecord &attempt = write.attempt;
    SqliteStatement &q = native->attempt;
    q.bindInt64(1, write.flowId);
    q.bindInt(2, write.seq);
    q.bindInt(3, attempt.number);
    q.bindTime(4, attempt.started);
    q.bindTime(5, attempt.finished);
    bindTextOrNull(q, 6, attempt.error);
    bindTextOrNull(q, 7, attempt.worker);
    return q.run(doing);
}

Result<bool> SqliteExecutionLog::Private::applyFlowUpdate(const FlowUpdate &update)
{
    const QString doing = QStringLiteral("updating a flow in");
    // Guarded: applied only while the writer holds the flow running.
    const bool guarded = !update.leaseOwner.isEmpty();
    SqliteStatement &q = guarded ? native->guardedFlow : native->flow;
    q.bindUtf8(1, utf8Name(update.status), SqliteStatement::Text::Borrowed);
    bindUtf8OrNull(q, 2, update.resultJson);
    bindTextOrNull(q, 3, update.error);
    q.bindTime(4, update.runAt);
    q.bindTime(5, update.updated);
    q.bindBool(6, isFinished(update.status));
    q.bindBool(7, update.releaseLease);
    q.bindInt64(8, update.flowId);
    if (guarded)
        q.bindText(9, update.leaseOwner, SqliteStatement::Text::Borrowed);
    if (auto done = q.run(doing); !done)
        return done.error();
    return q.changes() > 0;
}

/// The native statements of a batch, for applyLogBatch().
class SqliteExecutionLog::Private::BatchWriter final : public detail::LogBatchWriter
{
public:
    explicit BatchWriter(Private &d)
        : m_d(d)
    {
    }

    Result<std::optional<ClaimedFlow>> claim(const FlowClaim &claim) override { return m_d.claim(claim); }
    Result<QList<qint64>> notHeldBy(const QString &writer, const QList<qint64> &flowIds) override
    {
        return m_d.notHeldBy(writer, flowIds);
    }
    Result<void> writeStep(const StepRecord &step) override { return m_d.applyStep(step); }
    Result<void> writeAttempt(const AttemptWrite &write) override { return m_d.applyAttempt(write); }
    Result<bool> updateFlow(const FlowUpdate &update) override { return m_d.applyFlowUpdate(update); }

private:
    Private &m_d;
};

Result<WriteOutcome> SqliteExecutionLog::commit(const LogBatch &batch)
{
    const QString doing = QStringLiteral("writing to");
    WriteOutcome outcome;
    if (batch.isEmpty())
        return outcome;
    if (auto prepared = d->prepareNative(); !prepared)
        return prepared.error();
    Private::Native &native = *d->native;
    // BEGIN IMMEDIATE waits on the connection's busy timeout for another writer's lock.
    d->takeTurn(SqliteWriteGate::Urgency::Normal);
    auto begun = native.begin.run(doing);
    d->turnTaken();
    if (!begun) {
        d->endTurn();
        return d->explained(begun.error());
    }
    const auto rollback = [this, &native, &doing](const Error &error) -> Result<WriteOutcome> {
        // The error at hand is the one to report; a failed ROLLBACK has nothing to add.
        [[maybe_unused]] auto rolledBack = native.rollback.run(doing);
        d->endTurn();
        return d->explained(error);
    };
    Private::BatchWriter writer(*d);
    auto applied = detail::applyLogBatch(batch, writer);
    if (!applied)
        return rollback(applied.error());
    outcome = applied.take();
    if (auto committed = native.commit.run(doing); !committed)
        return rollback(committed.error());
    d->endTurn();
    return outcome;
}

Result<void> SqliteExecutionLog::retryFlow(qint64 id, const QString &stepName, const QDateTime &now)
{
    const QString doing = QStringLiteral("retrying a flow in");
    if (auto begun = d->begin(doing); !begun)
        return begun;
    auto status = d->run(QStringLiteral("SELECT status FROM flows WHERE id = ?"), {id}, doing);
    if (!status)
        return d->rollback<void>(status.error());
    QSqlQuery *q = *status;
    auto found = d->nextRow(*q, doing);
    if (!found)
        return d->rollback<void>(found.error());
    if (!*found)
        return d->rollback<void>(Error(QStringLiteral("no flow with id %1").arg(id), QStringLiteral("not-found")));
    const QString current = q->value(0).toString();
    q->finish();
    if (current != toString(FlowStatus::Failed)) {
        return d->rollback<void>(
            Error(QStringLiteral("flow %1 is %2, not failed: nothing to retry").arg(id).arg(current),
                  QStringLiteral("not-failed")));
    }
    const QString stepFilter = stepName.isEmpty() ? QString() : QStringLiteral(" AND name = ?");
    QVariantList stepValues{id};
    if (!stepName.isEmpty())
        stepValues.append(stepName);
    auto reset =
        d->run(QStringLiteral("UPDATE steps SET status = 'retrying', retry_base = attempts, next_attempt_at = NULL,"
                              " finished = NULL WHERE flow_id = ? AND status = 'failed'") +
                   stepFilter,
               stepValues, doing);
    if (!reset)
        return d->rollback<void>(reset.error());
    if (!stepName.isEmpty() && (*reset)->numRowsAffected() == 0) {
        return d->rollback<void>(Error(QStringLiteral("flow %1 has no failed step '%2'").arg(id).arg(stepName),
                                       QStringLiteral("not-found")));
    }
    auto requeued =
        d->run(QStringLiteral("UPDATE flows SET status = 'pending', error = NULL, run_at = ?, updated = ?,"
                              " finished = NULL, lease_owner = NULL, lease_expires = NULL, run_started = NULL"
                              " WHERE id = ?"),
               {fromTime(now), fromTime(now), id}, doing);
    if (!requeued)
        return d->rollback<void>(requeued.error());
    return d->commit(doing);
}

Result<void> SqliteExecutionLog::cancelFlow(qint64 id, const QDateTime &now)
{
    const QString doing = QStringLiteral("cancelling a flow in");
    auto cancelled = d->run(QStringLiteral("UPDATE flows SET status = 'cancelled', updated = ?, finished = ?,"
                                           " lease_owner = NULL, lease_expires = NULL, run_started = NULL"
                                           " WHERE id = ? AND status IN ('pending', 'running', 'waiting')"),
                            {fromTime(now), fromTime(now), id}, doing);
    if (!cancelled)
        return cancelled.error();
    if ((*cancelled)->numRowsAffected() > 0)
        return {};
    auto existing = flow(id);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return Error(QStringLiteral("no flow with id %1").arg(id), QStringLiteral("not-found"));
    return Error(QStringLiteral("flow %1 is already %2").arg(id).arg(toString((*existing)->status)),
                 QStringLiteral("finished"));
}

} // namespace ergon

namespace ergon {

namespace {
} // namespace

Result<SqliteStatement *> SqliteExecutionLog::Private::cachedNative(const QByteArray &sql)
{
    auto found = nativeCache.find(sql);
    if (found == nativeCache.end()) {
        auto made = SqliteStatement::prepare(handle, sql, fileName());
        if (!made)
            return made.error();
        found = nativeCache.emplace(sql, made.take()).first;
    }
    return &found->second;
}

Result<void> SqliteExecutionLog::Private::leaseUnstarted(const QList<qint64> &ids, const QString &owner,
                                                         const QDateTime &now, const QDateTime &leaseUntil,
                                                         const QString &doing)
{
    auto lease = cachedNative("UPDATE flows SET status = 'running', lease_owner = ?1, lease_expires = ?2,"
                              " run_started = NULL, updated = ?3 WHERE id = ?4");
    if (!lease)
        return lease.error();
    SqliteStatement &update = **lease;
    for (const qint64 id : ids) {
        update.bindText(1, owner, SqliteStatement::Text::Borrowed);
        update.bindTime(2, leaseUntil);
        update.bindTime(3, now);
        update.bindInt64(4, id);
        if (auto done = update.run(doing); !done)
            return done.error();
    }
    return {};
}

Result<std::vector<Candidate>> SqliteExecutionLog::Private::dueCandidates(const QDateTime &now, int limit,
                                                                          const ClaimFilter &types,
                                                                          const QString &doing)
{
    // Ordered index scans, merged here (cheaper than a sort over their union): the queued flows
    // of each type (flows_pending serves priority, then due time), the due waiting flows
    // (flows_waiting, by due time), and expired leases. Native statements,
    // prepared once per shape: a worker asks at every turn. The statuses are written into the
    // SQL, not bound: SQLite uses a partial index only where the query's text implies its
    // condition.
    const QByteArray typeFilter = typeInFilter(types);
    struct Scan {
        QByteArray sql;
        std::optional<qsizetype> type; ///< binds this one type as ?3; else every type in `types`
    };
    std::vector<Scan> scans;
    const QByteArray pendingOfType = "SELECT id, priority, run_at FROM flows WHERE status = 'pending' AND type = ?3"
                                     " AND run_at <= ?1 AND plugin IN ('', ?4) ORDER BY priority DESC, run_at LIMIT ?2";
    for (qsizetype i = 0; i < types.size(); ++i)
        scans.push_back({pendingOfType, i});
    if (types.isEmpty()) {
        scans.push_back({"SELECT id, priority, run_at FROM flows WHERE status = 'pending' AND run_at <= ?1"
                         " ORDER BY priority DESC, run_at LIMIT ?2",
                         std::nullopt});
    }
    scans.push_back({"SELECT id, priority, run_at FROM flows WHERE status = 'waiting' AND run_at <= ?1" + typeFilter +
                         " ORDER BY priority DESC, run_at LIMIT ?2",
                     std::nullopt});
    // Expired leases are rare (a worker died or stalled) and leases last seconds, so they are
    // looked for at most once per expiredLeaseScanMs of log time on this connection: the scan
    // reads every running flow, and an index on lease expiry would cost every flow two more
    // index writes (measured: 4% of a flow's cost on the hot path).
    const qint64 nowMs = now.toMSecsSinceEpoch();
    if (nowMs - lastExpiredLeaseScanMs >= expiredLeaseScanMs || nowMs < lastExpiredLeaseScanMs) {
        lastExpiredLeaseScanMs = nowMs;
        scans.push_back({"SELECT id, priority, run_at FROM flows WHERE status = 'running' AND lease_expires < ?1" +
                             typeFilter + " LIMIT ?2",
                         std::nullopt});
    }
    std::vector<Candidate> candidates;
    for (const Scan &scan : scans) {
        auto statement = cachedNative(scan.sql);
        if (!statement)
            return statement.error();
        SqliteStatement &q = **statement;
        q.bindTime(1, now);
        q.bindInt(2, limit);
        if (scan.type) {
            q.bindText(3, types.at(*scan.type).type, SqliteStatement::Text::Borrowed);
            q.bindText(4, types.at(*scan.type).plugin, SqliteStatement::Text::Borrowed);
        } else
            bindTypes(q, types);
        for (;;) {
            auto row = q.step(doing);
            if (!row) {
                q.reset();
                return row.error();
            }
            if (!*row)
                break;
            candidates.push_back(Candidate{q.columnInt64(0), q.columnInt(1), q.columnInt64(2)});
        }
        q.reset();
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
        return a.priority != b.priority ? a.priority > b.priority : (a.due != b.due ? a.due < b.due : a.id < b.id);
    });
    if (candidates.size() > size_t(limit))
        candidates.resize(size_t(limit));
    return candidates;
}

Result<QList<qint64>> SqliteExecutionLog::claimDue(const QString &owner, const QDateTime &now,
                                                   const QDateTime &leaseUntil, int limit, const ClaimFilter &types)
{
    const QString doing = QStringLiteral("claiming flows in");
    if (limit <= 0)
        return QList<qint64>();
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    auto candidates = d->dueCandidates(now, limit, types, doing);
    if (!candidates)
        return d->rollback<QList<qint64>>(candidates.error());
    QList<qint64> claimed;
    claimed.reserve(qsizetype(candidates->size()));
    for (const Candidate &candidate : std::as_const(*candidates))
        claimed.append(candidate.id);
    if (auto leased = d->leaseUnstarted(claimed, owner, now, leaseUntil, doing); !leased)
        return d->rollback<QList<qint64>>(leased.error());
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return claimed;
}

Result<QList<ClaimedFlow>> SqliteExecutionLog::claimDueStarted(const QString &owner, const QDateTime &now,
                                                               const QDateTime &leaseUntil, int limit,
                                                               const ClaimFilter &types)
{
    const QString doing = QStringLiteral("claiming flows in");
    if (limit <= 0)
        return QList<ClaimedFlow>();
    if (auto prepared = d->prepareNative(); !prepared)
        return prepared.error();
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    auto candidates = d->dueCandidates(now, limit, types, doing);
    if (!candidates)
        return d->rollback<QList<ClaimedFlow>>(candidates.error());
    // Each one as the executor's own claim takes it (leased, started, its row and steps read),
    // all in this one transaction.
    QList<ClaimedFlow> claimed;
    claimed.reserve(qsizetype(candidates->size()));
    for (const Candidate &candidate : std::as_const(*candidates)) {
        auto taken = d->claim(FlowClaim{candidate.id, owner, now, leaseUntil});
        if (!taken)
            return d->rollback<QList<ClaimedFlow>>(taken.error());
        if (*taken)
            claimed.append(std::move(**taken));
    }
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return claimed;
}

Result<int> SqliteExecutionLog::renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil)
{
    // INDEXED BY here and below: without statistics SQLite picks flows_status for
    // "status = 'running'", and reads every running flow of every worker.
    auto query = d->run(QStringLiteral("UPDATE flows INDEXED BY flows_lease SET lease_expires = ?, updated = ?"
                                       " WHERE lease_owner = ? AND status = 'running'"),
                        {fromTime(leaseUntil), fromTime(now), owner}, QStringLiteral("renewing leases in"));
    if (!query)
        return query.error();
    return (*query)->numRowsAffected();
}

Result<int> SqliteExecutionLog::releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted)
{
    const QString sql =
        QStringLiteral("UPDATE flows INDEXED BY flows_lease SET status = 'pending', lease_owner = NULL,"
                       " lease_expires = NULL,"
                       " run_started = NULL, updated = ? WHERE lease_owner = ? AND status = 'running'") +
        (onlyNotStarted ? QStringLiteral(" AND run_started IS NULL") : QString());
    auto query = d->run(sql, {fromTime(now), owner}, QStringLiteral("releasing flows in"));
    if (!query)
        return query.error();
    return (*query)->numRowsAffected();
}

Result<QList<StealRecord>> SqliteExecutionLog::stealFlows(const QString &thief, const QDateTime &now,
                                                          const QDateTime &leaseUntil, int limit,
                                                          const ClaimFilter &types)
{
    QVariantList typeValues;
    const QString typeFilter = claimFilterCondition(types, typeValues);
    const QString doing = QStringLiteral("stealing flows in");
    if (limit <= 0)
        return QList<StealRecord>();
    if (auto begun = d->begin(doing); !begun)
        return begun.error();
    auto victims =
        d->run(QStringLiteral("SELECT lease_owner, count(*) AS queued FROM flows WHERE lease_owner IS NOT NULL"
                              " AND lease_owner <> ? AND status = 'running' AND run_started IS NULL"
                              " AND lease_expires >= ?") +
                   typeFilter + QStringLiteral(" GROUP BY lease_owner ORDER BY queued DESC LIMIT 1"),
               QVariantList{thief, fromTime(now)} + typeValues, doing);
    if (!victims)
        return d->rollback<QList<StealRecord>>(victims.error());
    QSqlQuery *q = *victims;
    auto found = d->nextRow(*q, doing);
    if (!found)
        return d->rollback<QList<StealRecord>>(found.error());
    if (!*found) {
        q->finish();
        d->rollback();
        return QList<StealRecord>();
    }
    const QString victim = q->value(0).toString();
    // Half of the victim's queue, rounded up: both end with about the same amount of work.
    const int take = std::min(limit, int((q->value(1).toLongLong() + 1) / 2));
    q->finish();

    auto ids =
        d->run(QStringLiteral("SELECT id FROM flows INDEXED BY flows_lease WHERE lease_owner = ? AND status = 'running'"
                              " AND run_started IS NULL") +
                   typeFilter + QStringLiteral(" ORDER BY priority DESC, run_at LIMIT ?"),
               QVariantList{victim} + typeValues + QVariantList{take}, doing);
    auto stolenIds = readRows<qint64>(
        std::move(ids), [](const QSqlQuery &row) { return row.value(0).toLongLong(); }, d->readError(doing));
    if (!stolenIds)
        return d->rollback<QList<StealRecord>>(stolenIds.error());

    QList<StealRecord> stolen;
    for (const qint64 id : std::as_const(*stolenIds)) {
        auto moved =
            d->run(QStringLiteral("UPDATE flows SET lease_owner = ?, lease_expires = ?, updated = ? WHERE id = ?"),
                   {thief, fromTime(leaseUntil), fromTime(now), id}, doing);
        if (!moved)
            return d->rollback<QList<StealRecord>>(moved.error());
        auto recorded =
            d->run(QStringLiteral("INSERT INTO steals (flow_id, from_worker, to_worker, at) VALUES (?, ?, ?, ?)"),
                   {id, victim, thief, fromTime(now)}, doing);
        if (!recorded)
            return d->rollback<QList<StealRecord>>(recorded.error());
        stolen.append(StealRecord{id, victim, thief, now});
    }
    const workersql::Statement count = workersql::countSteals(thief, stolen.size());
    auto counted = d->run(count.sql, count.values, doing);
    if (!counted)
        return d->rollback<QList<StealRecord>>(counted.error());
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return stolen;
}

Result<QList<std::pair<qint64, QDateTime>>> SqliteExecutionLog::upcoming(const QDateTime &now, const QDateTime &horizon,
                                                                         int limit)
{
    // INDEXED BY: without statistics SQLite reads every queued flow through flows_status and
    // sorts them (30 ms on a million flows), at every refresh of every timer service.
    const QString doing = QStringLiteral("reading due times from");
    auto query =
        d->run(QStringLiteral("SELECT id, run_at FROM flows INDEXED BY flows_due WHERE status IN ('pending', 'waiting')"
                              " AND run_at > ? AND run_at <= ? ORDER BY run_at LIMIT ?"),
               {fromTime(now), fromTime(horizon), limit}, doing);
    return readRows<std::pair<qint64, QDateTime>>(std::move(query), dueFromRow, d->readError(doing));
}

Result<qint64> SqliteExecutionLog::registerWorker(const WorkerRecord &worker)
{
    return workersql::registerWorker(*d, worker);
}

Result<void> SqliteExecutionLog::heartbeat(const WorkerRecord &worker, const QDateTime &now)
{
    return workersql::heartbeat(*d, worker, now);
}

Result<void> SqliteExecutionLog::updateWorkerCounters(const WorkerRecord &worker)
{
    return workersql::updateCounters(*d, worker);
}

Result<QList<WorkerRecord>> SqliteExecutionLog::workers()
{
    return workersql::workers(*d);
}

Result<int> SqliteExecutionLog::forgetWorkers(const QList<qint64> &runs, const QDateTime &now)
{
    return workersql::forgetWorkers(*d, runs, now);
}

Result<QList<TimerRecord>> SqliteExecutionLog::pendingTimers(int limit)
{
    const QString doing = QStringLiteral("listing timers in");
    auto query = d->run(QStringLiteral("SELECT t.flow_id, t.seq, t.name, f.type, t.fire_at FROM timers t"
                                       " JOIN flows f ON f.id = t.flow_id"
                                       " WHERE t.fired_at IS NULL AND f.status IN ('waiting', 'pending', 'running')"
                                       " ORDER BY t.fire_at LIMIT ?"),
                        {limit}, doing);
    return readRows<TimerRecord>(std::move(query), timerFromRow, d->readError(doing));
}

Result<void> SqliteExecutionLog::fireTimerNow(qint64 flowId, const QDateTime &now)
{
    const QString doing = QStringLiteral("firing a timer in");
    if (auto begun = d->begin(doing); !begun)
        return begun;
    auto flow = d->run(QStringLiteral("UPDATE flows SET run_at = ?, updated = ? WHERE id = ? AND status = 'waiting'"),
                       {fromTime(now), fromTime(now), flowId}, doing);
    if (!flow)
        return d->rollback<void>(flow.error());
    if ((*flow)->numRowsAffected() == 0)
        return d->rollback<void>(
            Error(QStringLiteral("flow %1 is not waiting on a timer").arg(flowId), QStringLiteral("not-waiting")));
    // The replay reads the fire time from the timer's step: move it too, or the flow would
    // park again until the original time.
    auto step = d->run(QStringLiteral("UPDATE steps SET next_attempt_at = ? WHERE flow_id = ? AND kind = 'timer'"
                                      " AND status = 'running'"),
                       {fromTime(now), flowId}, doing);
    if (!step)
        return d->rollback<void>(step.error());
    auto timer = d->run(QStringLiteral("UPDATE timers SET fire_at = ? WHERE flow_id = ? AND fired_at IS NULL"),
                        {fromTime(now), flowId}, doing);
    if (!timer)
        return d->rollback<void>(timer.error());
    return d->commit(doing);
}

Result<int> SqliteExecutionLog::Private::fireDue(const QDateTime &now, const QString &doing)
{
    // The pending-timers index finds what is due: CROSS JOIN keeps the planner from walking
    // every waiting flow instead (10,000 of them per tick when many sleep at once). The steps
    // are marked first, while the timers rows still say which are unfired.
    const QString due = QStringLiteral("SELECT t.flow_id, t.seq FROM timers t CROSS JOIN flows f ON f.id = t.flow_id"
                                       " WHERE t.fired_at IS NULL AND t.fire_at <= ? AND f.status = 'waiting'");
    auto steps = run(QStringLiteral("UPDATE steps SET status = 'completed', finished = ? WHERE kind = 'timer'"
                                    " AND status = 'running' AND (flow_id, seq) IN (") +
                         due + QStringLiteral(")"),
                     {fromTime(now), fromTime(now)}, doing);
    if (!steps)
        return steps.error();
    const int fired = (*steps)->numRowsAffected();
    auto timers =
        run(QStringLiteral("UPDATE timers SET fired_at = ? WHERE (flow_id, seq) IN (") + due + QStringLiteral(")"),
            {fromTime(now), fromTime(now)}, doing);
    if (!timers)
        return timers.error();
    return fired;
}

Result<int> SqliteExecutionLog::fireDueTimers(const QDateTime &now)
{
    const QString doing = QStringLiteral("firing due timers in");
    if (auto begun = d->begin(doing, SqliteWriteGate::Urgency::Urgent); !begun)
        return begun.error();
    auto fired = d->fireDue(now, doing);
    if (!fired)
        return d->rollback<int>(fired.error());
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return fired;
}

Result<FiredTimers> SqliteExecutionLog::fireAndClaimDue(const QString &owner, const Clock &clock,
                                                        std::chrono::milliseconds leaseDuration, int limit,
                                                        const ClaimFilter &types)
{
    const QString doing = QStringLiteral("firing due timers in");
    // Urgent: ahead of this process's other writers (the workers' group commits), so that due
    // timers fire on time however busy the workers are.
    if (auto begun = d->begin(doing, SqliteWriteGate::Urgency::Urgent); !begun)
        return begun.error();
    const QDateTime now = clock.now(); // under the write lock: see ExecutionLog::fireAndClaimDue()
    const QDateTime leaseUntil = now.addMSecs(leaseDuration.count());
    FiredTimers result;
    auto fired = d->fireDue(now, doing);
    if (!fired)
        return d->rollback<FiredTimers>(fired.error());
    result.fired = *fired;
    if (limit > 0) {
        // The fired flows this worker has room for, leased to it (native statements: this runs
        // at every tick, for hundreds of flows at once when many timers fall due together).
        // The flows_waiting index serves this scan (the due ones, by due time), as claimDue()'s.
        auto due = d->cachedNative("SELECT id FROM flows WHERE status = 'waiting' AND run_at <= ?1" +
                                   typeInFilter(types) + " ORDER BY priority DESC, run_at LIMIT ?2");
        if (!due)
            return d->rollback<FiredTimers>(due.error());
        SqliteStatement &q = **due;
        q.bindTime(1, now);
        q.bindInt(2, limit);
        bindTypes(q, types);
        for (;;) {
            auto row = q.step(doing);
            if (!row) {
                q.reset();
                return d->rollback<FiredTimers>(row.error());
            }
            if (!*row)
                break;
            result.claimed.append(q.columnInt64(0));
        }
        q.reset();
        if (auto leased = d->leaseUnstarted(result.claimed, owner, now, leaseUntil, doing); !leased)
            return d->rollback<FiredTimers>(leased.error());
    }
    if (auto committed = d->commit(doing); !committed)
        return committed.error();
    return result;
}

Result<QList<StealRecord>> SqliteExecutionLog::steals(int limit)
{
    return sqlreads::steals(*d, limit);
}

} // namespace ergon
