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

Result<std::unique_ptr<ExecutionLog>> openExecutionLog(const QString &location, MissingDatabase missing)
{
    if (PostgresExecutionLog::isUrl(location)) {
        auto log = PostgresExecutionLog::open(location);
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(log.take());
    }
    SqliteExecutionLog::Options options;
    options.create = missing == MissingDatabase::Create;
    auto log = SqliteExecutionLog::open(location, options);
    if (!log)
        return log.error();
    return std::unique_ptr<ExecutionLog>(log.take());
}

} // namespace ergon
