#include "storage/sqlite/sqlitefilecheck.h"

#include "storage/sqlite/sqlitestatement.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QStorageInfo>
#include <QUrl>

#include <sqlite3.h>

#include <mutex>

namespace ergon {

Result<SqliteFilePlan> planSqliteOpen(const QString &path, bool create)
{
    const QFileInfo info(path);
    const QFileInfo folder(info.absolutePath());
    // isWritable() asks access(W_OK): a folder on a read-only mount is read-only for root too.
    const bool folderWritable = folder.isWritable();
    SqliteFilePlan plan;
    plan.exists = info.exists();
    if (!plan.exists) {
        if (!create)
            return Error(QStringLiteral("no such database: %1").arg(QDir::toNativeSeparators(path)),
                         QStringLiteral("no-database"));
        if (!folder.exists()) {
            return Error(QStringLiteral("cannot create %1: the folder %2 does not exist")
                             .arg(info.fileName(), info.absolutePath()),
                         QStringLiteral("io"));
        }
        if (!folderWritable) {
            return Error(QStringLiteral("cannot create %1: the folder %2 is read-only")
                             .arg(info.fileName(), info.absolutePath()),
                         QStringLiteral("read-only"));
        }
        return plan;
    }
    if (info.isDir())
        return Error(QStringLiteral("%1 is a folder, not a database").arg(path), QStringLiteral("corrupt"));
    if (info.size() == 0 && !create) {
        // SQLite takes an empty file for an empty database and would write one into it. Only a
        // caller that may create a database takes it so: another process may be creating one
        // there this very moment (its file is empty until its schema commits).
        return Error(QStringLiteral("%1 is not an SQLite database (an empty file); it was left untouched.").arg(path),
                     QStringLiteral("corrupt"));
    }
    // Permission bits are honoured even for root, who could write anyway: a file the user made
    // read-only is opened read-only. (WriteUser is what this user may do, which for root is
    // always true, so it only counts to make a file read-only, never writable.)
    const auto permissions = info.permissions();
    plan.readOnly = !(permissions & (QFile::WriteOwner | QFile::WriteGroup | QFile::WriteOther)) ||
        !(permissions & QFile::WriteUser);
    if (!folderWritable) {
        plan.readOnly = true;
        plan.readOnlyReason = QStringLiteral("the folder %1 is read-only").arg(info.absolutePath());
        const bool hasLog = QFileInfo::exists(path + QStringLiteral("-wal"));
        const bool hasIndex = QFileInfo::exists(path + QStringLiteral("-shm"));
        if (hasLog && !hasIndex) {
            // SQLite cannot read the log without its index, nor make one in this folder.
            return Error(QStringLiteral("cannot open %1: the folder %2 is read-only, and the database's write-ahead "
                                        "log (%3-wal) cannot be read without a -shm file, which SQLite cannot create "
                                        "there")
                             .arg(info.fileName(), info.absolutePath(), info.fileName()),
                         QStringLiteral("read-only"));
        }
        plan.immutable = !hasLog;
    }
    return plan;
}

SqliteConnectTarget sqliteConnectTarget(const QString &path, const SqliteFilePlan &plan)
{
    if (plan.immutable) {
        QUrl url = QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath());
        url.setQuery(QStringLiteral("immutable=1"));
        return {url.toString(QUrl::FullyEncoded), QStringLiteral(";QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI")};
    }
    return {path, plan.readOnly ? QStringLiteral(";QSQLITE_OPEN_READONLY") : QString()};
}

