// The storage conformance suite, reads: scheduling and reading: scheduleFlows, flow, flows with filters and paging,
// texts, counts. Run once per backend of ergon::test::backends(), over the shared fixture of conformancesuite.h.

#include "conformancesuite.h"

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

class TestExecutionLogReads : public ConformanceSuite
{
    Q_OBJECT

private Q_SLOTS:
    void scheduleFlows_storesPendingFlowsInOrder();
    void scheduleFlows_storesPriorityAndRunAt();
    void scheduleFlows_idempotencyKeyReturnsExistingId();
    void scheduleFlows_idempotencyKeyWithinOneCall();
    void flow_unknownIdIsEmpty();
    void connections_seeEachOthersWrites();
    void flows_newestFirst();
    void flows_filters_data();
    void flows_filters();
    void flows_paging();
    void flows_amongIds_data();
    void flows_amongIds();
    void flows_amongManyIds();
    void flowTexts();
    void countByStatus();
};

void TestExecutionLogReads::scheduleFlows_storesPendingFlowsInOrder()
{
    NewFlow a = newFlow(u"orders.Process"_s, {{u"order"_s, u"A-1"_s}, {u"amount"_s, 12.5}});
    NewFlow b = newFlow(u"mail.Send"_s, {{u"to"_s, u"bob@example.org"_s}});
    b.typeVersion = 3;
    NewFlow c = newFlow(u"orders.Process"_s);

    ERGON_TRY(ids, m_log->scheduleFlows({a, b, c}, at(7)));
    QCOMPARE(ids.size(), 3);
    QVERIFY(ids[0] < ids[1] && ids[1] < ids[2]);

    const QList<NewFlow> scheduled{a, b, c};
    for (int i = 0; i < 3; ++i) {
        const auto flow = stored(ids[i]);
        QVERIFY(flow);
        QCOMPARE(flow->id, ids[i]);
        QCOMPARE(flow->type, scheduled[i].type);
        QCOMPARE(flow->typeVersion, scheduled[i].typeVersion);
        QCOMPARE(flow->arguments, scheduled[i].arguments);
        QCOMPARE(flow->status, FlowStatus::Pending);
        QCOMPARE(flow->priority, 0);
        QCOMPARE(flow->runAt, at(7)); // no runAt: due at once
        QCOMPARE(flow->created, at(7));
        QCOMPARE(flow->updated, at(7));
        QVERIFY(!flow->finished.isValid());
        QVERIFY(flow->leaseOwner.isEmpty());
        QVERIFY(!flow->leaseExpires.isValid());
        QVERIFY(flow->resultJson.isEmpty());
        QVERIFY(flow->error.isEmpty());
        QCOMPARE(flow->stepCount, 0);
    }
    ERGON_TRY(steps, m_log->steps(ids[0], true));
    QVERIFY(steps.isEmpty());
}

void TestExecutionLogReads::scheduleFlows_storesPriorityAndRunAt()
{
    NewFlow flow = newFlow();
    flow.priority = 7;
    flow.runAt = at(3600);
    NewFlow urgent = newFlow();
    urgent.priority = -2;
    ERGON_TRY(ids, m_log->scheduleFlows({flow, urgent}, t0));
    const auto first = stored(ids[0]);
    const auto second = stored(ids[1]);
    QVERIFY(first && second);
    QCOMPARE(first->priority, 7);
    QCOMPARE(first->runAt, at(3600));
    QCOMPARE(second->priority, -2);
    QCOMPARE(second->runAt, t0);
}

void TestExecutionLogReads::scheduleFlows_idempotencyKeyReturnsExistingId()
{
    NewFlow first = newFlow(u"orders.Process"_s, {{u"order"_s, u"A-1"_s}});
    first.idempotencyKey = u"order-A-1"_s;
    ERGON_TRY(ids, m_log->scheduleFlows({first}, t0));
    const QString before = storedText(ids[0]);

    NewFlow again = newFlow(u"orders.Process"_s, {{u"order"_s, u"changed"_s}});
    again.idempotencyKey = u"order-A-1"_s;
    again.priority = 9;
    NewFlow other = newFlow();
    other.idempotencyKey = u"order-B-2"_s;
    ERGON_TRY(second, m_log->scheduleFlows({again, other}, at(10)));
    QCOMPARE(second.size(), 2);
    QCOMPARE(second[0], ids[0]);
    QVERIFY(second[1] != ids[0]);
    QCOMPARE(storedText(ids[0]), before); // the first flow is left as it was
    QCOMPARE(stored(second[1])->idempotencyKey, u"order-B-2"_s);

    ERGON_TRY(counts, m_log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Pending), 2);
}

