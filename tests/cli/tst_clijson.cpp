// The names and values of `show --json` and `list --json` that scripts read and tst_cli does not
// reach: a flow's updated, finished and lease_owner (while it runs and once it is done); a step's
// seq and kind (a step, a durable timer); an attempt's number and worker.

#include "clirunner.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ergon::test;

namespace {

constexpr int workTimeoutMs = 30000;

QDateTime timeOf(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

} // namespace

class TestCliJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void runningFlow_leaseOwnerAndUnfinished();
    void finishedFlow_stepsAndAttempts();

private:
    std::unique_ptr<CliRunner> m_cli;
};

void TestCliJson::init()
{
    m_cli = std::make_unique<CliRunner>();
    QVERIFY(m_cli->isValid());
}

void TestCliJson::cleanup()
{
    if (QTest::currentTestFailed())
        m_cli->printWorkerErrors();
    m_cli.reset();
}

void TestCliJson::runningFlow_leaseOwnerAndUnfinished()
{
    const QString witness = m_cli->filePath(u"witness.txt"_s);
    const QList<qint64> ids = m_cli->schedule(
        {u"demo.Pipeline"_s, u"--args"_s, u"{\"steps\": 2, \"step_ms\": 60000, \"witness\": \"%1\"}"_s.arg(witness)});
    QCOMPARE(ids.size(), 1);
    const QJsonObject pending = m_cli->showJson(ids[0]);
    QCOMPARE(pending[u"status"_s].toString(), u"pending"_s);
    QVERIFY(pending.contains(u"lease_owner"_s) && pending[u"lease_owner"_s].isNull());
    QVERIFY(pending.contains(u"finished"_s) && pending[u"finished"_s].isNull());
    QCOMPARE(timeOf(pending[u"updated"_s]), timeOf(pending[u"created"_s]));

    m_cli->startWorker({u"--name"_s, u"j"_s, u"--poll-ms"_s, u"50"_s});
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(witness), workTimeoutMs); // its first step runs

    for (const QJsonObject &flow :
         {m_cli->showJson(ids[0]), m_cli->run({u"list"_s, u"--json"_s}).json().array().first().toObject()}) {
        QCOMPARE(flow[u"id"_s].toInteger(), ids[0]);
        QCOMPARE(flow[u"status"_s].toString(), u"running"_s);
        QCOMPARE(flow[u"lease_owner"_s].toString(), u"j-1"_s);
        QVERIFY(flow.contains(u"finished"_s) && flow[u"finished"_s].isNull());
        // Claimed: the row changed after it was created.
        QVERIFY2(timeOf(flow[u"updated"_s]) > timeOf(flow[u"created"_s]),
                 qPrintable(flow[u"updated"_s].toString() + u" vs "_s + flow[u"created"_s].toString()));
    }
    const QJsonArray steps = m_cli->showJson(ids[0])[u"steps"_s].toArray();
    for (const QJsonValue &step : steps) // the step under way is not stored as done
        QVERIFY(step[u"status"_s].toString() != u"completed"_s);
}

void TestCliJson::finishedFlow_stepsAndAttempts()
{
    // orders.TimedOrderProcessor: a step, a durable timer, a step. demo.Flaky: one step whose
    // first attempt fails.
    const QList<qint64> timed = m_cli->schedule(
        {u"orders.TimedOrderProcessor"_s, u"--args"_s, u"{\"order_id\": \"ORD-9\", \"delay_s\": 0.2}"_s});
    const QList<qint64> flaky = m_cli->schedule({u"demo.Flaky"_s, u"--args"_s, u"{\"fail_times\": 1}"_s});
    QCOMPARE(timed.size(), 1);
    QCOMPARE(flaky.size(), 1);
    m_cli->startWorker({u"--name"_s, u"j"_s, u"--poll-ms"_s, u"50"_s});
    QTRY_COMPARE_WITH_TIMEOUT(m_cli->stats()[u"completed"_s].toInt(), 2, workTimeoutMs);

    const QJsonObject flow = m_cli->showJson(timed[0]);
    QCOMPARE(flow[u"status"_s].toString(), u"completed"_s);
    QVERIFY(flow.contains(u"lease_owner"_s) && flow[u"lease_owner"_s].isNull()); // let go once done
    const QDateTime created = timeOf(flow[u"created"_s]);
    const QDateTime finished = timeOf(flow[u"finished"_s]);
    QVERIFY(created.isValid() && finished.isValid());
    QVERIFY(finished >= created);
    QCOMPARE(timeOf(flow[u"updated"_s]), finished); // the last change was the end

    const QJsonArray steps = flow[u"steps"_s].toArray();
    QCOMPARE(steps.size(), 3);
    const QStringList kinds{u"step"_s, u"timer"_s, u"step"_s};
    const QStringList names{u"start_fraud_check"_s, u"fraud-ORD-9"_s, u"complete"_s};
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const QJsonObject step = steps[i].toObject();
        QCOMPARE(step[u"seq"_s].toInt(), int(i));
        QCOMPARE(step[u"name"_s].toString(), names[i]);
        QCOMPARE(step[u"kind"_s].toString(), kinds[i]);
        QCOMPARE(step[u"status"_s].toString(), u"completed"_s);
        if (kinds[i] == u"step"_s) {
            const QJsonArray attempts = step[u"attempts"_s].toArray();
            QCOMPARE(attempts.size(), 1);
            QCOMPARE(attempts[0][u"number"_s].toInt(), 1);
            QCOMPARE(attempts[0][u"worker"_s].toString(), u"j-1"_s);
        }
    }
    // The timer's fire time is not before its due time.
    QVERIFY(timeOf(steps[1][u"finished"_s]) >= timeOf(steps[1][u"next_attempt_at"_s]));

    const QJsonObject retried = m_cli->showJson(flaky[0]);
    QCOMPARE(retried[u"status"_s].toString(), u"completed"_s);
    const QJsonObject step = retried[u"steps"_s][0].toObject();
    QCOMPARE(step[u"seq"_s].toInt(), 0);
    QCOMPARE(step[u"kind"_s].toString(), u"step"_s);
    const QJsonArray attempts = step[u"attempts"_s].toArray();
    QCOMPARE(attempts.size(), 2);
    for (qsizetype i = 0; i < attempts.size(); ++i) {
        QCOMPARE(attempts[i][u"number"_s].toInt(), int(i + 1));
        QCOMPARE(attempts[i][u"worker"_s].toString(), u"j-1"_s);
    }
    QVERIFY(attempts[0][u"error"_s].toString().contains(u"attempt 1 fails"_s));
    QVERIFY(attempts[1][u"error"_s].isNull());
    QVERIFY(timeOf(attempts[1][u"started"_s]) >= timeOf(attempts[0][u"finished"_s]));
}

QTEST_GUILESS_MAIN(TestCliJson)
#include "tst_clijson.moc"
