// SqliteExecutionLog's native write path (commit()): it waits for another writer's lock within
// its busy timeout, shared by the writers of one process, reads the clock once it holds the lock,
// and rolls a failed batch back whole.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/sqliteexecutionlog.h>

#include <QScopeGuard>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <array>
#include <atomic>
#include <functional>
#include <limits>
#include <optional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {
const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

/// A steady clock for the logs' busy waits (Options::busyClock) that moves only when the test
/// moves it. Each writer of a test reads its own instance (Writer) and the reads are counted,
/// so the test can tell that a writer waits and has seen the time as set, instead of sleeping.
std::atomic<qint64> fakeBusyMs{0};
std::array<std::atomic<int>, 2> fakeBusyReads{};

template<int Writer>
std::chrono::steady_clock::time_point fakeBusyNow()
{
    ++fakeBusyReads[Writer];
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(fakeBusyMs.load()));
}

/// Waits until `writer` has read the busy clock `count` more times (30 s at most).
bool clockReadsGrow(int writer, int count)
{
    const int from = fakeBusyReads[writer];
    return QTest::qWaitFor([&] { return fakeBusyReads[writer] >= from + count; }, 30'000);
}

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
    fakeBusyMs = 0;
}

void TestSqliteCommit::commitWaitsForAnotherWriter_data()
{
    QTest::addColumn<bool>("succeeds");

    QTest::newRow("lock released within the timeout") << true;
    QTest::newRow("lock outlasts the timeout") << false;
}

// commit() runs BEGIN IMMEDIATE on the native handle of the QSQLITE connection: the busy
// timeout given to QSQLITE applies to it, so it waits for another writer's lock, on the busy
// clock (a fake one here: the test moves it, and no assertion depends on real time).
void TestSqliteCommit::commitWaitsForAnotherWriter()
{
    QFETCH(bool, succeeds);

    const QString path = m_dir->filePath(u"ergon.db"_s);
    constexpr int busyTimeoutMs = 1000;
    SqliteExecutionLog::Options options;
    options.busyTimeoutMs = busyTimeoutMs;
    options.busyClock = &fakeBusyNow<0>;
    ERGON_TRY(log, SqliteExecutionLog::open(path, options));
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    ERGON_TRY(ids, log->scheduleFlows({flow}, t0));

    // Another program holds the write lock, on its own connection and thread, until the test
    // lets it go.
    QAtomicInt letGo;   // set by the holder just before it commits, i.e. lets the lock go
    QSemaphore letItGo; // released by the test
    LockHolder holder(path, [&] {
        letItGo.tryAcquire(1, 30'000);
        letGo.storeRelease(1);
    });
    holder.start();

    LogBatch batch;
    batch.claims.append(FlowClaim{ids.first(), u"w1"_s, t0, t0.addSecs(60)});
    std::optional<Result<WriteOutcome>> outcome;
    std::unique_ptr<QThread> committer(QThread::create([&] { outcome = log->commit(batch); }));
    const auto unblock = qScopeGuard([&] { // a test that stopped early still lets both threads end
        fakeBusyMs = std::numeric_limits<qint64>::max() / 2;
        letItGo.release();
        committer->wait(10'000);
    });
    committer->start();
    QVERIFY(clockReadsGrow(0, 3)); // it waits for the lock
    fakeBusyMs = busyTimeoutMs - 1;
    QVERIFY(clockReadsGrow(0, 2)); // it has seen the time just within its timeout, and waits on
    QVERIFY(!committer->isFinished());
    if (succeeds)
        letItGo.release(); // the lock goes away within the timeout
    else
        fakeBusyMs = busyTimeoutMs; // the timeout runs out with the lock still held
    QVERIFY(committer->wait(10'000));
    const bool returnedAfterTheLockWentAway = letGo.loadAcquire();
    letItGo.release();
    const QString holderError = holder.finish();
    QVERIFY2(holderError.isEmpty(), qPrintable(holderError));
    QVERIFY(outcome);

    if (succeeds) {
        QVERIFY2(outcome->ok(), qPrintable(outcome->errorString()));
        QVERIFY((*outcome)->claimed.contains(ids.first()));
        // It waited for the lock rather than failing at once: it returned once the lock was let go.
        QVERIFY(returnedAfterTheLockWentAway);
        ERGON_TRY(stored, log->flow(ids.first()));
        QCOMPARE(stored->status, FlowStatus::Running);
        QCOMPARE(stored->leaseOwner, u"w1"_s);
    } else {
        QVERIFY(!outcome->ok());
        QCOMPARE(outcome->error().kind(), u"busy"_s);
        QVERIFY2(outcome->errorString().contains(u"locked"_s), qPrintable(outcome->errorString()));
        QVERIFY2(outcome->errorString().contains(u"ergon.db"_s), qPrintable(outcome->errorString()));
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
    // within its busy timeout (a locked database is reported as soon as configured). On a fake
    // busy clock: the second gives up at the very time the first does, without the clock
    // moving on; counting its timeout afresh once its turn came, it would wait for more time.
    const QString path = m_dir->filePath(u"ergon.db"_s);
    constexpr int busyTimeoutMs = 1000;
    SqliteExecutionLog::Options options;
    options.busyTimeoutMs = busyTimeoutMs;
    options.busyClock = &fakeBusyNow<0>;
    ERGON_TRY(first, SqliteExecutionLog::open(path, options));
    options.busyClock = &fakeBusyNow<1>;
    ERGON_TRY(second, SqliteExecutionLog::open(path, options));
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    ERGON_TRY(ids, first->scheduleFlows({flow, flow}, t0));

    QSemaphore done; // released by each claim as it ends
    LockHolder holder(path, [&done] { done.tryAcquire(2, 30'000); });
    holder.start();

    const auto claimIn = [&](SqliteExecutionLog &log, qint64 id, bool &failedBusy) {
        return std::unique_ptr<QThread>(QThread::create([&log, id, &failedBusy, &done] {
            LogBatch batch;
            batch.claims.append(FlowClaim{id, u"w1"_s, t0, t0.addSecs(60)});
            auto outcome = log.commit(batch);
            failedBusy = !outcome && outcome.error().kind() == u"busy"_s;
            done.release();
        }));
    };
    bool firstBusy = false;
    bool secondBusy = false;
    auto one = claimIn(*first, ids[0], firstBusy);
    auto two = claimIn(*second, ids[1], secondBusy);
    const auto unblock = qScopeGuard([&] { // a test that stopped early still lets the threads end
        fakeBusyMs = std::numeric_limits<qint64>::max() / 2;
        one->wait(10'000);
        two->wait(10'000);
        done.release(2);
    });
    one->start();
    QVERIFY(clockReadsGrow(0, 3)); // the first waits for SQLite's lock, holding this process's turn
    two->start();
    QVERIFY(clockReadsGrow(1, 3)); // the second waits for its turn
    fakeBusyMs = busyTimeoutMs - 1;
    QVERIFY(clockReadsGrow(0, 2)); // both have seen the time just within the timeout, and wait on
    QVERIFY(clockReadsGrow(1, 2));
    QVERIFY(!one->isFinished());
    QVERIFY(!two->isFinished());

    fakeBusyMs = busyTimeoutMs; // and from now on the clock stands still
    QVERIFY(one->wait(10'000));
    QVERIFY2(two->wait(10'000), "the writer queued behind the other did not give up with it");
    const QString holderError = holder.finish();
    QVERIFY2(holderError.isEmpty(), qPrintable(holderError));
    QVERIFY(firstBusy);
    QVERIFY(secondBusy);
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
