// The engine's API refuses what it could not honour or store as given (issue 11, defects 3 and
// 4): delays, priorities and worker settings out of their ranges (limits.h) — a delay past int64
// milliseconds once stored a run_at in the past —, retry policies whose numbers are not finite,
// and text that is not valid Unicode or holds a NUL. Nothing is stored when a request is refused.

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/inmemoryexecutionlog.h>
#include <ergon/limits.h>
#include <ergon/retrypolicy.h>
#include <ergon/storabletext.h>

#include "testflows.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <limits>

using namespace ergon;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(ergon::RetryPolicy)

class TestInputLimits : public QObject
{
    Q_OBJECT

    FlowRegistry m_registry;
    test::Probe m_probe;

    qsizetype storedFlows(ExecutionLog &log)
    {
        auto flows = log.flows(FlowQuery{});
        return flows ? flows->size() : -1;
    }

    ScheduleRequest pipeline() const
    {
        ScheduleRequest request;
        request.type = QString::fromLatin1(test::pipelineType);
        request.arguments = {{QStringLiteral("x"), 1}};
        return request;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(test::registerPipeline(m_registry, m_probe)); }

    void scheduleRefusesOutOfRange_data()
    {
        QTest::addColumn<qint64>("delayMs");
        QTest::addColumn<int>("priority");
        QTest::newRow("delay past int64 once multiplied") << std::numeric_limits<qint64>::max() << 0;
        QTest::newRow("delay past ten years") << limits::delay.max + 1 << 0;
        QTest::newRow("negative delay") << qint64(-1) << 0;
        QTest::newRow("priority too high") << qint64(0) << int(limits::priority.max + 1);
        QTest::newRow("priority too low") << qint64(0) << std::numeric_limits<int>::min();
    }

    void scheduleRefusesOutOfRange()
    {
        QFETCH(qint64, delayMs);
        QFETCH(int, priority);
        InMemoryExecutionLog log;
        FakeClock clock;
        FlowScheduler scheduler(log, m_registry, clock);
        ScheduleRequest request = pipeline();
        request.delay = std::chrono::milliseconds(delayMs);
        request.priority = priority;
        auto ids = scheduler.scheduleMany({pipeline(), request});
        QVERIFY(!ids);
        QCOMPARE(ids.error().kind(), QStringLiteral("out-of-range"));
        QVERIFY2(ids.errorString().contains(QStringLiteral("between")), qPrintable(ids.errorString()));
        QCOMPARE(storedFlows(log), 0); // all or nothing
    }

    void scheduleAcceptsTheEdgesOfTheRanges()
    {
        InMemoryExecutionLog log;
        FakeClock clock;
        FlowScheduler scheduler(log, m_registry, clock);
        ScheduleRequest latest = pipeline();
        latest.delay = std::chrono::milliseconds(limits::delay.max);
        latest.priority = int(limits::priority.min);
        auto id = scheduler.schedule(latest);
        QVERIFY2(id, qPrintable(id.errorString()));
        auto flow = log.flow(*id);
        QVERIFY(flow && flow->has_value());
        QCOMPARE((*flow)->runAt, clock.now().addMSecs(limits::delay.max)); // in the future, not wrapped
    }

