// Signals on SqliteExecutionLog: not written yet (they follow the split of the backend's files).
#include "ergon/sqliteexecutionlog.h"

namespace ergon {

namespace {
Error notYet()
{
    return Error(QStringLiteral("signals are not stored in this log yet"), QStringLiteral("unsupported"));
}
} // namespace

Result<SignalSent> SqliteExecutionLog::sendSignal(qint64, const QString &, const QByteArray &, const QDateTime &)
{
    return notYet();
}

Result<QList<SignalRecord>> SqliteExecutionLog::flowSignals(qint64)
{
    return notYet();
}

} // namespace ergon
