// SqliteExecutionLog's native write path (commit()): it waits for another writer's lock within
// its busy timeout, shared by the writers of one process, reads the clock once it holds the lock,
// and rolls a failed batch back whole.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/sqliteexecutionlog.h>

#include <QElapsedTimer>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <functional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {
const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

/// Another program holding the write lock of a database file, on its own connection and
/// thread: from start() (which returns once the lock is held) until `hold`, run on that thread,
/// returns; then it commits.
class LockHolder
{
public:
    LockHolder(QString path, std::function<void()> hold)
        : m_path(std::move(path))
        , m_hold(std::move(hold))
    {
    }
    ~LockHolder() { finish(); } // a test that stopped early still lets the thread end

    void start()
    {
        m_thread.reset(QThread::create([this] { run(); }));
        m_thread->start();
        m_locked.acquire();
    }
    /// Waits for the thread to end; the holder's error, if any.
    QString finish()
    {
        if (m_thread && !m_thread->wait(10'000))
            return u"the lock holder did not end"_s;
        return m_error;
    }

private:
    void run()
    {
        const QString name = u"lock-holder"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(m_path);
            QSqlQuery query(db);
            if (!db.open() || !query.exec(u"BEGIN IMMEDIATE"_s))
                m_error = db.lastError().text() + query.lastError().text();
            m_locked.release();
            m_hold();
            if (m_error.isEmpty() && !query.exec(u"COMMIT"_s))
                m_error = query.lastError().text();
            query.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }

    QString m_path;
    std::function<void()> m_hold;
    QSemaphore m_locked;
    QString m_error;
    std::unique_ptr<QThread> m_thread;
};
} // namespace

class TestSqliteCommit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void commitWaitsForAnotherWriter_data();
    void commitWaitsForAnotherWriter();
    void fireAndClaimDue_readsTheClockOnceTheLockIsHeld();
    void writersOfOneProcess_shareOneBusyTimeout();
    void commitRollsBackWholeBatch();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSqliteCommit::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestSqliteCommit::commitWaitsForAnotherWriter_data()
{
    QTest::addColumn<int>("holdMs");
    QTest::addColumn<int>("busyTimeoutMs");
    QTest::addColumn<bool>("succeeds");

    QTest::newRow("lock released within the timeout") << 400 << 10'000 << true;
    QTest::newRow("lock outlasts the timeout") << 0 << 400 << false; // held until the commit gave up
}

// commit() runs BEGIN IMMEDIATE on the native handle of the QSQLITE connection: the busy
// timeout given to QSQLITE applies to it, so it waits for another writer's lock.
void TestSqliteCommit::commitWaitsForAnotherWriter()
{
    QFETCH(int, holdMs);
    QFETCH(int, busyTimeoutMs);
    QFETCH(bool, succeeds);

    const QString path = m_dir->filePath(u"ergon.db"_s);
    SqliteExecutionLog::Options options;
    options.busyTimeoutMs = busyTimeoutMs;
    ERGON_TRY(log, SqliteExecutionLog::open(path, options));
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    ERGON_TRY(ids, log->scheduleFlows({flow}, t0));

    // Another program holds the write lock, on its own connection and thread: for holdMs when
    // the commit is to get it, or until the commit has given up (the test says so) otherwise.
    QAtomicInt letGo;  // set by the holder just before it commits, i.e. lets the lock go
    QSemaphore gaveUp; // released by the test once the commit has returned
    LockHolder holder(path, [&, holdMs] {
        if (succeeds)
            QThread::msleep(holdMs);
        else
            gaveUp.tryAcquire(1, 30'000);
        letGo.storeRelease(1);
    });
    holder.start();

    LogBatch batch;
    batch.claims.append(FlowClaim{ids.first(), u"w1"_s, t0, t0.addSecs(60)});
    QElapsedTimer waited;
    waited.start();
    auto outcome = log->commit(batch);
    const qint64 waitedMs = waited.elapsed();
    const bool returnedAfterTheLockWentAway = letGo.loadAcquire();
    gaveUp.release();
    const QString holderError = holder.finish();
    QVERIFY2(holderError.isEmpty(), qPrintable(holderError));
    qInfo("the commit returned after %lld ms", waitedMs);

    if (succeeds) {
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorString()));
        QVERIFY(outcome->claimed.contains(ids.first()));
        // It waited for the lock rather than failing at once: it returned once the lock was let go.
        QVERIFY(returnedAfterTheLockWentAway);
        ERGON_TRY(stored, log->flow(ids.first()));
        QCOMPARE(stored->status, FlowStatus::Running);
        QCOMPARE(stored->leaseOwner, u"w1"_s);
    } else {
        QVERIFY(!outcome.ok());
        QCOMPARE(outcome.error().kind(), u"busy"_s);
        QVERIFY2(outcome.errorString().contains(u"locked"_s), qPrintable(outcome.errorString()));
        QVERIFY2(outcome.errorString().contains(u"ergon.db"_s), qPrintable(outcome.errorString()));
        // It gave up by its own timeout: the lock is let go only after the commit returned.
        QVERIFY(!returnedAfterTheLockWentAway);
        // Nothing was written, and the connection is not left inside a transaction.
        ERGON_TRY(stored, log->flow(ids.first()));
        QCOMPARE(stored->status, FlowStatus::Pending);
        ERGON_TRY(again, log->commit(batch));
        QVERIFY(again.claimed.contains(ids.first()));
    }
}

