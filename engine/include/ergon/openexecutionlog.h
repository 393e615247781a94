#pragma once

#include "executionlog.h"

#include <memory>

namespace ergon {

/// Opens the log a location names, on the calling thread (the connection belongs to it):
/// - postgresql://user[:password]@host[:port]/dbname[?schema=NAME...] (or postgres://):
///   PostgresExecutionLog; without a password in the URL, libpq reads PGPASSWORD or ~/.pgpass;
/// - anything else is a path: SqliteExecutionLog.
///
/// What opening a SQLite path that does not exist does: create a new database there (writers:
/// scheduling, workers, File › New), or refuse with "no such database: PATH" (kind
/// "no-database"), for callers that only read, so that a mistyped path is not made a database.
enum class MissingDatabase { Create, Refuse };

/// Errors name the location without its password, as every message must. A damaged SQLite file
/// (kind "corrupt"), an empty one, and one of another application are refused and left untouched,
/// with a message that names the file and says what is wrong, as it may be shown to users.
Result<std::unique_ptr<ExecutionLog>> openExecutionLog(const QString &location,
                                                       MissingDatabase missing = MissingDatabase::Create);

/// Whether the location names a database server rather than a file.
bool isDatabaseUrl(const QString &location);

/// The location as it may be shown (window titles, messages, logs): a URL without its
/// password; a path as it is.
QString displayLocation(const QString &location);

} // namespace ergon
