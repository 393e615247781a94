#pragma once

#include "storage/sql/sqlsession.h"

#include "ergon/executionlog.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace ergon::sqlsignals {

using sqlsession::SqlSession;

// Signals on the SQL backends, statement for statement (see FlowIntake::sendSignal() and
// SignalWait for what each does).

/// FlowIntake::sendSignal() in a transaction of its own: the flow's row is read first, locked
/// (lockRowsRead()), so that a wait settling at the same time either sees the signal or is seen
/// parked and made due.
Result<SignalSent> sendSignal(SqlSession &session, qint64 flowId, const QString &name, const QByteArray &payloadJson,
                              const QDateTime &now);
/// LogBatchWriter::takeSignal(), inside the batch's transaction: the oldest pending signal of
/// the flow and name marked consumed by the step at `seq`; its payload.
Result<std::optional<QByteArray>> takeSignal(SqlSession &session, qint64 flowId, const QString &name, int seq,
                                             const QDateTime &now);

} // namespace ergon::sqlsignals
