#pragma once

#include <ergon/result.h>

#include <QDateTime>
#include <QString>

namespace ergon::test {

/// What generateFlows() writes.
struct BulkFlows {
    qint64 count = 10000;
    /// The newest flow's creation time; flows are created `spacingMs` apart before it.
    QDateTime newest = QDateTime::currentDateTimeUtc();
    qint64 spacingMs = 1000;
    /// Every how many finished flows gets three steps (0: none).
    int stepsEvery = 10;
};

/// Fills a new SQLite log file fast: the schema comes from SqliteExecutionLog::open(), then one
/// transaction of prepared INSERTs on a connection of its own (ids 1..count, oldest first).
///
/// The mix, by id modulo 100: 78 completed, 8 failed, 4 cancelled, 5 pending (due a day after
/// `newest`), 3 waiting on a timer (the same), 2 running under the lease of a worker "ghost"
/// that lasts a day — nothing a worker started by a test or benchmark would claim. Types cycle
/// through orders.OrderProcessor, demo.Pipeline, demo.Flaky, demo.Sleeper and billing.Invoice
/// (which no bundled plugin provides), each with arguments of its kind: order ids "ORD-<id>",
/// invoice numbers "INV-<id>".
Result<void> generateFlows(const QString &path, const BulkFlows &options = {});

/// The type generateFlows() gives flow `id`, and its status.
QString bulkFlowType(qint64 id);
QString bulkFlowStatus(qint64 id);

} // namespace ergon::test