void TestExecutionLogReads::scheduleFlows_idempotencyKeyWithinOneCall()
{
    NewFlow a = newFlow();
    a.idempotencyKey = u"same"_s;
    NewFlow b = newFlow(u"other.Type"_s);
    b.idempotencyKey = u"same"_s;
    ERGON_TRY(ids, m_log->scheduleFlows({a, b}, t0));
    QCOMPARE(ids.size(), 2);
    QCOMPARE(ids[1], ids[0]);
    ERGON_TRY(all, m_log->flows(FlowQuery()));
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().type, u"orders.Process"_s);
}

void TestExecutionLogReads::flow_unknownIdIsEmpty()
{
    ERGON_TRY(found, m_log->flow(4242));
    QVERIFY(!found.has_value());
    ERGON_TRY(steps, m_log->steps(4242, true));
    QVERIFY(steps.isEmpty());
}

void TestExecutionLogReads::connections_seeEachOthersWrites()
{
    const qint64 id = flowIn(State::Running);
    QVERIFY(id > 0);
    ERGON_TRY(other, m_fixture->open());
    ERGON_TRY(seen, other->flow(id));
    QVERIFY(seen.has_value());
    QCOMPARE(describe(*seen), storedText(id));
    ERGON_VERIFY_OK(other->cancelFlow(id, at(9)));
    QCOMPARE(stored(id)->status, FlowStatus::Cancelled);
}

void TestExecutionLogReads::flows_newestFirst()
{
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i) {
        ERGON_TRY(scheduled, m_log->scheduleFlows({newFlow()}, at(i)));
        ids.append(scheduled.first());
    }
    ERGON_TRY(listed, m_log->flows(FlowQuery()));
    QList<qint64> listedIds;
    for (const FlowRecord &flow : listed)
        listedIds.append(flow.id);
    std::reverse(ids.begin(), ids.end());
    QCOMPARE(listedIds, ids);
}

void TestExecutionLogReads::flows_filters_data()
{
    QTest::addColumn<std::optional<FlowStatus>>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected"); // the names of the matching flows, newest first

    const std::optional<FlowStatus> any;
    QTest::newRow("no filter") << any << QString() << QString()
                               << QStringList{u"ff"_s, u"fe"_s, u"fd"_s, u"fc"_s, u"fb"_s, u"fa"_s};
    QTest::newRow("status pending") << std::optional(FlowStatus::Pending) << QString() << QString()
                                    << QStringList{u"ff"_s, u"fc"_s, u"fb"_s};
    QTest::newRow("status cancelled") << std::optional(FlowStatus::Cancelled) << QString() << QString()
                                      << QStringList{u"fd"_s};
    QTest::newRow("status failed, none") << std::optional(FlowStatus::Failed) << QString() << QString()
                                         << QStringList();
    QTest::newRow("type") << any << u"mail.Send"_s << QString() << QStringList{u"fe"_s, u"fb"_s};
    QTest::newRow("type and status") << std::optional(FlowStatus::Pending) << u"mail.Send"_s << QString()
                                     << QStringList{u"fb"_s};
    QTest::newRow("text in arguments") << any << QString() << u"alice"_s << QStringList{u"fc"_s, u"fa"_s};
    QTest::newRow("text is case-insensitive") << any << QString() << u"ALICE"_s << QStringList{u"fc"_s, u"fa"_s};
    QTest::newRow("text with %") << any << QString() << u"50%"_s << QStringList{u"ff"_s};
    QTest::newRow("text with _") << any << QString() << u"a_b"_s << QStringList{u"fe"_s};
    QTest::newRow("text and type") << any << u"orders.Process"_s << u"alice"_s << QStringList{u"fc"_s, u"fa"_s};
    QTest::newRow("text matches nothing") << any << QString() << u"zebra"_s << QStringList();
}

void TestExecutionLogReads::flows_filters()
{
    QFETCH(std::optional<FlowStatus>, status);
    QFETCH(QString, type);
    QFETCH(QString, text);
    QFETCH(QStringList, expected);

    const QString orders = u"orders.Process"_s;
    const QString mail = u"mail.Send"_s;
    const QList<NewFlow> flows{
        newFlow(orders, {{u"name"_s, u"fa"_s}, {u"customer"_s, u"alice"_s}}),
        newFlow(mail, {{u"name"_s, u"fb"_s}, {u"to"_s, u"bob"_s}}),
        newFlow(orders, {{u"name"_s, u"fc"_s}, {u"customer"_s, u"Alice Smith"_s}}),
        newFlow(orders, {{u"name"_s, u"fd"_s}, {u"customer"_s, u"carol"_s}}),
        newFlow(mail, {{u"name"_s, u"fe"_s}, {u"note"_s, u"a_b"_s}}),
        newFlow(orders, {{u"name"_s, u"ff"_s}, {u"note"_s, u"50% off, axb"_s}}),
    };
    ERGON_TRY(ids, m_log->scheduleFlows(flows, t0));
    ERGON_TRY(claimed1, claimInCommit(*m_log, ids[0], u"w1"_s, t0, at(60)));
    QVERIFY(claimed1);
    ERGON_TRY(claimed5, claimInCommit(*m_log, ids[4], u"w1"_s, t0, at(60)));
    QVERIFY(claimed5);
    ERGON_VERIFY_OK(m_log->cancelFlow(ids[3], t0));

    FlowQuery query;
    query.status = status;
    query.type = type;
    query.text = text;
    ERGON_TRY(listed, m_log->flows(query));
    QStringList names;
    for (const FlowRecord &flow : listed)
        names.append(flow.arguments.value(u"name"_s).toString());
    QCOMPARE(names, expected);

    // The id is matched as a whole.
    FlowQuery byId;
    byId.text = QString::number(ids[2]);
    ERGON_TRY(found, m_log->flows(byId));
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().id, ids[2]);
}

