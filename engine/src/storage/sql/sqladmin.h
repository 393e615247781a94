#pragma once

#include "storage/sql/sqlsession.h"

#include "ergon/result.h"

#include <QDateTime>
#include <QString>

namespace ergon::sqladmin {

using sqlsession::SqlSession;

// The administrative writes of ExecutionLog (LogAdministration) that the SQL backends share,
// statement for statement; the dialect differences are SqlSession's hooks (lockRowsRead(),
// notifyWork()). See ExecutionLog for what each does and the errors it returns.

/// Begins a transaction and reads the flow's status, its row locked where the dialect locks
/// (lockRowsRead()); an unknown id is "not-found". On an error the transaction is rolled back;
/// otherwise the caller commits or rolls it back.
Result<QString> beginWithFlowStatus(SqlSession &session, qint64 id, const QString &doing);

Result<void> retryFlow(SqlSession &session, qint64 id, const QString &stepName, const QDateTime &now);
Result<void> cancelFlow(SqlSession &session, qint64 id, const QDateTime &now);
Result<void> fireTimerNow(SqlSession &session, qint64 flowId, const QDateTime &now);

} // namespace ergon::sqladmin
