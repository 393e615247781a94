#pragma once

#include <QList>
#include <QStringList>

namespace ergon {

/// One step of the schema's history: the statements that take a database from version - 1
/// to version. Migrations only ever append; a released one is never edited.
struct SchemaMigration {
    int version;
    QStringList statements;
};

/// Every migration in order, for SQLite.
const QList<SchemaMigration> &sqliteMigrations();

} // namespace ergon
