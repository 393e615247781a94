#pragma once

#include "executionlog.h"

#include <memory>

namespace ergon {

/// The log for many hosts: one PostgreSQL database (QPSQL), shared by every worker process on
/// every machine and by the consoles watching it, each with its own connection.
///
/// Named by a URL, postgresql://user[:password]@host[:port]/dbname[?schema=NAME&sslmode=...];
/// without a password in the URL libpq reads PGPASSWORD or ~/.pgpass. The password is never
/// part of location() or of any message. With `schema`, the tables live in that schema (created
/// if missing), else in the user's default one (normally public).
///
/// Same tables and the same semantics as SqliteExecutionLog (the conformance suite runs on
/// both): the schema is versioned in the table schema_version and migrated step by step under
/// an advisory lock; a database from a newer version, or a schema that holds another
/// application's tables, is refused and left untouched. Claims take rows with FOR UPDATE SKIP
/// LOCKED, so that concurrent workers never wait for each other's candidates; every statement
/// is prepared once and bound.
///
/// Times are taken from the callers as given (like every log). serverNow() reads the server's
/// clock, which workers use to align their own: leases and due times are then judged by the
/// server's clock, whatever the hosts' clocks say. Storing new work (scheduleFlows, retryFlow,
/// fireTimerNow, releaseFlows) sends NOTIFY ergon_work; a log with a work listener LISTENs and
/// calls it from its thread's event loop.
///
/// A lost connection (server restart, network) fails the call in progress with an error of
/// kind "connection"; later calls reconnect with back-off and carry on.
class PostgresExecutionLog final : public ExecutionLog
{
public:
    /// The schema version this build writes (the same numbering as SQLite's).
    static constexpr int schemaVersion = 5;
    /// The channel of wake-ups: NOTIFY channels belong to the whole database, so each schema
    /// has its own, and deployments sharing a database in different schemas (`schema=`) do not
    /// wake each other's workers. "ergon_work" for the default schema.
    static QString notificationChannel(const QString &schema);

    /// Connects and migrates the schema. A malformed URL is an error of kind "invalid-location".
    static Result<std::unique_ptr<PostgresExecutionLog>> open(const QString &url);
    ~PostgresExecutionLog() override;

    /// Whether the location is a PostgreSQL URL (postgresql:// or postgres://).
    static bool isUrl(const QString &location);
    /// The URL without its password (for messages), also when it cannot be parsed; any other
    /// "scheme://user:password@..." text is masked too; a path is returned unchanged.
    static QString withoutPassword(const QString &location);

    QString location() const override;
    Result<QList<qint64>> scheduleFlows(const QList<NewFlow> &flows, const QDateTime &now) override;
    Result<std::optional<FlowRecord>> flow(qint64 id) override;
    Result<QList<StepRecord>> steps(qint64 flowId, bool withAttempts) override;
    Result<QList<FlowRecord>> flows(const FlowQuery &query) override;
    Result<QMap<FlowStatus, qint64>> countByStatus() override;
    Result<QList<FlowText>> flowTexts(qint64 afterId, int limit) override;
    Result<QList<qint64>> claimDue(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil, int limit,
                                   const ClaimFilter &types) override;
    Result<int> renewLeases(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil) override;
    Result<int> releaseFlows(const QString &owner, const QDateTime &now, bool onlyNotStarted) override;
    Result<QList<StealRecord>> stealFlows(const QString &thief, const QDateTime &now, const QDateTime &leaseUntil,
                                          int limit, const ClaimFilter &types = {}) override;
    Result<QList<std::pair<qint64, QDateTime>>> upcoming(const QDateTime &now, const QDateTime &horizon,
                                                         int limit) override;
    Result<qint64> registerWorker(const WorkerRecord &worker) override;
    Result<void> heartbeat(const WorkerRecord &worker, const QDateTime &now) override;
    Result<void> updateWorkerCounters(const WorkerRecord &worker) override;
    Result<int> forgetWorkers(const QList<qint64> &runs, const QDateTime &now) override;
    Result<QList<WorkerRecord>> workers() override;
    Result<QList<TimerRecord>> pendingTimers(int limit) override;
    Result<void> fireTimerNow(qint64 flowId, const QDateTime &now) override;
    Result<int> fireDueTimers(const QDateTime &now) override;
    Result<FiredTimers> fireAndClaimDue(const QString &owner, const Clock &clock,
                                        std::chrono::milliseconds leaseDuration, int limit,
                                        const ClaimFilter &types = {}) override;
    Result<QList<StealRecord>> steals(int limit) override;
    Result<SignalSent> sendSignal(qint64 flowId, const QString &name, const QByteArray &payloadJson,
                                  const QDateTime &now) override;
    Result<QList<SignalRecord>> flowSignals(qint64 flowId) override;
    Result<WriteOutcome> commit(const LogBatch &batch) override;
    Result<void> retryFlow(qint64 id, const QString &stepName, const QDateTime &now) override;
    Result<void> cancelFlow(qint64 id, const QDateTime &now) override;
    std::optional<QDateTime> serverNow() override;
    void setWorkListener(std::function<void(const QDateTime &due)> listener) override;

private:
    class Private;
    explicit PostgresExecutionLog(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace ergon
