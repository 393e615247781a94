// Signals on PostgresExecutionLog: not written yet (they follow the split of the backend's files).
#include "ergon/postgresexecutionlog.h"

namespace ergon {

namespace {
Error notYet()
{
    return Error(QStringLiteral("signals are not stored in this log yet"), QStringLiteral("unsupported"));
}
} // namespace

Result<SignalSent> PostgresExecutionLog::sendSignal(qint64, const QString &, const QByteArray &, const QDateTime &)
{
    return notYet();
}

Result<QList<SignalRecord>> PostgresExecutionLog::flowSignals(qint64)
{
    return notYet();
}

} // namespace ergon
