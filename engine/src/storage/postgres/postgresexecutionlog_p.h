#pragma once

#include "ergon/postgresexecutionlog.h"

#include "storage/postgres/postgresconnection.h"
#include "storage/sql/flowquerysql.h"
#include "storage/sql/sqlsession.h"

#include <QPointer>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <functional>

namespace ergon {

// One PostgresExecutionLog's connection and wake-ups, shared by the files that implement it,
// one job each: postgresexecutionlog.cpp (opening, LISTEN/NOTIFY, scheduling, the reads and
// administration shared with SQLite), postgresschema.cpp (the schema and its migration),
// postgrescommit.cpp (commit()) and postgresworkqueue.cpp (claims, leases, steals, timers).
class PostgresExecutionLog::Private final : public sqlsession::SqlSession
{
public:
    explicit Private(detail::PostgresLocation location)
        : channel(PostgresExecutionLog::notificationChannel(location.schema))
        , connection(std::move(location))
    {
    }

    const QString channel; ///< of this schema's wake-ups
    detail::PostgresConnection connection;
    std::function<void(const QDateTime &)> listener;
    QPointer<QSqlDriver> listeningDriver; ///< the driver whose notifications reach the listener

    QString location() const override { return connection.display(); }
    QString where() const override { return connection.display(); }
    QLatin1StringView caseInsensitiveLike() const override { return QLatin1StringView("ILIKE"); }
    QLatin1StringView lockRowsRead() const override { return QLatin1StringView(" FOR UPDATE"); }
    Error readError(const QString &doing, const QSqlError &error) override { return connection.sqlError(doing, error); }
    Result<QSqlQuery *> run(const QString &sql, const QVariantList &values, const QString &doing) override
    {
        return connection.run(sql, values, doing);
    }
    /// What readRows() makes of a failed read.
    auto readError(const QString &doing)
    {
        return [this, doing](const QSqlError &error) { return connection.sqlError(doing, error); };
    }
    /// The next row of a query that ran: false past the last one, an error when the read failed
    /// (see ergon::nextRow()).
    Result<bool> nextRow(QSqlQuery &query, const QString &doing) { return ergon::nextRow(query, readError(doing)); }
    Result<void> begin(const QString &doing) override { return connection.begin(doing); }
    Result<void> commit(const QString &doing) override { return connection.commit(doing); }
    void rollback() override { connection.rollback(); }
    template<typename T>
    Result<T> rollback(Error error)
    {
        connection.rollback();
        return error;
    }

    /// NOTIFY on the schema's channel, with the earliest due time as payload (delivered at commit).
    Result<void> notifyWork(const QDateTime &due, const QString &doing) override
    {
        auto sent = run(QStringLiteral("SELECT pg_notify(?, ?)"),
                        {channel, due.isValid() ? QString::number(due.toMSecsSinceEpoch()) : QString()}, doing);
        if (!sent)
            return sent.error();
        (*sent)->finish();
        return {};
    }

    void listen();
    void onNotification(const QString &name, const QVariant &payload);
    /// fireAndClaimDue() with "now" read by `readNow` once the transaction has begun.
    Result<FiredTimers> fireAndClaim(const QString &owner, const std::function<QDateTime()> &readNow,
                                     std::chrono::milliseconds leaseDuration, int limit, const ClaimFilter &types);

    Result<void> migrate();
    Result<qint64> scheduleOne(const NewFlow &flow, const QDateTime &now);
    class BatchWriter;
    Result<bool> applyFlowUpdate(const FlowUpdate &update);
    Result<void> applyStep(const StepRecord &step);
    Result<void> applyAttempt(const AttemptWrite &write);
    /// LogBatchWriter::notHeldBy(): one statement for all the flows of one writer, locking the
    /// rows it finds held.
    Result<QList<qint64>> notHeldBy(const QString &writer, const QList<qint64> &flowIds);
    Result<std::optional<ClaimedFlow>> claim(const FlowClaim &claim);
};

} // namespace ergon
