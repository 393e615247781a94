#include "ergon/openexecutionlog.h"

#include "ergon/postgresexecutionlog.h"
#include "ergon/sqliteexecutionlog.h"

namespace ergon {

bool isDatabaseUrl(const QString &location)
{
    return PostgresExecutionLog::isUrl(location);
}

QString displayLocation(const QString &location)
{
    return PostgresExecutionLog::withoutPassword(location);
}

Result<std::unique_ptr<ExecutionLog>> openExecutionLog(const QString &location)
{
    if (PostgresExecutionLog::isUrl(location)) {
        auto log = PostgresExecutionLog::open(location);
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(log.take());
    }
    auto log = SqliteExecutionLog::open(location);
    if (!log)
        return log.error();
    return std::unique_ptr<ExecutionLog>(log.take());
}

} // namespace ergon
