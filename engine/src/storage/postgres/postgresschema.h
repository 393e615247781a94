#pragma once

#include "storage/sqlite/sqliteschema.h"

namespace ergon {

/// Every migration in order, for PostgreSQL: the same tables, columns and indexes as
/// sqliteMigrations() (BIGINT millisecond times, BIGSERIAL ids, JSON as TEXT), so that the
/// code reading and writing rows is the same shape on both, and a migration added to one is
/// added to the other under the same version number.
const QList<SchemaMigration> &postgresMigrations();

} // namespace ergon
