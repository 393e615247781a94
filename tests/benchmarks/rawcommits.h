#pragma once

#include <QString>

#include <sys/resource.h>

#include <optional>

class QSqlDatabase;

// The baselines of bench_engine and bench_workers: single-row commits, each its own durable
// transaction, on the same disk and journal as the engine. The ratio's baseline goes through
// SQLite's C API with one prepared statement, as the engine's group commit does: nothing the
// engine does not also pay. The same through Qt SQL (QSqlQuery) is printed for information.
namespace ergon::bench {

/// CPU time of this process: the figure that stays meaningful when the machine is shared
/// (wall-clock rates drop when other processes take the cores).
struct CpuTime {
    double user = 0;
    double system = 0;

    static CpuTime now()
    {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        return {usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
                usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6};
    }
    CpuTime operator-(const CpuTime &other) const { return {user - other.user, system - other.system}; }
    double total() const { return user + system; }
};

enum class Synchronous { Normal, Full };

QString toString(Synchronous synchronous);

struct CommitRate {
    double commitsPerSecond = 0;
    double seconds = 0;
    CpuTime cpu;
};

/// `commits` single-row INSERTs into a new SQLite file at `path` (WAL, the synchronous mode
/// given), each in autocommit mode, through one statement prepared once on SQLite's C API
/// (bind, step, reset). Prints what failed and returns nothing on an error.
std::optional<CommitRate> sqliteCApiCommits(const QString &path, int commits, int stepsPerFlow,
                                            Synchronous synchronous);

/// How each single-row transaction is made through Qt SQL.
enum class QtCommitStyle {
    Autocommit, ///< one prepared INSERT in autocommit mode
    Explicit,   ///< BEGIN IMMEDIATE, the INSERT, COMMIT (SQLite only)
};

/// The same through QSqlQuery on a new QSQLITE connection to a new file at `path`.
std::optional<CommitRate> sqliteQtCommits(const QString &path, int commits, int stepsPerFlow, Synchronous synchronous,
                                          QtCommitStyle style);

/// Autocommit INSERTs through QSqlQuery on an open connection whose table `rows` (flow_id,
/// seq, result) exists: PostgreSQL's baseline, and the body of sqliteQtCommits().
std::optional<CommitRate> qtSqlCommits(QSqlDatabase &db, int commits, int stepsPerFlow, QtCommitStyle style);

/// Deletes an SQLite file with its WAL and shared-memory files: a measured phase writes tens of
/// megabytes that the kernel would otherwise write back during the next phase.
void removeSqliteFiles(const QString &path);

} // namespace ergon::bench