void TestExecutionLogReads::flows_paging()
{
    QList<qint64> ids;
    for (int i = 0; i < 7; ++i) {
        ERGON_TRY(scheduled, m_log->scheduleFlows({newFlow(i % 2 ? u"odd"_s : u"even"_s)}, t0));
        ids.prepend(scheduled.first());
    }
    QList<qint64> paged;
    for (int offset = 0; offset < 9; offset += 3) {
        FlowQuery query;
        query.limit = 3;
        query.offset = offset;
        ERGON_TRY(page, m_log->flows(query));
        QCOMPARE(page.size(), offset < 6 ? 3 : 1);
        for (const FlowRecord &flow : page)
            paged.append(flow.id);
    }
    QCOMPARE(paged, ids);

    FlowQuery filtered;
    filtered.type = u"even"_s;
    filtered.limit = 2;
    filtered.offset = 1;
    ERGON_TRY(page, m_log->flows(filtered));
    // even flows, newest first: ids[0], ids[2], ids[4], ids[6]; skip one, take two.
    QCOMPARE(page.size(), 2);
    QCOMPARE(page[0].id, ids[2]);
    QCOMPARE(page[1].id, ids[4]);

    FlowQuery beyond;
    beyond.offset = 100;
    ERGON_TRY(empty, m_log->flows(beyond));
    QVERIFY(empty.isEmpty());
}

void TestExecutionLogReads::flows_amongIds_data()
{
    QTest::addColumn<QList<int>>("among"); // positions in the scheduled list; -1: an unknown id
    QTest::addColumn<std::optional<FlowStatus>>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QStringList>("expected"); // names, newest first

    const std::optional<FlowStatus> any;
    QTest::newRow("some, newest first") << QList<int>{0, 2, 5} << any << QString() << QString() << 0 << 100
                                        << QStringList{u"ff"_s, u"fc"_s, u"fa"_s};
    QTest::newRow("any order, repeats, unknown ids") << QList<int>{2, -1, 5, 0, 2} << any << QString() << QString() << 0
                                                     << 100 << QStringList{u"ff"_s, u"fc"_s, u"fa"_s};
    QTest::newRow("empty list: nothing") << QList<int>{} << any << QString() << QString() << 0 << 100 << QStringList();
    QTest::newRow("with status") << QList<int>{0, 1, 2, 3} << std::optional(FlowStatus::Pending) << QString()
                                 << QString() << 0 << 100 << QStringList{u"fc"_s, u"fb"_s};
    QTest::newRow("with type") << QList<int>{1, 2, 3, 4} << any << u"mail.Send"_s << QString() << 0 << 100
                               << QStringList{u"fe"_s, u"fb"_s};
    QTest::newRow("with text") << QList<int>{0, 1, 2, 3, 4, 5} << any << QString() << u"ALICE"_s << 0 << 100
                               << QStringList{u"fc"_s, u"fa"_s};
    QTest::newRow("offset and limit") << QList<int>{0, 1, 2, 3, 4, 5} << any << QString() << QString() << 1 << 3
                                      << QStringList{u"fe"_s, u"fd"_s, u"fc"_s};
    QTest::newRow("offset beyond") << QList<int>{0, 1} << any << QString() << QString() << 2 << 3 << QStringList();
}

