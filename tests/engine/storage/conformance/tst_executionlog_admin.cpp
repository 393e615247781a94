// The storage conformance suite, admin: administration: retryFlow and cancelFlow, and their refusals.
// Run once per backend of ergon::test::backends(), over the shared fixture of conformancesuite.h.

#include "conformancesuite.h"

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

class TestExecutionLogAdmin : public ConformanceSuite
{
    Q_OBJECT

private Q_SLOTS:
    void retryFlow_requeuesFailedStep_data();
    void retryFlow_requeuesFailedStep();
    void retryFlow_errors_data();
    void retryFlow_errors();
    void cancelFlow_data();
    void cancelFlow();
    void cancelFlow_errors_data();
    void cancelFlow_errors();
};

void TestExecutionLogAdmin::retryFlow_requeuesFailedStep_data()
{
    QTest::addColumn<QString>("stepName");
    QTest::newRow("its failed step") << QString();
    QTest::newRow("the named step") << u"b"_s;
}

void TestExecutionLogAdmin::retryFlow_requeuesFailedStep()
{
    QFETCH(QString, stepName);
    const qint64 id = flowIn(State::Failed);
    QVERIFY(id > 0);
    ERGON_TRY(before, m_log->steps(id, true));
    QCOMPARE(before.size(), 2);

    ERGON_VERIFY_OK(m_log->retryFlow(id, stepName, at(3600)));

    const auto flow = stored(id);
    QVERIFY(flow);
    QCOMPARE(flow->status, FlowStatus::Pending);
    QCOMPARE(flow->error, QString());
    QCOMPARE(flow->runAt, at(3600));
    QCOMPARE(flow->updated, at(3600));
    QVERIFY(!flow->finished.isValid());
    QVERIFY(flow->leaseOwner.isEmpty());
    QVERIFY(!flow->leaseExpires.isValid());

    ERGON_TRY(after, m_log->steps(id, true));
    QCOMPARE(after.size(), 2);
    QCOMPARE(describe(after[0]), describe(before[0])); // the completed step stays, to be replayed
    const StepRecord &retried = after[1];
    QCOMPARE(retried.status, StepStatus::Retrying);
    QCOMPARE(retried.attempts, 3);
    QCOMPARE(retried.retryBase, 3); // a fresh budget: the policy counts from here
    QVERIFY(!retried.finished.isValid());
    QVERIFY(!retried.nextAttemptAt.isValid());
    QCOMPARE(retried.attemptLog.size(), 3); // the history is kept

    // Claimable again once due.
    ERGON_TRY(early, claimInCommit(*m_log, id, u"w2"_s, at(3599), at(3700)));
    QVERIFY(!early);
    ERGON_TRY(claimed, claimInCommit(*m_log, id, u"w2"_s, at(3600), at(3700)));
    QVERIFY(claimed);
}

void TestExecutionLogAdmin::retryFlow_errors_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("stepName");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("unknown id") << u"unknown"_s << QString() << u"not-found"_s << u"4242"_s;
    QTest::newRow("pending") << u"pending"_s << QString() << u"not-failed"_s << u"pending"_s;
    QTest::newRow("running") << u"running"_s << QString() << u"not-failed"_s << u"running"_s;
    QTest::newRow("waiting") << u"waiting"_s << QString() << u"not-failed"_s << u"waiting"_s;
    QTest::newRow("completed") << u"completed"_s << QString() << u"not-failed"_s << u"completed"_s;
    QTest::newRow("cancelled") << u"cancelled"_s << QString() << u"not-failed"_s << u"cancelled"_s;
    QTest::newRow("step that did not fail") << u"failed"_s << u"a"_s << u"not-found"_s << u"'a'"_s;
    QTest::newRow("no such step") << u"failed"_s << u"nope"_s << u"not-found"_s << u"'nope'"_s;
}

void TestExecutionLogAdmin::retryFlow_errors()
{
    QFETCH(QString, setup);
    QFETCH(QString, stepName);
    QFETCH(QString, kind);
    QFETCH(QString, mentions);

    static const QHash<QString, State> states{
        {u"pending"_s, State::Pending},     {u"running"_s, State::Running}, {u"waiting"_s, State::Waiting},
        {u"completed"_s, State::Completed}, {u"failed"_s, State::Failed},   {u"cancelled"_s, State::Cancelled},
    };
    qint64 id = 4242;
    if (setup != u"unknown"_s) {
        id = flowIn(states.value(setup));
        QVERIFY(id > 0);
    }
    const QString flowBefore = storedText(id);
    const QString stepsBefore = stepsText(id);

    const auto retried = m_log->retryFlow(id, stepName, at(50));
    QVERIFY(!retried);
    QCOMPARE(retried.error().kind(), kind);
    QVERIFY2(retried.errorString().contains(mentions), qPrintable(retried.errorString()));
    QVERIFY2(retried.errorString().contains(QString::number(id)), qPrintable(retried.errorString()));
    QCOMPARE(storedText(id), flowBefore);
    QCOMPARE(stepsText(id), stepsBefore);
}

void TestExecutionLogAdmin::cancelFlow_data()
{
    QTest::addColumn<int>("state");
    QTest::newRow("pending") << int(State::Pending);
    QTest::newRow("running") << int(State::Running);
    QTest::newRow("waiting") << int(State::Waiting);
}

void TestExecutionLogAdmin::cancelFlow()
{
    QFETCH(int, state);
    const qint64 id = flowIn(State(state));
    QVERIFY(id > 0);
    const QString stepsBefore = stepsText(id);

    ERGON_VERIFY_OK(m_log->cancelFlow(id, at(40)));
    const auto flow = stored(id);
    QVERIFY(flow);
    QCOMPARE(flow->status, FlowStatus::Cancelled);
    QCOMPARE(flow->finished, at(40));
    QCOMPARE(flow->updated, at(40));
    QVERIFY(flow->leaseOwner.isEmpty());
    QVERIFY(!flow->leaseExpires.isValid());
    QCOMPARE(stepsText(id), stepsBefore);

    // Nobody picks it up again, however late.
    ERGON_TRY(claimed, claimInCommit(*m_log, id, u"w9"_s, at(100000), at(100060)));
    QVERIFY(!claimed);
}

void TestExecutionLogAdmin::cancelFlow_errors_data()
{
    QTest::addColumn<int>("state"); // -1: unknown id
    QTest::addColumn<QString>("kind");
    QTest::newRow("unknown id") << -1 << u"not-found"_s;
    QTest::newRow("completed") << int(State::Completed) << u"finished"_s;
    QTest::newRow("failed") << int(State::Failed) << u"finished"_s;
    QTest::newRow("cancelled") << int(State::Cancelled) << u"finished"_s;
}

void TestExecutionLogAdmin::cancelFlow_errors()
{
    QFETCH(int, state);
    QFETCH(QString, kind);
    const qint64 id = state < 0 ? 4242 : flowIn(State(state));
    QVERIFY(id > 0);
    const QString before = storedText(id);
    const auto cancelled = m_log->cancelFlow(id, at(40));
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error().kind(), kind);
    QVERIFY2(cancelled.errorString().contains(QString::number(id)), qPrintable(cancelled.errorString()));
    QCOMPARE(storedText(id), before);
}

QTEST_GUILESS_MAIN(TestExecutionLogAdmin)
#include "tst_executionlog_admin.moc"
