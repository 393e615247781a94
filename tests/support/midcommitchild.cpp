// A worker process that dies in the middle of a commit: one FlowWorker on the SQLite file given,
// with the plugins of the folder given, and a hook on every SQLite connection of the process
// (an auto-extension: the QSQLITE connections the engine opens are SQLite's own) that counts the
// rows written to the table `steps` (one INSERT statement each). Once ROWS rows were written in all, inside a
// transaction that has written at least two of its own (so a group commit is part way through, its COMMIT not reached),
// the process sends itself SIGKILL. It prints "mid-commit: N rows of this transaction written, TOTAL in all" on stderr
// just before. It gives up by itself after 60 s (exit 3).
//
// Usage: ergon_midcommit_child DATABASE PLUGIN_DIR ROWS CONCURRENCY

#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QCoreApplication>
#include <QTimer>

#include <sqlite3.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace Qt::StringLiterals;
using namespace ergon;

namespace {

std::atomic<long> rowsInAll{0};
long killAtRow = 0;
thread_local long rowsInThisTransaction = 0; // each connection lives on one thread

// The table `steps` has no rowid, so SQLite's update hook never sees it: the statements that
// write it are counted as they start (trace), each writing one row.
int onStatement(unsigned, void *, void *statement, void *)
{
    const char *sql = sqlite3_sql(static_cast<sqlite3_stmt *>(statement));
    if (!sql || std::strncmp(sql, "INSERT INTO steps", 17) != 0)
        return 0;
    if (sqlite3_get_autocommit(sqlite3_db_handle(static_cast<sqlite3_stmt *>(statement))))
        return 0; // not inside a transaction
    // The rows of the statements before this one are written, their COMMIT not reached.
    const long written = rowsInThisTransaction++;
    const long total = ++rowsInAll;
    if (total >= killAtRow && written >= 2) {
        std::fprintf(stderr, "mid-commit: %ld rows of this transaction written, %ld in all\n", written, total - 1);
        std::fflush(stderr);
        std::raise(SIGKILL);
    }
    return 0;
}

int onCommit(void *)
{
    rowsInThisTransaction = 0;
    return 0; // go on with the commit
}

void onRollback(void *)
{
    rowsInThisTransaction = 0;
}

int hookConnection(sqlite3 *db, char **, const sqlite3_api_routines *)
{
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, onStatement, nullptr);
    sqlite3_commit_hook(db, onCommit, nullptr);
    sqlite3_rollback_hook(db, onRollback, nullptr);
    return SQLITE_OK;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    if (arguments.size() != 5) {
        std::fprintf(stderr, "usage: ergon_midcommit_child DATABASE PLUGIN_DIR ROWS CONCURRENCY\n");
        return 2;
    }
    killAtRow = arguments.at(3).toLong();
    const int concurrency = arguments.at(4).toInt();
    if (killAtRow < 1 || concurrency < 1) {
        std::fprintf(stderr, "ROWS and CONCURRENCY must be positive\n");
        return 2;
    }
    PluginCatalog catalog;
    catalog.load({arguments.at(2)});
    if (catalog.registry().types().isEmpty()) {
        std::fprintf(stderr, "no flow plugin in %s\n", qPrintable(arguments.at(2)));
        return 2;
    }
    // Every connection opened from now on carries the hooks (the engine's log, the worker's and
    // its timer service's).
    if (sqlite3_auto_extension(reinterpret_cast<void (*)()>(hookConnection)) != SQLITE_OK) {
        std::fprintf(stderr, "cannot register the hook\n");
        return 2;
    }
    const QString location = arguments.at(1);
    auto worker = FlowWorker(
                      [location]() -> Result<std::unique_ptr<ExecutionLog>> {
                          auto log = SqliteExecutionLog::open(location);
                          if (!log)
                              return log.error();
                          return std::unique_ptr<ExecutionLog>(log.take());
                      },
                      catalog.registry())
                      .withName(u"doomed"_s)
                      .withConcurrency(concurrency)
                      .withPollInterval(std::chrono::milliseconds(20))
                      .withLeaseDuration(std::chrono::seconds(1)) // the next worker need not wait long
                      .start();
    QObject::connect(worker.get(), &WorkerHandle::failed, &app, [](const QString &error) {
        std::fprintf(stderr, "the worker could not start: %s\n", qPrintable(error));
        std::_Exit(2);
    });
    QTimer::singleShot(60000, &app, [] { std::_Exit(3); });
    return app.exec();
}
