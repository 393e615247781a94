#pragma once

#include "ergon/result.h"

#include <QString>

#include <memory>

struct sqlite3;

namespace ergon {

/// How an SQLite file is to be opened, decided from the file system before SQLite touches it:
/// what it refuses outright (a missing file when it may not be created, an empty file, a folder)
/// and what it opens read-only.
struct SqliteFilePlan {
    /// The file exists (else SQLite creates it).
    bool exists = false;
    /// Open read-only: the file or its folder cannot be written.
    bool readOnly = false;
    /// Open with SQLite's `immutable`: a WAL database in a folder that cannot be written, and
    /// with no write-ahead log beside it. SQLite needs to create a -shm file to read a WAL
    /// database, which such a folder refuses ("unable to open database file"); and nobody can
    /// change the file meanwhile, since any write would need a -wal file there too.
    bool immutable = false;
    /// Why it opens read-only, for the messages of writes that fail ("the folder ... is
    /// read-only"); empty when it is the file itself.
    QString readOnlyReason;
};

/// stat()s `path` only: no descriptor of our own is ever opened on a database (closing one would
/// drop the POSIX locks of SQLite's connections in this process). Refuses a missing file unless
/// `create` (kind "no-database"), a missing or read-only folder for a new file, an empty file
/// unless `create` (kind "corrupt": SQLite would make a database of it; a creator takes it for a
/// database another process is creating) and a folder.
Result<SqliteFilePlan> planSqliteOpen(const QString &path, bool create);

/// The database name and connect options that QSQLITE opens the plan with.
struct SqliteConnectTarget {
    QString databaseName;
    QString extraOptions; ///< ";QSQLITE_OPEN_READONLY" and the like, to append
};
SqliteConnectTarget sqliteConnectTarget(const QString &path, const SqliteFilePlan &plan);

/// A damaged file detected before it is used. PRAGMA quick_check reads every page of the file
/// (b-tree structure, record formats, NOT NULL columns); measured on a 1,000,000-flow file
/// (440 MB) it took 2.5-2.7 s, 17 times `stats` itself (0.15 s), so it runs at open only up to
/// a size (SqliteExecutionLog::Options::quickCheckMaxBytes), and the `check` verb runs it on any
/// file. Above that size the checked reads are what stands between a damaged page and a wrong
/// answer.
///
/// It runs once per file among the connections of this process that are open at the same time:
/// the workers of one process, opening their connections beside the first, do not check again.
class SqliteIntegrity
{
public:
    /// Checks the file on `db` (a connection of this process to `canonicalPath`) if no open
    /// connection of this process has yet, and if it is at most `maxBytes` long (`force`: any
    /// size). The returned token keeps the file's "checked" mark while the connection is open.
    /// `fileName` names the file in the error (kind "corrupt"), which quotes SQLite's first
    /// finding.
    static Result<std::shared_ptr<void>> check(sqlite3 *db, const QString &canonicalPath, const QString &fileName,
                                               qint64 maxBytes);
    /// PRAGMA quick_check on `db`, whatever the file's size.
    static Result<void> quickCheck(sqlite3 *db, const QString &fileName);
};

/// A "disk I/O error" of SQLite on a disk with (almost) no space left, as a full disk (kind
/// "full"): SQLite cannot create or grow its -shm file there, and says so in these words, not
/// with SQLITE_FULL. Any other error is returned as it is.
Error sqliteFullDiskError(const Error &error, const QString &path);

/// After SQLite said "database or disk is full": checkpoints the write-ahead log into the
/// database and truncates it to nothing (wal_checkpoint(TRUNCATE)), and from then on keeps it
/// small on this connection (wal_autocheckpoint of 64 pages, journal_size_limit 0), so that the
/// little space that comes back is not eaten again by a log that regrows to its usual 4 MB
/// before its next checkpoint. The checkpoint's own failure is returned (it needs a little room
/// too, and another connection may be reading); the caller tries again later.
Result<void> sqliteReclaimLogSpace(sqlite3 *db, const QString &fileName);

/// The log kept small from the start (as above, without the checkpoint) when the disk holding
/// `path` has less than 64 MB free: a log that grows to 4 MB before its first checkpoint would
/// otherwise fill it, and a checkpoint needs room in the database file for the pages it copies.
bool sqliteSpaceIsShort(const QString &path);
Result<void> sqliteKeepLogSmall(sqlite3 *db, const QString &fileName);

} // namespace ergon