void TestExecutionLogReads::flows_amongIds()
{
    QFETCH(QList<int>, among);
    QFETCH(std::optional<FlowStatus>, status);
    QFETCH(QString, type);
    QFETCH(QString, text);
    QFETCH(int, offset);
    QFETCH(int, limit);
    QFETCH(QStringList, expected);

    const QString orders = u"orders.Process"_s;
    const QString mail = u"mail.Send"_s;
    const QList<NewFlow> flows{
        newFlow(orders, {{u"name"_s, u"fa"_s}, {u"customer"_s, u"alice"_s}}),
        newFlow(mail, {{u"name"_s, u"fb"_s}}),
        newFlow(orders, {{u"name"_s, u"fc"_s}, {u"customer"_s, u"Alice Smith"_s}}),
        newFlow(orders, {{u"name"_s, u"fd"_s}}),
        newFlow(mail, {{u"name"_s, u"fe"_s}}),
        newFlow(orders, {{u"name"_s, u"ff"_s}}),
    };
    ERGON_TRY(ids, m_log->scheduleFlows(flows, t0));
    ERGON_TRY(claimed, claimInCommit(*m_log, ids[0], u"w1"_s, t0, at(60)));
    QVERIFY(claimed);
    ERGON_VERIFY_OK(m_log->cancelFlow(ids[3], t0));

    FlowQuery query;
    query.ids = QList<qint64>();
    for (const int position : among)
        query.ids->append(position < 0 ? ids.last() + 1000 : ids[position]);
    query.status = status;
    query.type = type;
    query.text = text;
    query.offset = offset;
    query.limit = limit;
    ERGON_TRY(listed, m_log->flows(query));
    QStringList names;
    for (const FlowRecord &flow : listed)
        names.append(flow.arguments.value(u"name"_s).toString());
    QCOMPARE(names, expected);
}

void TestExecutionLogReads::flows_amongManyIds()
{
    // More ids than one statement binds: offset and limit hold across the chunks.
    QList<NewFlow> flows;
    for (int i = 0; i < 700; ++i)
        flows.append(newFlow(i % 3 == 0 ? u"mail.Send"_s : u"orders.Process"_s, {{u"n"_s, i}}));
    ERGON_TRY(ids, m_log->scheduleFlows(flows, t0));
    QList<qint64> mail; // newest first
    for (int i = 699; i >= 0; --i) {
        if (i % 3 == 0)
            mail.append(ids[i]);
    }
    FlowQuery query;
    query.ids = ids; // oldest first: the log orders them
    query.type = u"mail.Send"_s;
    query.offset = 30;
    query.limit = 150;
    ERGON_TRY(page, m_log->flows(query));
    QList<qint64> listed;
    for (const FlowRecord &flow : page)
        listed.append(flow.id);
    QCOMPARE(listed, mail.mid(30, 150));

    query.type.clear();
    query.offset = 250;
    query.limit = 400;
    ERGON_TRY(all, m_log->flows(query));
    QCOMPARE(all.size(), 400);
    QCOMPARE(all.first().id, ids[699 - 250]);
    QCOMPARE(all.last().id, ids[699 - 250 - 399]);
}

void TestExecutionLogReads::flowTexts()
{
    ERGON_TRY(none, m_log->flowTexts(0, 10));
    QVERIFY(none.isEmpty());
    const QList<QJsonObject> arguments{
        {{u"order_id"_s, u"ORD-1"_s}, {u"amount"_s, 12.5}},
        {},
        {{u"note"_s, u"Ünïcode, 50% off"_s}},
    };
    QList<NewFlow> flows;
    for (const QJsonObject &args : arguments)
        flows.append(newFlow(u"orders.Process"_s, args));
    ERGON_TRY(ids, m_log->scheduleFlows(flows, t0));

    ERGON_TRY(all, m_log->flowTexts(0, 10));
    QCOMPARE(all.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(all[i].id, ids[i]);
        QCOMPARE(all[i].arguments, toJsonText(arguments[i]));
    }
    ERGON_TRY(after, m_log->flowTexts(ids[0], 1));
    QCOMPARE(after.size(), 1);
    QCOMPARE(after.first().id, ids[1]);
    ERGON_TRY(past, m_log->flowTexts(ids[2], 10));
    QVERIFY(past.isEmpty());
}

void TestExecutionLogReads::countByStatus()
{
    ERGON_TRY(none, m_log->countByStatus());
    QCOMPARE(none.value(FlowStatus::Pending), 0);

    const QList<State> states{State::Pending,   State::Pending,   State::Running, State::Waiting,  State::Completed,
                              State::Completed, State::Completed, State::Failed,  State::Cancelled};
    for (State state : states)
        QVERIFY(flowIn(state) > 0);
    ERGON_TRY(counts, m_log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Pending), 2);
    QCOMPARE(counts.value(FlowStatus::Running), 1);
    QCOMPARE(counts.value(FlowStatus::Waiting), 1);
    QCOMPARE(counts.value(FlowStatus::Completed), 3);
    QCOMPARE(counts.value(FlowStatus::Failed), 1);
    QCOMPARE(counts.value(FlowStatus::Cancelled), 1);
    qint64 total = 0;
    for (qint64 count : counts)
        total += count;
    QCOMPARE(total, qint64(states.size()));
}

QTEST_GUILESS_MAIN(TestExecutionLogReads)
#include "tst_executionlog_reads.moc"