    void scheduleRefusesTextItCannotStore_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonObject>("extra");
        QTest::addColumn<QString>("named");
        const QString nul = QStringLiteral("a") + QChar(u'\0') + QStringLiteral("b");
        const QString loneSurrogate = QStringLiteral("k") + QChar(char16_t(0xd800));
        QTest::newRow("NUL in the key") << nul << QJsonObject() << QStringLiteral("idempotency key");
        QTest::newRow("lone surrogate in the key")
            << loneSurrogate << QJsonObject() << QStringLiteral("idempotency key");
        QTest::newRow("NUL in a string argument")
            << QString() << QJsonObject{{QStringLiteral("witness"), nul}} << QStringLiteral("'witness'");
        QTest::newRow("NUL deep in an argument")
            << QString() << QJsonObject{{QStringLiteral("more"), QJsonArray{QJsonObject{{QStringLiteral("p"), nul}}}}}
            << QStringLiteral("'more[0].p'");
        QTest::newRow("NUL in a member name") << QString() << QJsonObject{{nul, 1}} << QStringLiteral("member name");
    }

    void scheduleRefusesTextItCannotStore()
    {
        QFETCH(QString, key);
        QFETCH(QJsonObject, extra);
        QFETCH(QString, named);
        InMemoryExecutionLog log;
        FakeClock clock;
        FlowScheduler scheduler(log, m_registry, clock);
        ScheduleRequest request = pipeline();
        request.idempotencyKey = key;
        for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
            request.arguments.insert(it.key(), it.value());
        auto id = scheduler.schedule(request);
        QVERIFY(!id);
        QCOMPARE(id.error().kind(), QStringLiteral("invalid-text"));
        QVERIFY2(id.errorString().contains(named), qPrintable(id.errorString()));
        QCOMPARE(storedFlows(log), 0);
    }

    void strictUtf8KeepsDistinctBytesDistinct()
    {
        // Qt's lenient decoding turns both into "k" + U+FFFD: one key for two.
        QCOMPARE(QString::fromUtf8("k\xff"), QString::fromUtf8("k\xfe"));
        QVERIFY(!decodeUtf8Strictly(QByteArray("k\xff"), QStringLiteral("the key")));
        QVERIFY(!decodeUtf8Strictly(QByteArray("k\xfe"), QStringLiteral("the key")));
        auto valid = decodeUtf8Strictly(QByteArray("k\xc3\xa9"), QStringLiteral("the key"));
        QVERIFY(valid);
        QCOMPARE(*valid, QStringLiteral("k\u00e9"));
    }

    void workerRefusesSettingsOutOfRange_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("named");
        QTest::newRow("lease of a million years") << 0 << QStringLiteral("lease");
        QTest::newRow("lease under 100 ms") << 1 << QStringLiteral("lease");
        QTest::newRow("no concurrency") << 2 << QStringLiteral("concurrency");
        QTest::newRow("negative prefetch") << 3 << QStringLiteral("prefetch");
        QTest::newRow("poll every 0 ms") << 4 << QStringLiteral("poll interval");
        QTest::newRow("timers refreshed every 10 days") << 5 << QStringLiteral("timer refresh");
    }

    void workerRefusesSettingsOutOfRange()
    {
        QFETCH(int, which);
        QFETCH(QString, named);
        bool opened = false;
        FlowWorker worker(
            [&opened]() -> Result<std::unique_ptr<ExecutionLog>> {
                opened = true;
                return std::unique_ptr<ExecutionLog>(new InMemoryExecutionLog);
            },
            m_registry);
        worker.withName(QStringLiteral("w"));
        switch (which) {
        case 0:
            worker.withLeaseDuration(std::chrono::hours(24 * 365 * 1'000'000LL));
            break;
        case 1:
            worker.withLeaseDuration(99ms);
            break;
        case 2:
            worker.withConcurrency(0);
            break;
        case 3:
            worker.withPrefetch(-1);
            break;
        case 4:
            worker.withPollInterval(0ms);
            break;
        case 5:
            worker.withTimers(std::chrono::hours(240));
            break;
        }
        const Result<void> checked = worker.check();
        QVERIFY(!checked);
        QVERIFY2(checked.errorString().startsWith(named), qPrintable(checked.errorString()));

        auto handle = worker.start();
        QSignalSpy failed(handle.get(), &WorkerHandle::failed);
        QSignalSpy stopped(handle.get(), &WorkerHandle::stopped);
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 10000);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().first().toString(), checked.errorString());
        QVERIFY(!opened); // the log was never opened: nothing was claimed
    }

    void workerAcceptsSettingsInRange()
    {
        FlowWorker worker([]() -> Result<std::unique_ptr<ExecutionLog>> { return Error(QStringLiteral("unused")); },
                          m_registry);
        worker.withLeaseDuration(std::chrono::milliseconds(limits::lease.max))
            .withConcurrency(int(limits::concurrency.max))
            .withPrefetch(0)
            .withPollInterval(1ms)
            .withTimers(10ms);
        QVERIFY(worker.check());
    }

    void retryPolicyRanges_data()
    {
        QTest::addColumn<RetryPolicy>("policy");
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const double inf = std::numeric_limits<double>::infinity();
        QTest::newRow("NaN multiplier") << RetryPolicy{3, 1000ms, nan, 60000ms, {}};
        QTest::newRow("infinite multiplier") << RetryPolicy{3, 1000ms, inf, 60000ms, {}};
        QTest::newRow("shrinking multiplier") << RetryPolicy{3, 1000ms, 0.5, 60000ms, {}};
        QTest::newRow("no attempt") << RetryPolicy{0, 1000ms, 2.0, 60000ms, {}};
        QTest::newRow("negative delay") << RetryPolicy{3, -5ms, 2.0, 60000ms, {}};
        QTest::newRow("a maximum past int64 seconds")
            << RetryPolicy{3, 1000ms, 2.0, std::chrono::milliseconds::max(), {}};
    }

    void retryPolicyRanges()
    {
        QFETCH(RetryPolicy, policy);
        const Result<void> checked = policy.check();
        QVERIFY(!checked);
        QCOMPARE(checked.error().kind(), QStringLiteral("out-of-range"));
        // Whatever the fields, the delays stay within the range: no llround of NaN or of
        // a number past int64.
        for (int attempt = 1; attempt <= 100; ++attempt) {
            const qint64 delay = policy.delayBefore(attempt).count();
            QVERIFY2(limits::retryDelay.contains(delay), qPrintable(QString::number(delay)));
        }
    }

    void standardPoliciesAreInRange()
    {
        QVERIFY(RetryPolicy::none().check());
        QVERIFY(RetryPolicy::standard().check());
        QVERIFY(RetryPolicy::aggressive().check());
        QCOMPARE(RetryPolicy::standard().delayBefore(2), 1000ms);
        QCOMPARE(RetryPolicy::standard().delayBefore(1000), std::chrono::milliseconds(std::chrono::minutes(5)));
    }
};

QTEST_GUILESS_MAIN(TestInputLimits)
#include "tst_inputlimits.moc"
