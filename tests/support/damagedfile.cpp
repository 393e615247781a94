#include "damagedfile.h"

#include <ergon/sqliteexecutionlog.h>

#include <QFile>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <functional>

namespace ergon::test {

namespace {

/// Runs `work` on a plain QSqlDatabase connection to `path` (what another program would do).
QString withRawConnection(const QString &path, const std::function<QString(QSqlDatabase &)> &work)
{
    const QString name = QStringLiteral("damaged-file-") + QUuid::createUuid().toString();
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        error = db.open() ? work(db) : db.lastError().text();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

quint32 readBigEndian(const QByteArray &bytes, qsizetype offset, int size)
{
    quint32 value = 0;
    for (int i = 0; i < size; ++i)
        value = (value << 8) | quint8(bytes.at(offset + i));
    return value;
}

} // namespace

QString makeCompletedFlowsDatabase(const QString &path, int count)
{
    {
        auto log = SqliteExecutionLog::open(path);
        if (!log)
            return log.errorString();
    }
    return withRawConnection(path, [count](QSqlDatabase &db) -> QString {
        QSqlQuery query(db);
        const QStringList statements{
            QStringLiteral("BEGIN"),
            QStringLiteral("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %1)"
                           " INSERT INTO flows (id, type, type_version, args, status, priority, run_at, result,"
                           " created, updated, finished)"
                           " SELECT i, 'orders.OrderProcessor', 1, '{\"amount\":100,\"order_id\":\"ORD-' || i || '\"}',"
                           " 'completed', 0, 1700000000000 + i, '\"payment-ORD-' || i || '\"', 1700000000000 + i,"
                           " 1700000000100 + i, 1700000000100 + i FROM n")
                .arg(count),
            QStringLiteral("INSERT INTO steps (flow_id, seq, name, occurrence, kind, status, result, worker, attempts,"
                           " started, finished) SELECT id, 0, 'validate', 0, 'step', 'completed', 'true', 'w-1', 1,"
                           " created, created + 10 FROM flows"),
            QStringLiteral("INSERT INTO steps (flow_id, seq, name, occurrence, kind, status, result, worker, attempts,"
                           " started, finished) SELECT id, 1, 'process_payment', 0, 'step', 'completed', result,"
                           " 'w-1', 1, created + 10, created + 20 FROM flows"),
            QStringLiteral("INSERT INTO attempts (flow_id, seq, attempt, started, finished, worker)"
                           " SELECT flow_id, seq, 1, started, finished, worker FROM steps"),
            QStringLiteral("COMMIT"),
            QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"),
        };
        for (const QString &sql : statements) {
            if (!query.exec(sql))
                return sql.left(60) + QStringLiteral(": ") + query.lastError().text();
        }
        return {};
    });
}

StatusScan scanStatuses(const QString &path)
{
    StatusScan scan;
    scan.error = withRawConnection(path, [&scan](QSqlDatabase &db) -> QString {
        QSqlQuery query(db);
        if (!query.exec(QStringLiteral("SELECT status, count(*) FROM flows NOT INDEXED GROUP BY status")))
            return query.lastError().text();
        while (query.next())
            scan.counts.insert(query.value(0).toString(), query.value(1).toLongLong());
        return query.lastError().isValid() ? query.lastError().text() : QString();
    });
    return scan;
}

bool flipBytesInMiddleThird(const QString &path, quint32 seed, int flips)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadWrite))
        return false;
    QByteArray bytes = file.readAll();
    const qsizetype third = bytes.size() / 3;
    if (third == 0)
        return false;
    QRandomGenerator generator(seed);
    for (int i = 0; i < flips; ++i) {
        const qsizetype at = third + qsizetype(generator.bounded(quint32(third)));
        bytes[at] = char(quint8(bytes.at(at)) ^ quint8(1 + generator.bounded(255)));
    }
    return file.seek(0) && file.write(bytes) == bytes.size();
}

PageInfo pageInfo(const QString &path, const QString &name)
{
    PageInfo info;
    withRawConnection(path, [&](QSqlDatabase &db) -> QString {
        QSqlQuery query(db);
        if (query.exec(QStringLiteral("PRAGMA page_size")) && query.next())
            info.pageSize = query.value(0).toInt();
        query.finish();
        query.prepare(QStringLiteral("SELECT rootpage FROM sqlite_master WHERE name = ?"));
        query.addBindValue(name);
        if (query.exec() && query.next())
            info.rootPage = query.value(0).toInt();
        return {};
    });
    return info;
}

int damageMiddleLeaf(const QString &path, const PageInfo &info)
{
    QFile file(path);
    if (info.pageSize <= 0 || info.rootPage <= 1 || !file.open(QIODevice::ReadWrite))
        return 0;
    const QByteArray bytes = file.readAll();
    // Down the middle of the tree. An interior b-tree page (0x02 index, 0x05 table) has a 12-byte
    // header, then one 2-byte cell pointer per cell; each cell starts with its left child's page
    // number. Leaves are 0x0a (index) and 0x0d (table).
    int page = info.rootPage;
    for (int depth = 0; depth < 8; ++depth) {
        const qsizetype at = qsizetype(page - 1) * info.pageSize;
        if (page <= 1 || at + info.pageSize > bytes.size())
            return 0;
        const quint8 type = quint8(bytes.at(at));
        if (type == 0x0a || type == 0x0d) {
            if (page == info.rootPage)
                return 0; // a tree of one page: no rows before the damage
            // 0x00 is no page type at all: SQLite says "database disk image is malformed".
            if (!file.seek(at) || file.write(QByteArray(1, '\0')) != 1)
                return 0;
            return page;
        }
        if (type != 0x02 && type != 0x05)
            return 0;
        const int cells = int(readBigEndian(bytes, at + 3, 2));
        if (cells < 1)
            return 0;
        const qsizetype cell = at + readBigEndian(bytes, at + 12 + 2 * (cells / 2), 2);
        page = int(readBigEndian(bytes, cell, 4));
    }
    return 0;
}

} // namespace ergon::test
