// JSON text as stored and as typed by users: malformed text is a clear error naming where it
// goes wrong; every JSON value, scalars included, round-trips.

#include <ergon/jsontext.h>

#include <QJsonArray>
#include <QJsonObject>

#include <QTest>

using namespace Qt::StringLiterals;
using namespace ergon;

class TestJsonText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void malformed_data();
    void malformed();
    void objectRequired_data();
    void objectRequired();
    void parses_data();
    void parses();
    void roundTrip_data();
    void roundTrip();
};

void TestJsonText::malformed_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("mention");

    QTest::newRow("empty") << QByteArray() << u"empty"_s;
    QTest::newRow("blank") << QByteArray(" \n\t ") << u"empty"_s;
    QTest::newRow("unclosed object") << QByteArray("{") << u"offset"_s;
    QTest::newRow("missing value") << QByteArray("{\"a\":}") << u"offset"_s;
    QTest::newRow("unclosed array") << QByteArray("[1,2") << u"offset"_s;
    QTest::newRow("trailing comma") << QByteArray("[1,2,]") << u"offset"_s;
    QTest::newRow("unquoted key") << QByteArray("{a:1}") << u"offset"_s;
    QTest::newRow("single quotes") << QByteArray("'text'") << u"offset 0"_s;
    QTest::newRow("truncated literal") << QByteArray("nul") << u"offset"_s;
    QTest::newRow("misspelt literal") << QByteArray("tru") << u"offset"_s;
    QTest::newRow("unterminated string") << QByteArray("\"abc") << u"offset"_s;
    QTest::newRow("two values") << QByteArray("1 2") << u"JSON"_s;
    QTest::newRow("two values, comma") << QByteArray("1,2") << u"more than one value"_s;
    QTest::newRow("array injection") << QByteArray("1],[2") << u"JSON"_s;
    QTest::newRow("garbage after object") << QByteArray("{\"a\":1}}") << u"offset"_s;
    QTest::newRow("text after object") << QByteArray("{\"a\":1} x") << u"offset"_s;
    QTest::newRow("NaN") << QByteArray("NaN") << u"offset"_s;
    QTest::newRow("bare word") << QByteArray("hello") << u"offset 0"_s;
}

void TestJsonText::malformed()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, mention);
    const auto parsed = fromJsonText(text);
    QVERIFY2(!parsed.ok(),
             qPrintable(u"parsed as %1"_s.arg(QString::fromUtf8(toJsonText(parsed ? *parsed : QJsonValue())))));
    QCOMPARE(parsed.error().kind(), u"json"_s);
    QVERIFY2(parsed.errorString().contains(u"JSON"_s), qPrintable(parsed.errorString()));
    QVERIFY2(parsed.errorString().contains(mention),
             qPrintable(u"'%1' not in: %2"_s.arg(mention, parsed.errorString())));

    // The same faults in flow arguments.
    const auto object = objectFromJsonText(text);
    QVERIFY(!object.ok());
    QCOMPARE(object.errorString(), parsed.errorString());
}

void TestJsonText::objectRequired_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("found");
    QTest::newRow("array") << QByteArray("[1]") << u"an array"_s;
    QTest::newRow("number") << QByteArray("42") << u"a number"_s;
    QTest::newRow("string") << QByteArray("\"{}\"") << u"a string"_s;
    QTest::newRow("null") << QByteArray("null") << u"null"_s;
    QTest::newRow("boolean") << QByteArray("false") << u"a boolean"_s;
}

void TestJsonText::objectRequired()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, found);
    const auto object = objectFromJsonText(text);
    QVERIFY(!object.ok());
    QCOMPARE(object.error().kind(), u"json"_s);
    QVERIFY2(object.errorString().contains(u"object"_s), qPrintable(object.errorString()));
    QVERIFY2(object.errorString().contains(found), qPrintable(object.errorString()));
}

void TestJsonText::parses_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QJsonValue>("expected");
    QTest::newRow("integer") << QByteArray("42") << QJsonValue(42);
    QTest::newRow("negative exponent") << QByteArray("-1.5e3") << QJsonValue(-1500.0);
    QTest::newRow("string") << QByteArray("\"s\"") << QJsonValue(u"s"_s);
    QTest::newRow("unicode escape") << QByteArray("\"\\u00e9\\u2713\"") << QJsonValue(u"é✓"_s);
    QTest::newRow("true") << QByteArray("true") << QJsonValue(true);
    QTest::newRow("null") << QByteArray("null") << QJsonValue(QJsonValue::Null);
    QTest::newRow("padded object") << QByteArray("  {\"a\": [1, {\"b\": null}]}\n")
                                   << QJsonValue(QJsonObject{
                                          {u"a"_s, QJsonArray{1, QJsonObject{{u"b"_s, QJsonValue::Null}}}}});
    QTest::newRow("empty array") << QByteArray("[]") << QJsonValue(QJsonArray());
    QTest::newRow("padded scalar") << QByteArray("\n 7 \n") << QJsonValue(7);
}

void TestJsonText::parses()
{
    QFETCH(QByteArray, text);
    QFETCH(QJsonValue, expected);
    const auto parsed = fromJsonText(text);
    QVERIFY2(parsed.ok(), qPrintable(parsed.errorString()));
    QCOMPARE(*parsed, expected);
}

void TestJsonText::roundTrip_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::newRow("null") << QJsonValue(QJsonValue::Null);
    QTest::newRow("false") << QJsonValue(false);
    QTest::newRow("integer") << QJsonValue(-12);
    QTest::newRow("fraction") << QJsonValue(0.1);
    QTest::newRow("empty string") << QJsonValue(u""_s);
    QTest::newRow("string needing escapes") << QJsonValue(u"a\"b\\c\n]"_s);
    QTest::newRow("string that looks like JSON") << QJsonValue(u"[1, 2]"_s);
    QTest::newRow("object") << QJsonValue(QJsonObject{{u"k"_s, QJsonArray{u"v"_s, 1}}});
    QTest::newRow("array") << QJsonValue(QJsonArray{QJsonValue::Null, QJsonObject()});
}

void TestJsonText::roundTrip()
{
    QFETCH(QJsonValue, value);
    const QByteArray text = toJsonText(value);
    QVERIFY(!text.contains('\n')); // compact: one line in the database and the console
    const auto parsed = fromJsonText(text);
    QVERIFY2(parsed.ok(), qPrintable(parsed.errorString() + u" in "_s + QString::fromUtf8(text)));
    QCOMPARE(*parsed, value);
}

QTEST_GUILESS_MAIN(TestJsonText)
#include "tst_jsontext.moc"
