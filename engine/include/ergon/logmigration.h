#pragma once

#include "result.h"

#include <QList>
#include <QString>

namespace ergon {

/// One table of a migration: the rows the source holds and the rows the target holds after it.
struct MigratedTable {
    QString name;
    qint64 source = 0;
    qint64 target = 0;
};

struct LogMigrationOptions {
    /// A target that already holds rows is refused, unless this is set: then its rows are
    /// deleted first (in the same transaction as the copy).
    bool replace = false;
    /// Rows per INSERT statement.
    int batchRows = 500;
};

/// Moving up from one host to many: copies every record of a SQLite log (flows, steps,
/// attempts, timers, workers, steals, signals) into a PostgreSQL log, keeping every id, and
/// advances the target's id sequences past them.
///
/// The source is opened read-only and left untouched; it must be at this build's schema version
/// (open it once with this build to upgrade an older file). The copy reads one consistent
/// snapshot of the source and writes in one transaction on the target, with its tables locked
/// against concurrent writers; the row counts of every table are compared before the commit,
/// and any difference rolls the whole copy back. Stop the workers of the source first: what
/// they write after the snapshot is not copied.
Result<QList<MigratedTable>> migrateSqliteToPostgres(const QString &sqlitePath, const QString &postgresUrl,
                                                     const LogMigrationOptions &options = {});

} // namespace ergon
