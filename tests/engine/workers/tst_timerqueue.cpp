// TimerQueue, the min-heap of due times behind each worker's one precise timer: on a FakeClock,
// ten thousand timers come due exactly in order, once each, never early; pushing a flow again
// moves its timer.

#include <ergon/clock.h>
#include "workers/timerqueue.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <map>

using namespace std::chrono_literals;
using namespace ergon;

namespace {
struct Due {
    qint64 ms;
    qint64 flowId;
    bool operator<(const Due &other) const { return ms != other.ms ? ms < other.ms : flowId < other.flowId; }
};
} // namespace

class TestTimerQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyQueue();
    void takeDue_returnsDueFlowsInOrder();
    void tenThousandTimersFireInDueOrder_data();
    void tenThousandTimersFireInDueOrder();
    void pushAgainMovesTheTimer();
    void pushAgainAfterFiringArmsItOnce();
};

void TestTimerQueue::emptyQueue()
{
    FakeClock clock;
    TimerQueue queue;
    QVERIFY(queue.isEmpty());
    QCOMPARE(queue.size(), 0);
    QVERIFY(!queue.nextDue().isValid());
    QVERIFY(queue.takeDue(clock.now().addYears(1)).isEmpty());
}

void TestTimerQueue::takeDue_returnsDueFlowsInOrder()
{
    FakeClock clock;
    const QDateTime t0 = clock.now();
    TimerQueue queue;
    queue.push(3, t0.addMSecs(300));
    queue.push(1, t0.addMSecs(100));
    queue.push(2, t0.addMSecs(200));
    queue.push(4, t0.addMSecs(200)); // same time: by flow id
    QCOMPARE(queue.size(), 4);
    QVERIFY(queue.contains(4));
    QCOMPARE(queue.nextDue(), t0.addMSecs(100));

    QVERIFY(queue.takeDue(clock.now()).isEmpty());
    clock.advance(99ms);
    QVERIFY(queue.takeDue(clock.now()).isEmpty()); // never early, not even by a millisecond
    clock.advance(1ms);
    QCOMPARE(queue.takeDue(clock.now()), QList<qint64>{1});
    clock.advance(150ms);
    QCOMPARE(queue.takeDue(clock.now()), (QList<qint64>{2, 4}));
    QCOMPARE(queue.size(), 1);
    QVERIFY(!queue.contains(2));
    QCOMPARE(queue.nextDue(), t0.addMSecs(300));
    clock.advance(1h);
    QCOMPARE(queue.takeDue(clock.now()), QList<qint64>{3});
    QVERIFY(queue.isEmpty());
    QVERIFY(!queue.nextDue().isValid());
}

void TestTimerQueue::tenThousandTimersFireInDueOrder_data()
{
    QTest::addColumn<quint32>("seed");
    QTest::addColumn<int>("repushes"); // flows pushed again with another due time
    QTest::newRow("distinct flows") << 1u << 0;
    QTest::newRow("a third pushed again") << 7u << 3333;
    QTest::newRow("every flow pushed again") << 42u << 10000;
}