/// Reads `before` until told that the lock is let go, `after` from then on.
class LockClock final : public Clock
{
public:
    QDateTime now() const override { return released.loadAcquire() ? t0.addSecs(30) : t0.addSecs(20); }
    QCoro::Task<> sleepFor(std::chrono::milliseconds) override { co_return; }
    QAtomicInt released;
};

void TestSqliteCommit::fireAndClaimDue_readsTheClockOnceTheLockIsHeld()
{
    // The fire time recorded is when the timers fired, not when the timer service began to
    // wait for the write lock.
    const QString path = m_dir->filePath(u"ergon.db"_s);
    ERGON_TRY(log, SqliteExecutionLog::open(path));
    NewFlow flow;
    flow.type = u"demo.Sleeper"_s;
    ERGON_TRY(ids, log->scheduleFlows({flow}, t0));
    const qint64 id = ids.first();
    ERGON_TRY(claimed, claimInCommit(*log, id, u"w1"_s, t0, t0.addSecs(60)));
    QVERIFY(claimed);
    LogBatch park;
    StepRecord timer;
    timer.flowId = id;
    timer.seq = 0;
    timer.name = u"nap"_s;
    timer.kind = StepKind::Timer;
    timer.status = StepStatus::Running;
    timer.worker = u"w1"_s;
    timer.started = t0;
    timer.nextAttemptAt = t0.addSecs(10);
    park.steps.append(timer);
    FlowUpdate waiting;
    waiting.flowId = id;
    waiting.leaseOwner = u"w1"_s;
    waiting.status = FlowStatus::Waiting;
    waiting.updated = t0;
    waiting.runAt = t0.addSecs(10);
    waiting.releaseLease = true;
    park.flows.append(waiting);
    ERGON_TRY(refused, log->write(park));
    QVERIFY(refused.isEmpty());

    // Another program holds the write lock; the clock moves on just before it lets go.
    LockClock clock;
    LockHolder holder(path, [&clock] {
        QThread::msleep(200);
        clock.released.storeRelease(1);
    });
    holder.start();
    auto fired = log->fireAndClaimDue(u"w2"_s, clock, 60s, 10);
    const QString holderError = holder.finish();
    QVERIFY2(holderError.isEmpty(), qPrintable(holderError));
    QVERIFY2(fired.ok(), qPrintable(fired.errorString()));
    QCOMPARE(fired->fired, 1);
    QCOMPARE(fired->claimed, QList<qint64>{id});

    ERGON_TRY(steps, log->steps(id, false));
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps.first().status, StepStatus::Completed);
    QCOMPARE(steps.first().finished, t0.addSecs(30));
    ERGON_TRY(stored, log->flow(id));
    QCOMPARE(stored->leaseExpires, t0.addSecs(90));
}

