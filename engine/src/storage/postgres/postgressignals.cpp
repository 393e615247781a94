// Signals on PostgresExecutionLog: the statements both SQL backends share (sqlsignals.h, sqlreads.h).
#include "storage/postgres/postgresexecutionlog_p.h"

#include "storage/sql/sqlreads.h"
#include "storage/sql/sqlsignals.h"

namespace ergon {

Result<SignalSent> PostgresExecutionLog::sendSignal(qint64 flowId, const QString &name, const QByteArray &payloadJson,
                                                    const QDateTime &now)
{
    return sqlsignals::sendSignal(*d, flowId, name, payloadJson, now);
}

Result<QList<SignalRecord>> PostgresExecutionLog::flowSignals(qint64 flowId)
{
    return sqlreads::flowSignals(*d, flowId);
}

} // namespace ergon
