#include "rawcommits.h"

#include "benchoutput.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <sqlite3.h>

#include <cstdio>
#include <memory>

namespace ergon::bench {

namespace {

const char createTable[] = "CREATE TABLE rows (id INTEGER PRIMARY KEY, flow_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
                           " result TEXT)";

struct CloseDatabase {
    void operator()(sqlite3 *db) const { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
    void operator()(sqlite3_stmt *statement) const { sqlite3_finalize(statement); }
};

} // namespace

QString toString(Synchronous synchronous)
{
    return synchronous == Synchronous::Full ? QStringLiteral("FULL") : QStringLiteral("NORMAL");
}

std::optional<CommitRate> sqliteCApiCommits(const QString &path, int commits, int stepsPerFlow, Synchronous synchronous)
{
    sqlite3 *raw = nullptr;
    const int opened = sqlite3_open_v2(QFile::encodeName(path).constData(), &raw,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    const std::unique_ptr<sqlite3, CloseDatabase> db(raw);
    const auto failed = [&](const char *doing) {
        print(
            QStringLiteral("baseline (C API): %1: %2")
                .arg(QLatin1String(doing), QString::fromUtf8(db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(opened))));
        return std::nullopt;
    };
    if (opened != SQLITE_OK)
        return failed("open");
    const QByteArray setup = QByteArrayLiteral("PRAGMA journal_mode = WAL; PRAGMA synchronous = ") +
        toString(synchronous).toLatin1() + QByteArrayLiteral("; PRAGMA busy_timeout = 5000; ") + createTable;
    if (sqlite3_exec(db.get(), setup.constData(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return failed("set-up");
    sqlite3_stmt *prepared = nullptr;
    if (sqlite3_prepare_v3(db.get(), "INSERT INTO rows (flow_id, seq, result) VALUES (?, ?, ?)", -1,
                           SQLITE_PREPARE_PERSISTENT, &prepared, nullptr) != SQLITE_OK)
        return failed("prepare");
    const std::unique_ptr<sqlite3_stmt, FinalizeStatement> insert(prepared);

    QElapsedTimer timer;
    const CpuTime cpuStart = CpuTime::now();
    timer.start();
    for (int i = 0; i < commits; ++i) {
        // The result as the engine stores a step's: short text, bound without a copy.
        char result[12];
        const int length = std::snprintf(result, sizeof result, "%d", i % stepsPerFlow);
        if (sqlite3_bind_int64(insert.get(), 1, i / stepsPerFlow) != SQLITE_OK ||
            sqlite3_bind_int(insert.get(), 2, i % stepsPerFlow) != SQLITE_OK ||
            sqlite3_bind_text(insert.get(), 3, result, length, SQLITE_STATIC) != SQLITE_OK)
            return failed("bind");
        if (sqlite3_step(insert.get()) != SQLITE_DONE)
            return failed("insert");
        sqlite3_reset(insert.get());
    }
    const qint64 nanoseconds = timer.nsecsElapsed();
    return CommitRate{commits / (nanoseconds / 1e9), nanoseconds / 1e9, CpuTime::now() - cpuStart};
}

std::optional<CommitRate> qtSqlCommits(QSqlDatabase &db, int commits, int stepsPerFlow, QtCommitStyle style)
{
    QSqlQuery insert(db);
    QSqlQuery begin(db);
    if (!insert.prepare(QStringLiteral("INSERT INTO rows (flow_id, seq, result) VALUES (?, ?, ?)")) ||
        (style == QtCommitStyle::Explicit && !begin.prepare(QStringLiteral("BEGIN IMMEDIATE")))) {
        print(QStringLiteral("baseline (Qt SQL): prepare: %1 %2")
                  .arg(insert.lastError().text(), begin.lastError().text()));
        return std::nullopt;
    }
    const bool explicitTransactions = style == QtCommitStyle::Explicit;
    QElapsedTimer timer;
    const CpuTime cpuStart = CpuTime::now();
    timer.start();
    for (int i = 0; i < commits; ++i) {
        if (explicitTransactions && !begin.exec()) {
            print(QStringLiteral("baseline (Qt SQL): begin: %1").arg(begin.lastError().text()));
            return std::nullopt;
        }
        insert.bindValue(0, i / stepsPerFlow);
        insert.bindValue(1, i % stepsPerFlow);
        insert.bindValue(2, QString::number(i % stepsPerFlow));
        if (!insert.exec()) {
            print(QStringLiteral("baseline (Qt SQL): insert: %1").arg(insert.lastError().text()));
            return std::nullopt;
        }
        if (explicitTransactions && !db.commit()) {
            print(QStringLiteral("baseline (Qt SQL): commit: %1").arg(db.lastError().text()));
            return std::nullopt;
        }
    }
    const qint64 nanoseconds = timer.nsecsElapsed();
    return CommitRate{commits / (nanoseconds / 1e9), nanoseconds / 1e9, CpuTime::now() - cpuStart};
}

std::optional<CommitRate> sqliteQtCommits(const QString &path, int commits, int stepsPerFlow, Synchronous synchronous,
                                          QtCommitStyle style)
{
    const QString connection = QStringLiteral("bench-baseline-qt");
    std::optional<CommitRate> rate;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        db.setDatabaseName(path);
        if (!db.open()) {
            print(QStringLiteral("baseline (Qt SQL): cannot open %1: %2").arg(path, db.lastError().text()));
        } else {
            QSqlQuery setup(db);
            bool ready = true;
            const QStringList statements{QStringLiteral("PRAGMA journal_mode = WAL"),
                                         QStringLiteral("PRAGMA synchronous = ") + toString(synchronous),
                                         QString::fromLatin1(createTable)};
            for (const QString &sql : statements) {
                if (ready && !setup.exec(sql)) {
                    print(QStringLiteral("baseline (Qt SQL): %1: %2").arg(sql, setup.lastError().text()));
                    ready = false;
                }
            }
            setup.finish();
            if (ready)
                rate = qtSqlCommits(db, commits, stepsPerFlow, style);
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return rate;
}

void removeSqliteFiles(const QString &path)
{
    for (const char *end : {"", "-wal", "-shm"})
        QFile::remove(path + QLatin1String(end));
}

} // namespace ergon::bench