void TestSqliteCommit::writersOfOneProcess_shareOneBusyTimeout()
{
    // Two connections of this process wait for a lock another program holds: the second waits
    // for its turn behind the first, then for SQLite's lock, and both waits together stay
    // within its busy timeout (a locked database is reported as soon as configured).
    const QString path = m_dir->filePath(u"ergon.db"_s);
    constexpr int busyTimeoutMs = 1000;
    SqliteExecutionLog::Options options;
    options.busyTimeoutMs = busyTimeoutMs;
    ERGON_TRY(first, SqliteExecutionLog::open(path, options));
    ERGON_TRY(second, SqliteExecutionLog::open(path, options));
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    ERGON_TRY(ids, first->scheduleFlows({flow, flow}, t0));

    QSemaphore done; // released by each claim as it ends
    LockHolder holder(path, [&done] { done.tryAcquire(2, 10'000); });
    holder.start();

    const auto claimIn = [&](SqliteExecutionLog &log, qint64 id, qint64 &waitedMs, bool &failedBusy) {
        return std::unique_ptr<QThread>(QThread::create([&log, id, &waitedMs, &failedBusy, &done] {
            LogBatch batch;
            batch.claims.append(FlowClaim{id, u"w1"_s, t0, t0.addSecs(60)});
            QElapsedTimer waited;
            waited.start();
            auto outcome = log.commit(batch);
            waitedMs = waited.elapsed();
            failedBusy = !outcome && outcome.error().kind() == u"busy"_s;
            done.release();
        }));
    };
    qint64 firstWaited = -1;
    qint64 secondWaited = -1;
    bool firstBusy = false;
    bool secondBusy = false;
    auto one = claimIn(*first, ids[0], firstWaited, firstBusy);
    auto two = claimIn(*second, ids[1], secondWaited, secondBusy);
    one->start();
    two->start();
    QVERIFY(one->wait(10'000));
    QVERIFY(two->wait(10'000));
    const QString holderError = holder.finish();
    QVERIFY2(holderError.isEmpty(), qPrintable(holderError));
    QVERIFY(firstBusy);
    QVERIFY(secondBusy);
    // Not an absolute bound (the machine may be slow), but the two waits against each other,
    // measured side by side: the one queued behind the other gives up with it, within half a
    // timeout; counting its own timeout afresh once its turn came, it waited a whole one more.
    qInfo("the two writers gave up after %lld ms and %lld ms (busy timeout %d ms)", firstWaited, secondWaited,
          busyTimeoutMs);
    const qint64 later = std::max(firstWaited, secondWaited);
    const qint64 sooner = std::min(firstWaited, secondWaited);
    QVERIFY2(later - sooner < busyTimeoutMs / 2,
             qPrintable(u"waited %1 ms and %2 ms"_s.arg(firstWaited).arg(secondWaited)));
}

// A statement that fails in the middle of a batch rolls back what the batch wrote before it,
// and the next commit starts afresh.
void TestSqliteCommit::commitRollsBackWholeBatch()
{
    ERGON_TRY(log, SqliteExecutionLog::open(m_dir->filePath(u"ergon.db"_s)));
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    ERGON_TRY(ids, log->scheduleFlows({flow, flow}, t0));

    LogBatch batch;
    batch.claims.append(FlowClaim{ids[0], u"w1"_s, t0, t0.addSecs(60)});
    StepRecord fine;
    fine.flowId = ids[0];
    fine.name = u"charge"_s;
    fine.worker = u"w1"_s;
    fine.status = StepStatus::Completed;
    fine.resultJson = "1";
    StepRecord broken = fine; // steps.name is NOT NULL, and a null QString binds NULL
    broken.flowId = ids[1];
    broken.name = QString();
    broken.worker.clear();
    batch.steps = {fine, broken};
    auto failed = log->commit(batch);
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().kind(), u"storage"_s);
    QVERIFY2(failed.errorString().contains(u"NOT NULL"_s), qPrintable(failed.errorString()));

    ERGON_TRY(first, log->flow(ids[0]));
    QCOMPARE(first->status, FlowStatus::Pending);
    QVERIFY(first->leaseOwner.isEmpty());
    ERGON_TRY(steps, log->steps(ids[0], false));
    QVERIFY(steps.isEmpty());

    batch.steps = {fine};
    ERGON_TRY(written, log->commit(batch));
    QVERIFY(written.refused.isEmpty());
    QVERIFY(written.claimed.contains(ids[0]));
    QVERIFY(!written.claimed.value(ids[0]).hasSteps);
    ERGON_TRY(stored, log->steps(ids[0], false));
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored.first().resultJson, QByteArray("1"));
}

QTEST_GUILESS_MAIN(TestSqliteCommit)
#include "tst_sqlitecommit.moc"
