// A damaged SQLite file never gives a confident wrong answer: it is refused when opened (PRAGMA
// quick_check, for files up to SqliteExecutionLog::Options::quickCheckMaxBytes), and every read
// checks for errors, so that a page that cannot be read is an error and not the end of the rows.
// A stored value the engine does not know (a status) is an error, not dropped or defaulted.

#include "damagedfile.h"
#include "ergontest.h"
#include "storage/sql/flowquerysql.h"

#include <ergon/flowregistry.h>
#include <ergon/flowworker.h>
#include <ergon/sqliteexecutionlog.h>

#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {

constexpr int flowCount = 3000;

/// Runs statements on a plain QSqlDatabase connection (what another program would do).
QString runRawSql(const QString &path, const QStringList &statements)
{
    const QString name = u"raw-"_s + path;
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            for (const QString &sql : statements) {
                if (!query.exec(sql)) {
                    error = sql + u": "_s + query.lastError().text();
                    break;
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

/// Opens without the check at open: what a file above the size limit gets, so that the reads'
/// own checks are what is tested.
Result<std::unique_ptr<SqliteExecutionLog>> openUnchecked(const QString &path)
{
    SqliteExecutionLog::Options options;
    options.quickCheckMaxBytes = 0;
    return SqliteExecutionLog::open(path, options);
}

QString describe(const QMap<FlowStatus, qint64> &counts)
{
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        parts.append(u"%1 %2"_s.arg(toString(it.key())).arg(it.value()));
    return parts.join(u", "_s);
}

} // namespace

class TestSqliteDamage : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_pristine; ///< 3,000 completed flows, made once and copied for each test

    QString copyOfPristine(const QString &name)
    {
        const QString path = m_dir->filePath(name);
        QFile::remove(path);
        return QFile::copy(m_pristine, path) ? path : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_pristine = m_dir->filePath(u"pristine.db"_s);
        QCOMPARE(makeCompletedFlowsDatabase(m_pristine, flowCount), QString());
        const StatusScan scan = scanStatuses(m_pristine);
        QCOMPARE(scan.error, QString());
        QCOMPARE(scan.counts.value(u"completed"_s), flowCount);
    }

    // The index countByStatus() and list by status read, damaged in its middle: the scan reads
    // the rows before the damaged page, then fails. QSqlQuery::next() returns false either way.
    void aReadErrorIsNotTheEndOfTheRows()
    {
        const QString path = copyOfPristine(u"damaged-index.db"_s);
        QVERIFY(!path.isEmpty());
        QVERIFY(damageMiddleLeaf(path, pageInfo(path, u"flows_status"_s)) > 0);

        ERGON_TRY(log, openUnchecked(path));
        auto counts = log->countByStatus();
        QVERIFY2(!counts, qPrintable(u"counted: "_s + (counts ? describe(*counts) : QString())));
        QCOMPARE(counts.error().kind(), u"corrupt"_s);
        QVERIFY2(counts.errorString().contains(u"damaged-index.db"_s), qPrintable(counts.errorString()));
        QVERIFY2(counts.errorString().contains(u"malformed"_s), qPrintable(counts.errorString()));

        FlowQuery completed;
        completed.status = FlowStatus::Completed;
        completed.limit = 10 * flowCount;
        auto listed = log->flows(completed);
        QVERIFY2(!listed, qPrintable(u"listed %1 flows"_s.arg(listed ? listed->size() : 0)));
        QCOMPARE(listed.error().kind(), u"corrupt"_s);

        // And the check at open refuses the file outright.
        log.reset();
        auto checked = SqliteExecutionLog::open(path);
        QVERIFY(!checked);
        QCOMPARE(checked.error().kind(), u"corrupt"_s);
        QVERIFY2(checked.errorString().contains(u"damaged-index.db"_s), qPrintable(checked.errorString()));
    }

    // A damaged page of the steps table: every read of a flow's steps gives them all or fails,
    // through QtSql (steps()) and through the native statements of a claim (the steps to replay).
    void aReadErrorInTheStepsIsAnError()
    {
        const QString path = copyOfPristine(u"damaged-steps.db"_s);
        QVERIFY(!path.isEmpty());
        // Steps are a WITHOUT ROWID table: an index b-tree, keyed by (flow_id, seq).
        QVERIFY(damageMiddleLeaf(path, pageInfo(path, u"steps"_s)) > 0);
        ERGON_TRY(log, openUnchecked(path));
        int failures = 0;
        for (qint64 id = 1; id <= flowCount; ++id) {
            auto read = log->steps(id, true);
            if (!read) {
                QCOMPARE(read.error().kind(), u"corrupt"_s);
                ++failures;
            } else {
                QCOMPARE(read->size(), 2); // never fewer: a damaged page is an error
            }
        }
        QVERIFY2(failures > 0, "no read met the damaged page");

        // Every flow claimable again (their rows only: the steps stay as damaged).
        log.reset();
        QCOMPARE(runRawSql(path, {u"UPDATE flows SET status = 'pending', run_at = 0"_s}), QString());
        ERGON_TRY(reopened, openUnchecked(path));
        const QDateTime now = QDateTime::fromMSecsSinceEpoch(1'800'000'000'000, Qt::UTC);
        auto claimed = reopened->claimDueStarted(u"w"_s, now, now.addSecs(60), 10 * flowCount);
        QVERIFY2(!claimed, qPrintable(u"claimed %1 flows"_s.arg(claimed ? claimed->size() : 0)));
        QCOMPARE(claimed.error().kind(), u"corrupt"_s);
    }

    // A worker that meets a damaged page stops claiming, says why once, and writes nothing
    // more: the claim that failed is rolled back, no flow is handed back, and its last
    // heartbeat is not written.
    void aWorkerStopsOnADamagedFile()
    {
        const QString path = copyOfPristine(u"worker-damaged.db"_s);
        QVERIFY(!path.isEmpty());
        QVERIFY(damageMiddleLeaf(path, pageInfo(path, u"steps"_s)) > 0);
        QCOMPARE(runRawSql(path, {u"UPDATE flows SET status = 'pending', run_at = 0"_s}), QString());

        class NothingFlow final : public Flow
        {
        public:
            QCoro::Task<QJsonValue> run(FlowContext &) override { co_return QJsonValue(); }
        };
        FlowRegistry registry;
        FlowTypeInfo info;
        info.name = u"orders.OrderProcessor"_s;
        ERGON_VERIFY_OK(registry.add(info, [](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
            return std::unique_ptr<Flow>(std::make_unique<NothingFlow>());
        }));
        const LogOpener opener = [path]() -> Result<std::unique_ptr<ExecutionLog>> {
            auto log = openUnchecked(path);
            if (!log)
                return log.error();
            return std::unique_ptr<ExecutionLog>(log.take());
        };
        auto worker = FlowWorker(opener, registry).withName(u"w"_s).withConcurrency(64).withoutTimers().start();
        QSignalSpy halted(worker.get(), &WorkerHandle::halted);
        QSignalSpy problems(worker.get(), &WorkerHandle::problem);
        QSignalSpy stopped(worker.get(), &WorkerHandle::stopped);
        QVERIFY(stopped.wait(15000));
        QCOMPARE(halted.count(), 1);
        const QString why = halted.first().first().toString();
        QVERIFY2(why.contains(u"worker-damaged.db"_s) && why.contains(u"stopped claiming"_s), qPrintable(why));
        QCOMPARE(problems.count(), 0);
        worker.reset();

        const QString name = u"after-worker"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            // Flows claimed before the damaged page was met ran (to their end: this flow type's
            // replay does not match the steps recorded, so they fail), or were in flight
            // and stay as they were, leased to the worker until the lease expires; the rest are
            // untouched. Nothing was handed back: a hand-back would have made them pending.
            QVERIFY(query.exec(
                u"SELECT count(*) FROM flows NOT INDEXED WHERE (status = 'pending' AND lease_owner IS"
                u" NULL) OR status IN ('completed', 'failed') OR (status = 'running' AND lease_owner = 'w')"_s));
            QVERIFY(query.next());
            const int accounted = query.value(0).toInt();
            QString states;
            QVERIFY(query.exec(u"SELECT status, lease_owner IS NULL, count(*) FROM flows NOT INDEXED GROUP BY 1, 2"_s));
            while (query.next())
                states += u"%1/%2: %3; "_s.arg(query.value(0).toString(), query.value(1).toString(),
                                               query.value(2).toString());
            QVERIFY2(accounted == flowCount, qPrintable(states));
            QVERIFY(query.exec(u"SELECT count(*) FROM flows NOT INDEXED WHERE status = 'pending'"_s));
            QVERIFY(query.next());
            QVERIFY(query.value(0).toInt() > 0); // it stopped before the end
            QVERIFY(query.exec(u"SELECT status FROM workers WHERE name = 'w'"_s));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toString(), u"alive"_s); // as registered: no last heartbeat
            query.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }

    void anUnknownStatusIsAnError()
    {
        const QString path = copyOfPristine(u"unknown-status.db"_s);
        QVERIFY(!path.isEmpty());
        // Another program (or a damaged page) wrote a status this build does not know.
        QCOMPARE(runRawSql(path, {u"UPDATE flows SET status = 'compleetd' WHERE id = 7"_s}), QString());
        ERGON_TRY(log, SqliteExecutionLog::open(path));

        auto counts = log->countByStatus();
        QVERIFY2(!counts, qPrintable(u"counted: "_s + (counts ? describe(*counts) : QString())));
        QCOMPARE(counts.error().kind(), u"corrupt"_s);
        QVERIFY2(counts.errorString().contains(u"'compleetd'"_s), qPrintable(counts.errorString()));
        QVERIFY2(counts.errorString().contains(u"unknown-status.db"_s), qPrintable(counts.errorString()));

        auto flow = log->flow(7);
        QVERIFY2(!flow, "flow 7 was read with some status");
        QVERIFY2(flow.errorString().contains(u"flow 7"_s), qPrintable(flow.errorString()));
        FlowQuery all;
        all.limit = 10 * flowCount;
        auto listed = log->flows(all);
        QVERIFY(!listed);
        ERGON_TRY(other, log->flow(8));
        QVERIFY(other.has_value());
        QCOMPARE(other->status, FlowStatus::Completed);
    }

    void anUnknownStepStatusIsAnError()
    {
        const QString path = copyOfPristine(u"unknown-step.db"_s);
        QVERIFY(!path.isEmpty());
        QCOMPARE(runRawSql(path, {u"UPDATE steps SET kind = 'stpe' WHERE flow_id = 9 AND seq = 1"_s}), QString());
        ERGON_TRY(log, SqliteExecutionLog::open(path));
        auto steps = log->steps(9, false);
        QVERIFY(!steps);
        QCOMPARE(steps.error().kind(), u"corrupt"_s);
        QVERIFY2(steps.errorString().contains(u"'stpe'"_s), qPrintable(steps.errorString()));
    }

    // What a damaged index walked out of order yields: one status twice. Neither count is
    // the answer; the sum would not be either.
    void aStatusCountedTwiceIsAnError()
    {
        auto counts = countsByStatus({{u"completed"_s, 1244}, {u"failed"_s, 3}, {u"completed"_s, 1198}}, u"x.db"_s);
        QVERIFY2(!counts, qPrintable(u"counted: "_s + (counts ? describe(*counts) : QString())));
        QCOMPARE(counts.error().kind(), u"corrupt"_s);
        QVERIFY2(counts.errorString().contains(u"x.db"_s), qPrintable(counts.errorString()));

        ERGON_TRY(fine, countsByStatus({{u"completed"_s, 5}, {u"failed"_s, 3}}, u"x.db"_s));
        QCOMPARE(fine.value(FlowStatus::Completed), 5);
        QCOMPARE(fine.value(FlowStatus::Failed), 3);
    }

    // The experiment: 16 bytes flipped in the middle third of the file, several seeds.
    // Each time the log either refuses (at open or at the read) or answers what a table scan
    // of the undamaged file says: 3,000 completed flows. Never another count.
    void flippedBytesNeverGiveAWrongCount_data()
    {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed = 1; seed <= 12; ++seed)
            QTest::addRow("seed %u", seed) << seed;
    }

    void flippedBytesNeverGiveAWrongCount()
    {
        QFETCH(quint32, seed);
        const QString path = copyOfPristine(u"flipped-%1.db"_s.arg(seed));
        QVERIFY(!path.isEmpty());
        QVERIFY(flipBytesInMiddleThird(path, seed));

        auto log = SqliteExecutionLog::open(path);
        if (!log) {
            QCOMPARE(log.error().kind(), u"corrupt"_s);
            QVERIFY2(log.errorString().contains(u"flipped-"_s), qPrintable(log.errorString()));
            return;
        }
        auto counts = (*log)->countByStatus();
        if (counts) {
            QCOMPARE(counts->size(), 1);
            QCOMPARE(counts->value(FlowStatus::Completed), flowCount);
        }
        FlowQuery completed;
        completed.status = FlowStatus::Completed;
        completed.limit = 10 * flowCount;
        if (auto listed = (*log)->flows(completed))
            QCOMPARE(listed->size(), flowCount);
    }
};

QTEST_GUILESS_MAIN(TestSqliteDamage)
#include "tst_sqlitedamage.moc"
