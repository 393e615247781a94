#pragma once

#include "ergon/sqliteexecutionlog.h"

#include "storage/sql/flowquerysql.h"
#include "storage/sql/sqlsession.h"
#include "storage/sqlite/sqlitefilecheck.h"
#include "storage/sqlite/sqlitestatement.h"
#include "storage/sqlite/sqlitewritegate.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

namespace ergon {

// One SqliteExecutionLog's connection and state, shared by the files that implement it, one
// job each: sqliteexecutionlog.cpp (opening the connection, scheduling, the reads and
// administration shared with PostgreSQL), sqliteschema.cpp (the schema and its migration),
// sqlitecommit.cpp (commit(): the native write path) and sqliteworkqueue.cpp (claims, leases,
// steals, timers). The small members stay inline here: the commit path calls them per batch.
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

    /// A flow a claim may take, with what orders the claims.
    struct Candidate {
        qint64 id;
        int priority;
        qint64 due;
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
    SqliteWriteGate::SteadyNow busyClock = &std::chrono::steady_clock::now; ///< see Options
    /// When the current wait for another writer's lock began, on busyClock.
    std::chrono::steady_clock::time_point busySince;
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
            self->busySince = self->busyClock();
        if (self->busyClock() - self->busySince >= std::chrono::milliseconds(self->busyTimeoutMs))
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

    ~Private() override
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
    QLatin1StringView lockRowsRead() const override { return QLatin1StringView(); }
    Result<void> notifyWork(const QDateTime &, const QString &) override { return {}; }
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
            it = statements.emplace(sql, std::move(query)); // insert() would copy
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
        busySince = busyClock();
        waitingSinceTurn = true;
        if (gate && !inTurn)
            inTurn = gate->enter(urgency, busySince + std::chrono::milliseconds(busyTimeoutMs), busyClock);
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

} // namespace ergon
