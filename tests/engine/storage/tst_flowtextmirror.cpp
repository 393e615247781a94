// FlowTextMirror: the in-memory search behind the Flows page's text filter. Its matches must be
// LIKE's (case-insensitive for ASCII, % and _ literal, the id as a whole number), newest first,
// and it grows by the flows added since its last load. The cross-check runs against every
// backend: the mirror finds exactly what the log's own text filter finds.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/executionlog.h>
#include <ergon/flowtextmirror.h>
#include <ergon/inmemoryexecutionlog.h>
#include <ergon/jsontext.h>
#include <ergon/sqliteexecutionlog.h>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {
const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

NewFlow newFlow(QJsonObject arguments)
{
    NewFlow flow;
    flow.type = u"orders.Process"_s;
    flow.arguments = std::move(arguments);
    return flow;
}

// Another writer's flow with a chosen id, written straight into an SQLite log: how a flow whose
// id was taken before others' appears once its transaction commits (as PostgreSQL allows).
bool insertFlowWithId(const QString &path, qint64 id, const QJsonObject &arguments)
{
    const QString name = u"late-%1"_s.arg(id);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery insert(db);
            insert.prepare(u"INSERT INTO flows (id, type, args, status, run_at, created, updated)"
                           " VALUES (?, 'orders.Process', ?, 'pending', 0, 0, 0)"_s);
            insert.addBindValue(id);
            insert.addBindValue(QString::fromUtf8(toJsonText(arguments)));
            ok = insert.exec();
            if (!ok)
                qWarning("%s", qPrintable(insert.lastError().text()));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QJsonObject order(int number)
{
    return {{u"order_id"_s, u"ORD-%1"_s.arg(number)}};
}

// A mirror of texts with ids 1, 2, 3, …
FlowTextMirror mirrorOf(const QList<QByteArray> &texts, qint64 firstId = 1)
{
    FlowTextMirror mirror;
    for (qsizetype i = 0; i < texts.size(); ++i)
        mirror.append(firstId + i, texts.at(i));
    return mirror;
}

const QList<QByteArray> sampleTexts{
    R"({"order_id":"ORD-0000001","amount":10.5})", // 1
    R"({"customer":"Alice Smith"})",               // 2
    R"({"note":"50% off, axb"})",                  // 3
    R"({"note":"a_b"})",                           // 4
    R"({"order_id":"ord-0000005"})",               // 5
    R"({"name":"Élodie"})",                        // 6
    R"({"n":12})",                                 // 7
    R"({"invoice":"INV-7"})",                      // 8
};
} // namespace