namespace {

/// Whether a file has been checked by a connection of this process that is still open.
struct CheckedMark {
    std::mutex mutex; ///< held by the connection checking, so the others wait for its finding
    bool checked = false;
};

std::shared_ptr<CheckedMark> markOf(const QString &canonicalPath)
{
    static std::mutex registryMutex;
    static QHash<QString, std::weak_ptr<CheckedMark>> registry;
    const std::lock_guard lock(registryMutex);
    std::weak_ptr<CheckedMark> &entry = registry[canonicalPath];
    std::shared_ptr<CheckedMark> mark = entry.lock();
    if (!mark) {
        mark = std::make_shared<CheckedMark>();
        entry = mark;
    }
    registry.removeIf([](const auto &item) { return item.value().expired(); });
    return mark;
}

} // namespace

Result<void> SqliteIntegrity::quickCheck(sqlite3 *db, const QString &fileName)
{
    const QString doing = QStringLiteral("checking");
    auto statement = SqliteStatement::prepare(db, "PRAGMA quick_check", fileName);
    if (!statement)
        return statement.error();
    auto row = statement->step(doing);
    if (!row) {
        statement->reset();
        return row.error();
    }
    // One row "ok", or up to 100 rows of findings: the first says enough.
    const QString finding = *row ? statement->columnText(0) : QStringLiteral("no answer");
    statement->reset();
    if (finding == QLatin1String("ok"))
        return {};
    return Error(QStringLiteral("%1 is damaged (SQLite's quick_check: %2); it was left untouched.")
                     .arg(fileName, finding.simplified()),
                 QStringLiteral("corrupt"));
}

Result<std::shared_ptr<void>> SqliteIntegrity::check(sqlite3 *db, const QString &canonicalPath, const QString &fileName,
                                                     qint64 maxBytes)
{
    std::shared_ptr<CheckedMark> mark = markOf(canonicalPath);
    const std::lock_guard lock(mark->mutex);
    if (mark->checked)
        return std::shared_ptr<void>(mark);
    const qint64 size = QFileInfo(canonicalPath).size();
    if (maxBytes == 0 || (maxBytes > 0 && size > maxBytes))
        return std::shared_ptr<void>(); // not checked at open, or too large to: see the class
    if (auto checked = quickCheck(db, fileName); !checked)
        return checked.error();
    mark->checked = true;
    return std::shared_ptr<void>(mark);
}

Error sqliteFullDiskError(const Error &error, const QString &path)
{
    if (error.kind() != QLatin1String("storage") || !error.message().contains(QLatin1String("disk I/O error")))
        return error;
    // Less than SQLite's -shm file and a few pages of log need: the error is the disk's.
    constexpr qint64 almostNothing = qint64(1024) * 1024;
    const qint64 free = QStorageInfo(QFileInfo(path).absolutePath()).bytesAvailable();
    if (free < 0 || free >= almostNothing)
        return error;
    return Error(error.message() + QStringLiteral(" (the disk is full: %1 bytes free)").arg(free),
                 QStringLiteral("full"));
}

bool sqliteSpaceIsShort(const QString &path)
{
    constexpr qint64 shortOfSpace = qint64(64) * 1024 * 1024;
    const qint64 free = QStorageInfo(QFileInfo(path).absolutePath()).bytesAvailable();
    return free >= 0 && free < shortOfSpace;
}

Result<void> sqliteKeepLogSmall(sqlite3 *db, const QString &fileName)
{
    for (const char *sql : {"PRAGMA journal_size_limit = 0", "PRAGMA wal_autocheckpoint = 64"}) {
        auto statement = SqliteStatement::prepare(db, sql, fileName);
        if (!statement)
            return statement.error();
        if (auto done = statement->run(QStringLiteral("setting up")); !done)
            return done;
    }
    return {};
}

Result<void> sqliteReclaimLogSpace(sqlite3 *db, const QString &fileName)
{
    const QString doing = QStringLiteral("making room in");
    if (auto small = sqliteKeepLogSmall(db, fileName); !small)
        return small;
    int logFrames = 0;
    int checkpointed = 0;
    if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &logFrames, &checkpointed) != SQLITE_OK)
        return sqliteError(doing, fileName, QString::fromUtf8(sqlite3_errmsg(db)));
    return {};
}

} // namespace ergon
