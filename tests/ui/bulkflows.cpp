#include "bulkflows.h"

#include <ergon/sqliteexecutionlog.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace ergon::test {

namespace {

const QString types[] = {QStringLiteral("orders.OrderProcessor"), QStringLiteral("demo.Pipeline"),
                         QStringLiteral("demo.Flaky"), QStringLiteral("demo.Sleeper"),
                         QStringLiteral("billing.Invoice")};

QString argumentsOf(qint64 id)
{
    QJsonObject args;
    switch (id % 5) {
    case 0:
        args = {{QStringLiteral("order_id"), QStringLiteral("ORD-%1").arg(id, 7, 10, QLatin1Char('0'))},
                {QStringLiteral("amount"), double(id % 500) + 0.5}};
        break;
    case 1:
        args = {{QStringLiteral("steps"), 3}, {QStringLiteral("step_ms"), 0}};
        break;
    case 2:
        args = {{QStringLiteral("fail_times"), int(id % 4)}};
        break;
    case 3:
        args = {{QStringLiteral("seconds"), 30}};
        break;
    default:
        args = {{QStringLiteral("invoice"), QStringLiteral("INV-%1").arg(id)}};
        break;
    }
    return QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact));
}

Error sqlError(const QString &doing, const QSqlError &error)
{
    return Error(QStringLiteral("%1: %2").arg(doing, error.text()));
}

} // namespace

QString bulkFlowType(qint64 id)
{
    return types[id % 5];
}

QString bulkFlowStatus(qint64 id)
{
    const qint64 slot = id % 100;
    if (slot < 78)
        return QStringLiteral("completed");
    if (slot < 86)
        return QStringLiteral("failed");
    if (slot < 90)
        return QStringLiteral("cancelled");
    if (slot < 95)
        return QStringLiteral("pending");
    if (slot < 98)
        return QStringLiteral("waiting");
    return QStringLiteral("running");
}

Result<void> generateFlows(const QString &path, const BulkFlows &options)
{
    {
        // The schema exactly as the engine makes it.
        auto log = SqliteExecutionLog::open(path);
        if (!log)
            return log.error();
    }
    const QString connection = QStringLiteral("bulkflows-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    Result<void> outcome;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        if (!db.open())
            return sqlError(QStringLiteral("opening %1").arg(path), db.lastError());
        QSqlQuery pragma(db);
        pragma.exec(QStringLiteral("PRAGMA synchronous = OFF"));
        QSqlQuery(db).exec(QStringLiteral("BEGIN IMMEDIATE"));

        QSqlQuery flow(db);
        flow.prepare(QStringLiteral(
            "INSERT INTO flows (id, type, type_version, args, status, priority, run_at, lease_owner, lease_expires,"
            " run_started, result, error, created, updated, finished) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)"));
        QSqlQuery step(db);
        step.prepare(QStringLiteral(
            "INSERT INTO steps (flow_id, seq, name, occurrence, kind, status, result, error, worker, attempts,"
            " started, finished, attempt_started) VALUES (?, ?, ?, 0, 'step', ?, ?, ?, ?, ?, ?, ?, ?)"));
        QSqlQuery timer(db);
        timer.prepare(QStringLiteral("INSERT INTO timers (flow_id, seq, name, fire_at) VALUES (?, 0, 'nap', ?)"));
        QSqlQuery timerStep(db);
        timerStep.prepare(QStringLiteral("INSERT INTO steps (flow_id, seq, name, occurrence, kind, status, worker, "
                                         "attempts, started, next_attempt_at)"
                                         " VALUES (?, 0, 'nap', 0, 'timer', 'running', 'ghost', 1, ?, ?)"));

        const qint64 newest = options.newest.toMSecsSinceEpoch();
        const qint64 later = newest + 24 * 3600 * 1000;
        const QVariant null;
        int finishedSeen = 0;
        for (qint64 id = 1; id <= options.count && outcome.ok(); ++id) {
            const qint64 created = newest - (options.count - id) * options.spacingMs;
            const QString status = bulkFlowStatus(id);
            const bool finished = status == QLatin1String("completed") || status == QLatin1String("failed") ||
                status == QLatin1String("cancelled");
            const bool queued = status == QLatin1String("pending") || status == QLatin1String("waiting");
            const bool running = status == QLatin1String("running");
            const qint64 updated = finished ? created + 250 : created;
            flow.addBindValue(id);
            flow.addBindValue(bulkFlowType(id));
            flow.addBindValue(argumentsOf(id));
            flow.addBindValue(status);
            flow.addBindValue(int(id % 3));
            flow.addBindValue(queued || running ? later : created);
            flow.addBindValue(running ? QVariant(QStringLiteral("ghost")) : null);
            flow.addBindValue(running ? QVariant(later) : null);
            flow.addBindValue(running ? QVariant(created) : null);
            flow.addBindValue(status == QLatin1String("completed") ? QVariant(QStringLiteral("\"done\"")) : null);
            flow.addBindValue(status == QLatin1String("failed")
                                  ? QVariant(QStringLiteral("step 'charge' failed: card declined"))
                                  : null);
            flow.addBindValue(created);
            flow.addBindValue(updated);
            flow.addBindValue(finished ? QVariant(updated) : null);
            if (!flow.exec()) {
                outcome = sqlError(QStringLiteral("inserting flow %1").arg(id), flow.lastError());
                break;
            }
            if (status == QLatin1String("waiting")) {
                timerStep.addBindValue(id);
                timerStep.addBindValue(created);
                timerStep.addBindValue(later);
                timer.addBindValue(id);
                timer.addBindValue(later);
                if (!timerStep.exec() || !timer.exec()) {
                    outcome = sqlError(QStringLiteral("inserting the timer of flow %1").arg(id), timer.lastError());
                    break;
                }
            }
            if (!finished || status == QLatin1String("cancelled") || options.stepsEvery <= 0 ||
                ++finishedSeen % options.stepsEvery != 0)
                continue;
            for (int seq = 0; seq < 3; ++seq) {
                const bool failedHere = status == QLatin1String("failed") && seq == 2;
                step.addBindValue(id);
                step.addBindValue(seq);
                step.addBindValue(QStringLiteral("step-%1").arg(seq + 1));
                step.addBindValue(failedHere ? QStringLiteral("failed") : QStringLiteral("completed"));
                step.addBindValue(failedHere ? null : QVariant(QString::number(seq + 1)));
                step.addBindValue(failedHere ? QVariant(QStringLiteral("card declined")) : null);
                step.addBindValue(QStringLiteral("worker-%1").arg(id % 2 + 1));
                step.addBindValue(failedHere ? 3 : 1);
                step.addBindValue(created + seq * 80);
                step.addBindValue(created + seq * 80 + 70);
                step.addBindValue(created + seq * 80);
                if (!step.exec()) {
                    outcome = sqlError(QStringLiteral("inserting the steps of flow %1").arg(id), step.lastError());
                    break;
                }
            }
        }
        if (outcome.ok() && !db.commit())
            outcome = sqlError(QStringLiteral("committing"), db.lastError());
        if (!outcome.ok())
            db.rollback();
        flow.finish();
        step.finish();
        timer.finish();
        timerStep.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return outcome;
}

} // namespace ergon::test
