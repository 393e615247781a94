// SqliteWriteGate: the turns of one SQLite file's writers within a process. Urgent writers (a
// timer service firing due timers) go ahead of every writer still waiting; a turn that does not
// come in time is not taken.

#include "storage/sqlite/sqlitewritegate.h"

#include <QMutex>
#include <QStringList>
#include <QTest>
#include <QThread>

#include <memory>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using ergon::SqliteWriteGate;

class TestSqliteWriteGate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneGatePerFile();
    void urgentWriterGoesAheadOfWaitingOnes();
    void turnNotGivenInTime_isNotTaken();
};

void TestSqliteWriteGate::oneGatePerFile()
{
    const auto first = SqliteWriteGate::forFile(u"/data/a.db"_s);
    QCOMPARE(SqliteWriteGate::forFile(u"/data/a.db"_s), first);
    QVERIFY(SqliteWriteGate::forFile(u"/data/b.db"_s) != first);
}

void TestSqliteWriteGate::urgentWriterGoesAheadOfWaitingOnes()
{
    SqliteWriteGate gate;
    QVERIFY(gate.enter(SqliteWriteGate::Urgency::Normal, 1s)); // a worker's group commit

    QMutex mutex;
    QStringList order;
    const auto writer = [&](const QString &name, SqliteWriteGate::Urgency urgency) {
        return std::unique_ptr<QThread>(QThread::create([&gate, &mutex, &order, name, urgency] {
            if (!gate.enter(urgency, 10s))
                return;
            {
                const QMutexLocker lock(&mutex);
                order.append(name);
            }
            gate.leave();
        }));
    };
    // Each writer is known to wait (the gate counts it) before the next one starts.
    auto worker = writer(u"worker"_s, SqliteWriteGate::Urgency::Normal);
    worker->start();
    QTRY_COMPARE_WITH_TIMEOUT(gate.waiting(), 1, 30'000); // the worker waits first
    auto timers = writer(u"timers"_s, SqliteWriteGate::Urgency::Urgent);
    timers->start();
    QTRY_COMPARE_WITH_TIMEOUT(gate.waiting(), 2, 30'000);
    {
        const QMutexLocker lock(&mutex);
        QVERIFY(order.isEmpty());
    }

    gate.leave();
    QVERIFY(worker->wait(10'000));
    QVERIFY(timers->wait(10'000));
    QCOMPARE(order, (QStringList{u"timers"_s, u"worker"_s}));
}

void TestSqliteWriteGate::turnNotGivenInTime_isNotTaken()
{
    SqliteWriteGate gate;
    QVERIFY(gate.enter(SqliteWriteGate::Urgency::Normal, 1s));
    QVERIFY(!gate.enter(SqliteWriteGate::Urgency::Urgent, 20ms));
    // The urgent writer that gave up holds nobody back.
    gate.leave();
    QVERIFY(gate.enter(SqliteWriteGate::Urgency::Normal, 0ms));
    gate.leave();
}

QTEST_GUILESS_MAIN(TestSqliteWriteGate)
#include "tst_sqlitewritegate.moc"