void TestTimerQueue::tenThousandTimersFireInDueOrder()
{
    QFETCH(quint32, seed);
    QFETCH(int, repushes);
    constexpr int timers = 10000;
    constexpr qint64 spanMs = 3'600'000; // within the next hour, many sharing a millisecond
    QRandomGenerator random(seed);
    FakeClock clock;
    const QDateTime t0 = clock.now();
    TimerQueue queue;

    std::map<qint64, qint64> expected; // flow -> due ms (the last push wins)
    for (qint64 flow = 1; flow <= timers; ++flow) {
        const qint64 ms = qint64(random.bounded(spanMs / 100)) * 100; // coarse: many ties
        queue.push(flow, t0.addMSecs(ms));
        expected[flow] = ms;
    }
    for (int i = 0; i < repushes; ++i) {
        const qint64 flow = 1 + qint64(random.bounded(timers));
        const qint64 ms = random.bounded(2) ? qint64(random.bounded(spanMs)) : expected[flow]; // sometimes the same
        queue.push(flow, t0.addMSecs(ms));
        expected[flow] = ms;
    }
    QCOMPARE(queue.size(), qsizetype(timers));

    std::vector<Due> order;
    for (const auto &[flow, ms] : expected)
        order.push_back(Due{ms, flow});
    std::sort(order.begin(), order.end());

    // Advance in random strides; each takeDue hands out exactly the flows due by now, in order.
    std::vector<Due> fired;
    qint64 nowMs = -1;
    while (!queue.isEmpty()) {
        nowMs += 1 + qint64(random.bounded(20000));
        clock.set(t0.addMSecs(nowMs));
        const QList<qint64> due = queue.takeDue(clock.now());
        for (const qint64 flow : due) {
            const qint64 ms = expected.at(flow);
            QVERIFY2(ms <= nowMs,
                     qPrintable(QStringLiteral("flow %1 due at +%2 ms fired at +%3 ms").arg(flow).arg(ms).arg(nowMs)));
            fired.push_back(Due{ms, flow});
        }
        const QDateTime next = queue.nextDue();
        if (next.isValid())
            QVERIFY2(t0.msecsTo(next) > nowMs, "a due timer stayed in the queue");
        QCOMPARE(queue.size(), qsizetype(order.size() - fired.size()));
    }
    QCOMPARE(fired.size(), order.size()); // each exactly once
    for (size_t i = 0; i < order.size(); ++i) {
        if (fired[i].flowId != order[i].flowId || fired[i].ms != order[i].ms)
            QFAIL(qPrintable(QStringLiteral("position %1: fired flow %2 (+%3 ms), expected flow %4 (+%5 ms)")
                                 .arg(i)
                                 .arg(fired[i].flowId)
                                 .arg(fired[i].ms)
                                 .arg(order[i].flowId)
                                 .arg(order[i].ms)));
    }
    QVERIFY(queue.takeDue(t0.addYears(1)).isEmpty());
}

void TestTimerQueue::pushAgainMovesTheTimer()
{
    FakeClock clock;
    const QDateTime t0 = clock.now();
    TimerQueue queue;
    queue.push(1, t0.addSecs(10));
    queue.push(2, t0.addSecs(20));
    queue.push(1, t0.addSecs(30)); // later: the old time is gone
    queue.push(2, t0.addSecs(5));  // earlier
    queue.push(2, t0.addSecs(5));  // the same again: still one timer
    QCOMPARE(queue.size(), 2);
    QCOMPARE(queue.nextDue(), t0.addSecs(5));

    clock.set(t0.addSecs(5));
    QCOMPARE(queue.takeDue(clock.now()), QList<qint64>{2});
    clock.set(t0.addSecs(25));
    QVERIFY(queue.takeDue(clock.now()).isEmpty()); // neither 1's old time nor 2's
    QCOMPARE(queue.nextDue(), t0.addSecs(30));
    clock.set(t0.addSecs(30));
    QCOMPARE(queue.takeDue(clock.now()), QList<qint64>{1});
    QVERIFY(queue.isEmpty());
}

void TestTimerQueue::pushAgainAfterFiringArmsItOnce()
{
    FakeClock clock;
    const QDateTime t0 = clock.now();
    TimerQueue queue;
    // Stale entries of flow 1 stay in the heap at +20 s; they must not fire it twice later.
    queue.push(1, t0.addSecs(20));
    queue.push(1, t0.addSecs(10));
    clock.set(t0.addSecs(10));
    QCOMPARE(queue.takeDue(clock.now()), QList<qint64>{1});
    queue.push(1, t0.addSecs(20)); // parked again, on a timer that happens to fall at the same time
    queue.push(3, t0.addSecs(20));
    QCOMPARE(queue.size(), 2);
    clock.set(t0.addSecs(20));
    QCOMPARE(queue.takeDue(clock.now()), (QList<qint64>{1, 3}));
    QVERIFY(queue.isEmpty());

    queue.push(1, t0.addSecs(40));
    queue.push(1, t0.addSecs(50));
    clock.set(t0.addSecs(45));
    QVERIFY(queue.takeDue(clock.now()).isEmpty());
    clock.set(t0.addSecs(50));
    QCOMPARE(queue.takeDue(clock.now()), QList<qint64>{1});
}

QTEST_GUILESS_MAIN(TestTimerQueue)
#include "tst_timerqueue.moc"