class TestFlowTextMirror : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void find_data()
    {
        QTest::addColumn<QString>("term");
        QTest::addColumn<QList<qint64>>("expected"); // newest first

        QTest::newRow("plain") << u"Alice"_s << QList<qint64>{2};
        QTest::newRow("ASCII case folded") << u"ord-000000"_s << QList<qint64>{5, 1};
        QTest::newRow("upper-case term") << u"ALICE SMITH"_s << QList<qint64>{2};
        QTest::newRow("% taken literally") << u"50%"_s << QList<qint64>{3};
        QTest::newRow("% is no wildcard") << u"5%f"_s << QList<qint64>{};
        QTest::newRow("_ taken literally") << u"a_b"_s << QList<qint64>{4};
        QTest::newRow("_ is no wildcard") << u"a_"_s << QList<qint64>{4};
        QTest::newRow("keys match too") << u"\"note\""_s << QList<qint64>{4, 3};
        QTest::newRow("non-ASCII exact") << u"Élodie"_s << QList<qint64>{6};
        QTest::newRow("non-ASCII not folded, as SQLite's LIKE") << u"élodie"_s << QList<qint64>{};
        QTest::newRow("id as a whole number") << u"7"_s << QList<qint64>{8, 7};
        QTest::newRow("id and text") << u"12"_s << QList<qint64>{7};
        QTest::newRow("id with leading zero is text only") << u"08"_s << QList<qint64>{};
        QTest::newRow("nothing across two flows") << u"}{"_s << QList<qint64>{};
        QTest::newRow("every flow") << u"{"_s << QList<qint64>{8, 7, 6, 5, 4, 3, 2, 1};
        QTest::newRow("nothing") << u"zebra"_s << QList<qint64>{};
        QTest::newRow("empty term") << QString() << QList<qint64>{};
    }

    void find()
    {
        QFETCH(QString, term);
        QFETCH(QList<qint64>, expected);
        const FlowTextMirror mirror = mirrorOf(sampleTexts);
        QCOMPARE(mirror.find(term), expected);
    }

    void find_onlyFromRow()
    {
        const FlowTextMirror mirror = mirrorOf(sampleTexts);
        QCOMPARE(mirror.find(u"\"n"_s, 0), (QList<qint64>{7, 6, 4, 3}));
        QCOMPARE(mirror.find(u"\"n"_s, 4), (QList<qint64>{7, 6}));
        QCOMPARE(mirror.find(u"\"n"_s, 8), QList<qint64>());
        QCOMPARE(mirror.find(u"7"_s, 7), QList<qint64>{8});
        // The id at a position before fromRow is not searched.
        QCOMPARE(mirror.find(u"5"_s, 5), QList<qint64>());
    }

    void findAtMost_givesUpOnACommonTerm()
    {
        const FlowTextMirror mirror = mirrorOf(sampleTexts);
        QCOMPARE(mirror.findAtMost(u"{"_s, 8), (QList<qint64>{8, 7, 6, 5, 4, 3, 2, 1}));
        QCOMPARE(mirror.findAtMost(u"{"_s, 7), std::nullopt);
        QCOMPARE(mirror.findAtMost(u"{"_s, 3, 5), (QList<qint64>{8, 7, 6}));
        QCOMPARE(mirror.findAtMost(u"{"_s, 2, 5), std::nullopt);
        QCOMPARE(mirror.findAtMost(u"\"note\""_s, 2), (QList<qint64>{4, 3}));
        // The id counts as a hit too.
        QCOMPARE(mirror.findAtMost(u"7"_s, 2), (QList<qint64>{8, 7}));
        QCOMPARE(mirror.findAtMost(u"7"_s, 1), std::nullopt);
        QCOMPARE(mirror.findAtMost(u"zebra"_s, 0), QList<qint64>());
    }

    void append_growsAndIgnoresHeldIds()
    {
        FlowTextMirror mirror = mirrorOf({"{\"a\":\"x\"}", "{\"a\":\"y\"}"}, 10);
        QCOMPARE(mirror.size(), 2);
        QCOMPARE(mirror.lastId(), 11);
        mirror.append(11, "{\"a\":\"x\"}"); // held already
        mirror.append(5, "{\"a\":\"x\"}");  // older: held already
        QCOMPARE(mirror.size(), 2);
        QCOMPARE(mirror.find(u"\"x\""_s), QList<qint64>{10});
        mirror.append(20, "{\"a\":\"X\"}");
        QCOMPARE(mirror.size(), 3);
        QCOMPARE(mirror.find(u"\"x\""_s), (QList<qint64>{20, 10}));
        QVERIFY(mirror.memoryBytes() >= 3 * qsizetype(sizeof(qint64)));
    }

    void load_incremental()
    {
        InMemoryExecutionLog log;
        QList<NewFlow> flows;
        for (int i = 0; i < 25; ++i)
            flows.append(newFlow({{u"order_id"_s, u"ORD-%1"_s.arg(i)}}));
        ERGON_TRY(ids, log.scheduleFlows(flows, t0));

        FlowTextMirror mirror;
        ERGON_TRY(first, mirror.load(log, 10, 4));
        QCOMPARE(first, 10);
        QCOMPARE(mirror.lastId(), ids[9]);
        ERGON_TRY(rest, mirror.load(log, 100, 4));
        QCOMPARE(rest, 15);
        QCOMPARE(mirror.size(), 25);
        ERGON_TRY(none, mirror.load(log, 100, 4));
        QCOMPARE(none, 0);

        ERGON_TRY(more, log.scheduleFlows({newFlow({{u"order_id"_s, u"ORD-1x"_s}})}, t0));
        ERGON_TRY(added, mirror.load(log, 100));
        QCOMPARE(added, 1);
        QCOMPARE(mirror.find(u"ord-1"_s),
                 (QList<qint64>{more.first(), ids[19], ids[18], ids[17], ids[16], ids[15], ids[14], ids[13], ids[12],
                                ids[11], ids[10], ids[1]}));
    }

    void load_skippedIdThatTurnsUpLater()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"late.db"_s);
        auto opened = SqliteExecutionLog::open(path);
        QVERIFY2(opened, qPrintable(opened.errorString()));
        const std::unique_ptr<SqliteExecutionLog> log = opened.take();
        ERGON_TRY(ids, log->scheduleFlows({newFlow(order(1)), newFlow(order(2))}, t0));
        QCOMPARE(ids, (QList<qint64>{1, 2}));
        // Flows 3 and 5 are committed; 4's transaction is still open.
        QVERIFY(insertFlowWithId(path, 3, order(3)));
        QVERIFY(insertFlowWithId(path, 5, order(5)));

        FlowTextMirror mirror;
        ERGON_TRY(first, mirror.load(*log, 100));
        QCOMPARE(first, 4);
        QCOMPARE(mirror.find(u"ord-"_s), (QList<qint64>{5, 3, 2, 1}));
        const quint64 revision = mirror.revision();

        QVERIFY(insertFlowWithId(path, 4, order(4)));
        ERGON_TRY(second, mirror.load(*log, 100));
        QCOMPARE(second, 0); // nothing after the last one held
        QCOMPARE(mirror.size(), 5);
        QVERIFY(mirror.revision() > revision);
        QCOMPARE(mirror.find(u"ord-"_s), (QList<qint64>{5, 4, 3, 2, 1}));
        QCOMPARE(mirror.find(u"ord-4"_s), QList<qint64>{4});
        QCOMPARE(mirror.find(u"ord-5"_s), QList<qint64>{5});
        QCOMPARE(mirror.find(u"ord-3"_s, 3), QList<qint64>());

        // An id skipped for longer than holeLoads loads is given up.
        QVERIFY(insertFlowWithId(path, 7, order(7)));
        ERGON_VERIFY_OK(mirror.load(*log, 100));
        for (int i = 0; i < FlowTextMirror::holeLoads; ++i)
            ERGON_VERIFY_OK(mirror.load(*log, 100));
        QVERIFY(insertFlowWithId(path, 6, order(6)));
        ERGON_VERIFY_OK(mirror.load(*log, 100));
        QCOMPARE(mirror.find(u"ord-"_s), (QList<qint64>{7, 5, 4, 3, 2, 1}));
    }

    // The mirror finds what the log's own text filter finds, on every backend.
    void sameAsTheLog_data()
    {
        QTest::addColumn<QString>("backend");
        for (const Backend &backend : backends())
            QTest::newRow(qPrintable(backend.name)) << backend.name;
    }

    void sameAsTheLog()
    {
        QFETCH(QString, backend);
        auto fixture = makeLogFixture(backend);
        QVERIFY(fixture);
        if (backend == u"postgres"_s && postgresTestUrl().isEmpty()) {
            if (postgresRequired())
                QFAIL("CI is set but ERGON_TEST_POSTGRES is not");
            QSKIP(qPrintable(postgresSkipReason()));
        }
        ERGON_TRY(log, fixture->open());
        QList<NewFlow> flows;
        for (int i = 1; i <= 60; ++i) {
            QJsonObject args;
            switch (i % 4) {
            case 0:
                args = {{u"order_id"_s, u"ORD-%1"_s.arg(i, 5, 10, QLatin1Char('0'))}, {u"amount"_s, i * 1.5}};
                break;
            case 1:
                args = {{u"note"_s, i % 8 == 1 ? u"50% off"_s : u"a_b %1"_s.arg(i)}};
                break;
            case 2:
                args = {{u"Customer"_s, u"Alice %1"_s.arg(i)}};
                break;
            default:
                args = {};
                break;
            }
            flows.append(newFlow(args));
        }
        ERGON_TRY(ids, log->scheduleFlows(flows, t0));
        FlowTextMirror mirror;
        ERGON_TRY(loaded, mirror.load(*log, 1000, 7));
        QCOMPARE(loaded, 60);

        const QStringList terms{u"ORD-"_s,     u"ord-0001"_s, u"50%"_s, u"a_b"_s, u"%"_s,  u"_"_s,
                                u"customer"_s, u"ALICE 1"_s,  u"{}"_s,  u"1"_s,   u"12"_s, QString::number(ids[30]),
                                u"zebra"_s,    u"\\"_s};
        for (const QString &term : terms) {
            FlowQuery query;
            query.text = term;
            query.limit = 1000;
            ERGON_TRY(listed, log->flows(query));
            QList<qint64> expected;
            for (const FlowRecord &flow : listed)
                expected.append(flow.id);
            QVERIFY2(mirror.find(term) == expected, qPrintable(u"term "_s + term));
        }
    }
};

QTEST_GUILESS_MAIN(TestFlowTextMirror)
#include "tst_flowtextmirror.moc"
