#pragma once

#include "executionlog.h"

#include <memory>

namespace ergon {

/// Opens the log a location names, on the calling thread (the connection belongs to it):
/// - postgresql://user[:password]@host[:port]/dbname[?schema=NAME...] (or postgres://):
///   PostgresExecutionLog; without a password in the URL, libpq reads PGPASSWORD or ~/.pgpass;
/// - anything else is a path: SqliteExecutionLog.
///
/// Errors name the location without its password, as every message must.
Result<std::unique_ptr<ExecutionLog>> openExecutionLog(const QString &location);

/// Whether the location names a database server rather than a file.
bool isDatabaseUrl(const QString &location);

/// The location as it may be shown (window titles, messages, logs): a URL without its
/// password; a path as it is.
QString displayLocation(const QString &location);

} // namespace ergon
