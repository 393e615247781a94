// Flow arguments: the schema a flow type declares, FlowArguments in its constructor, and the
// registry and executor in front of them. A missing or wrongly typed argument is an error that
// names the field, and nothing is stored.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/argumentschema.h>
#include <ergon/clock.h>
#include <ergon/flowarguments.h>
#include <ergon/flowcontext.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowregistry.h>
#include <ergon/jsontext.h>

#include <QTest>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {

QJsonObject object(const char *json)
{
    return objectFromJsonText(QByteArray(json)).value_or(QJsonObject{{u"unparsable test data"_s, true}});
}

/// The schema of an order: what a plugin would declare in its metadata.
const char *orderSchemaJson = R"([
    {"name": "order_id", "type": "string", "required": true, "description": "the order"},
    {"name": "amount", "type": "int", "required": true},
    {"name": "express", "type": "bool", "default": false},
    {"name": "note", "type": "string"},
    {"name": "ratio", "type": "number", "default": 1.5},
    {"name": "tags", "type": "array"},
    {"name": "meta", "type": "object"},
    {"name": "anything", "type": "any"}
])";

ArgumentSchema orderSchema()
{
    return ArgumentSchema::fromJson(fromJsonText(orderSchemaJson).value_or(QJsonValue())).value_or(ArgumentSchema());
}

/// "test.order": reads its arguments with FlowArguments, as plugin flows do.
class OrderFlow final : public Flow
{
public:
    explicit OrderFlow(FlowArguments &arguments)
        : m_orderId(arguments.string(u"order_id"_s))
        , m_amount(arguments.integer(u"amount"_s))
        , m_express(arguments.boolean(u"express"_s, false))
    {
    }

    QCoro::Task<QJsonValue> run(FlowContext &) override
    {
        co_return u"%1:%2:%3"_s.arg(m_orderId).arg(m_amount).arg(m_express);
    }

private:
    QString m_orderId;
    qint64 m_amount;
    bool m_express;
};

} // namespace

class TestArgumentSchema : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void schemaFromMetadata();
    void schemaRoundTrip();
    void schemaBuiltInCode();
    void badSchema_data();
    void badSchema();
    void validate_data();
    void validate();
    void flowArguments_data();
    void flowArguments();
    void flowArgumentsKeepsTheFirstError();
    void registry();
    void runNewRefusesBadArguments_data();
    void runNewRefusesBadArguments();
};

void TestArgumentSchema::schemaFromMetadata()
{
    const ArgumentSchema schema = orderSchema();
    QCOMPARE(schema.fields().size(), 8);
    const ArgumentSpec *orderId = schema.field(u"order_id"_s);
    QVERIFY(orderId);
    QCOMPARE(orderId->type, ArgumentSpec::Type::String);
    QVERIFY(orderId->required);
    QCOMPARE(orderId->description, u"the order"_s);
    QCOMPARE(schema.field(u"amount"_s)->type, ArgumentSpec::Type::Integer);
    QCOMPARE(schema.field(u"express"_s)->defaultValue, QJsonValue(false));
    QVERIFY(schema.field(u"note"_s)->defaultValue.isUndefined());
    QVERIFY(!schema.field(u"nope"_s));
}

void TestArgumentSchema::schemaRoundTrip()
{
    // toJson() writes the metadata it was read from, every key spelt out (required false and
    // an empty description where the metadata left them out; no default where it had none).
    const ArgumentSchema schema = orderSchema();
    ERGON_TRY(metadata, fromJsonText(orderSchemaJson));
    QJsonArray expected;
    for (const QJsonValue &declared : metadata.toArray()) {
        QJsonObject field = declared.toObject();
        if (!field.contains(u"required"_s))
            field.insert(u"required"_s, false);
        if (!field.contains(u"description"_s))
            field.insert(u"description"_s, QString());
        expected.append(field);
    }
    QCOMPARE(schema.toJson(), expected);

    // And what it wrote reads back as the same fields.
    ERGON_TRY(again, ArgumentSchema::fromJson(schema.toJson()));
    QCOMPARE(again.fields().size(), schema.fields().size());
    for (qsizetype i = 0; i < schema.fields().size(); ++i) {
        const ArgumentSpec &before = schema.fields().at(i);
        const ArgumentSpec &after = again.fields().at(i);
        QCOMPARE(after.name, before.name);
        QCOMPARE(after.type, before.type);
        QCOMPARE(after.required, before.required);
        QCOMPARE(after.description, before.description);
        QCOMPARE(after.defaultValue, before.defaultValue);
    }
}

void TestArgumentSchema::schemaBuiltInCode()
{
    // Embedders and tests declare schemas in code: a field given no default has none.
    ArgumentSpec id;
    id.name = u"id"_s;
    id.type = ArgumentSpec::Type::String;
    id.required = true;
    ArgumentSpec note;
    note.name = u"note"_s;
    QVERIFY(id.defaultValue.isUndefined());
    const ArgumentSchema schema({id, note});

    const auto missing = schema.validate({});
    QVERIFY2(!missing, qPrintable(QString::fromUtf8(toJsonText(missing ? *missing : QJsonObject()))));
    QVERIFY2(missing.errorString().contains(u"missing required argument 'id'"_s), qPrintable(missing.errorString()));

    ERGON_TRY(optional, schema.validate({{u"id"_s, u"x"_s}}));
    QCOMPARE(optional, (QJsonObject{{u"id"_s, u"x"_s}})); // nothing invented for "note"
}

void TestArgumentSchema::badSchema_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mention");
    QTest::newRow("not an array") << QByteArray(R"({"name": "x"})") << u"must be an array"_s;
    QTest::newRow("field without a name") << QByteArray(R"([{"type": "int"}])") << u"#1"_s;
    QTest::newRow("unknown type") << QByteArray(R"([{"name": "when", "type": "date"}])") << u"'when'"_s;
    QTest::newRow("default of the wrong type")
        << QByteArray(R"([{"name": "n", "type": "int", "default": "5"}])") << u"'n'"_s;
    QTest::newRow("declared twice") << QByteArray(R"([{"name": "n"}, {"name": "n"}])") << u"'n'"_s;
}

void TestArgumentSchema::badSchema()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, mention);
    ERGON_TRY(value, fromJsonText(json));
    const auto schema = ArgumentSchema::fromJson(value);
    QVERIFY(!schema);
    QCOMPARE(schema.error().kind(), u"arguments"_s);
    QVERIFY2(schema.errorString().contains(mention), qPrintable(schema.errorString()));
}

void TestArgumentSchema::validate_data()
{
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<QString>("error");        // empty: valid
    QTest::addColumn<QByteArray>("completed"); // the arguments with defaults, when valid

    const QString ok;
    QTest::newRow("required only, defaults filled in")
        << QByteArray(R"({"order_id": "A-1", "amount": 5})") << ok
        << QByteArray(R"({"order_id": "A-1", "amount": 5, "express": false, "ratio": 1.5})");
    QTest::newRow("everything given")
        << QByteArray(R"({"order_id": "A", "amount": -3, "express": true, "note": "n", "ratio": 2, "tags": [],)"
                      R"( "meta": {}, "anything": null})")
        << ok
        << QByteArray(R"({"order_id": "A", "amount": -3, "express": true, "note": "n", "ratio": 2, "tags": [],)"
                      R"( "meta": {}, "anything": null})");
    QTest::newRow("missing order_id") << QByteArray(R"({"amount": 5})") << u"missing required argument 'order_id'"_s
                                      << QByteArray();
    QTest::newRow("missing amount") << QByteArray(R"({"order_id": "A"})") << u"missing required argument 'amount'"_s
                                    << QByteArray();
    QTest::newRow("nothing") << QByteArray("{}") << u"missing required argument"_s << QByteArray();
    QTest::newRow("amount as a string") << QByteArray(R"({"order_id": "A", "amount": "5"})")
                                        << u"argument 'amount' must be of type int, got a string"_s << QByteArray();
    QTest::newRow("amount with a fraction") << QByteArray(R"({"order_id": "A", "amount": 2.5})")
                                            << u"argument 'amount' must be of type int"_s << QByteArray();
    QTest::newRow("amount beyond 2^53") << QByteArray(R"({"order_id": "A", "amount": 9007199254740993})")
                                        << u"argument 'amount' must be of type int"_s << QByteArray();
    QTest::newRow("order_id null") << QByteArray(R"({"order_id": null, "amount": 1})")
                                   << u"argument 'order_id' must be of type string, got null"_s << QByteArray();
    QTest::newRow("order_id a number") << QByteArray(R"({"order_id": 7, "amount": 1})")
                                       << u"argument 'order_id' must be of type string, got a number"_s << QByteArray();
    QTest::newRow("express as a string") << QByteArray(R"({"order_id": "A", "amount": 1, "express": "yes"})")
                                         << u"argument 'express' must be of type bool"_s << QByteArray();
    QTest::newRow("ratio as a string") << QByteArray(R"({"order_id": "A", "amount": 1, "ratio": "1.5"})")
                                       << u"argument 'ratio' must be of type number"_s << QByteArray();
    QTest::newRow("tags as an object") << QByteArray(R"({"order_id": "A", "amount": 1, "tags": {}})")
                                       << u"argument 'tags' must be of type array, got an object"_s << QByteArray();
    QTest::newRow("meta as an array") << QByteArray(R"({"order_id": "A", "amount": 1, "meta": []})")
                                      << u"argument 'meta' must be of type object, got an array"_s << QByteArray();
    QTest::newRow("unknown argument") << QByteArray(R"({"order_id": "A", "amount": 1, "colour": "red"})")
                                      << u"unknown argument 'colour'"_s << QByteArray();
}

void TestArgumentSchema::validate()
{
    QFETCH(QByteArray, arguments);
    QFETCH(QString, error);
    QFETCH(QByteArray, completed);

    ERGON_TRY(input, objectFromJsonText(arguments));
    const auto validated = orderSchema().validate(input);
    if (error.isEmpty()) {
        QVERIFY2(validated, qPrintable(validated.errorString()));
        ERGON_TRY(expected, objectFromJsonText(completed));
        QCOMPARE(*validated, expected);
    } else {
        QVERIFY2(!validated, qPrintable(QString::fromUtf8(toJsonText(validated ? *validated : QJsonObject()))));
        QCOMPARE(validated.error().kind(), u"arguments"_s);
        QVERIFY2(validated.errorString().contains(error), qPrintable(validated.errorString()));
    }
}

void TestArgumentSchema::flowArguments_data()
{
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<QString>("error");

    QTest::newRow("all good") << QByteArray(R"({"s": "x", "n": 1.5, "i": 3, "b": true})") << QString();
    QTest::newRow("missing string") << QByteArray(R"({"n": 1.5, "i": 3, "b": true})")
                                    << u"missing required argument 's'"_s;
    QTest::newRow("string as a number") << QByteArray(R"({"s": 1, "n": 1.5, "i": 3, "b": true})")
                                        << u"argument 's' must be a string, got a number"_s;
    QTest::newRow("number as a string") << QByteArray(R"({"s": "x", "n": "1.5", "i": 3, "b": true})")
                                        << u"argument 'n' must be a number, got a string"_s;
    QTest::newRow("integer with a fraction") << QByteArray(R"({"s": "x", "n": 1.5, "i": 3.5, "b": true})")
                                             << u"argument 'i' must be an integer, got a number"_s;
    QTest::newRow("boolean as null") << QByteArray(R"({"s": "x", "n": 1.5, "i": 3, "b": null})")
                                     << u"argument 'b' must be a boolean, got null"_s;
    QTest::newRow("optional of the wrong type") << QByteArray(R"({"s": "x", "n": 1.5, "i": 3, "b": true, "opt": [1]})")
                                                << u"argument 'opt' must be a string, got an array"_s;
}

void TestArgumentSchema::flowArguments()
{
    QFETCH(QByteArray, arguments);
    QFETCH(QString, error);

    ERGON_TRY(input, objectFromJsonText(arguments));
    FlowArguments reader(input);
    const QString s = reader.string(u"s"_s);
    const double n = reader.number(u"n"_s);
    const qint64 i = reader.integer(u"i"_s);
    const bool b = reader.boolean(u"b"_s);
    const QString opt = reader.string(u"opt"_s, u"fallback"_s);
    const qint64 count = reader.integer(u"count"_s, 10);
    if (error.isEmpty()) {
        QVERIFY2(!reader.error(), qPrintable(reader.error()->message()));
        QCOMPARE(s, u"x"_s);
        QCOMPARE(n, 1.5);
        QCOMPARE(i, 3);
        QCOMPARE(b, true);
        QCOMPARE(opt, u"fallback"_s); // absent optional: the fallback, no error
        QCOMPARE(count, 10);
    } else {
        QVERIFY(reader.error());
        QCOMPARE(reader.error()->kind(), u"arguments"_s);
        QCOMPARE(reader.error()->message(), error);
    }
}

void TestArgumentSchema::flowArgumentsKeepsTheFirstError()
{
    FlowArguments reader(object(R"({"b": "no"})"));
    QCOMPARE(reader.integer(u"a"_s), 0); // neutral values, so a constructor can read on
    QCOMPARE(reader.boolean(u"b"_s), false);
    QCOMPARE(reader.string(u"c"_s), QString());
    QVERIFY(reader.error());
    QCOMPARE(reader.error()->message(), u"missing required argument 'a'"_s);
}

void TestArgumentSchema::registry()
{
    FlowRegistry registry;
    FlowTypeInfo info;
    info.name = u"test.order"_s;
    info.schema = orderSchema();
    ERGON_VERIFY_OK(registry.add<OrderFlow>(info));

    // Duplicate names are refused.
    const auto duplicate = registry.add<OrderFlow>(info);
    QVERIFY(!duplicate);
    QCOMPARE(duplicate.error().kind(), u"duplicate"_s);

    const auto unknown = registry.create(u"test.nope"_s, {});
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().kind(), u"unknown-type"_s);
    QVERIFY2(unknown.errorString().contains(u"'test.nope'"_s), qPrintable(unknown.errorString()));
    QVERIFY(!registry.validate(u"test.nope"_s, {}));

    const auto invalid = registry.create(u"test.order"_s, object(R"({"order_id": "A", "amount": "many"})"));
    QVERIFY(!invalid);
    QVERIFY2(invalid.errorString().contains(u"test.order"_s) && invalid.errorString().contains(u"'amount'"_s),
             qPrintable(invalid.errorString()));

    ERGON_TRY(flow, registry.create(u"test.order"_s, object(R"({"order_id": "A", "amount": 2})")));
    QVERIFY(flow);
}

void TestArgumentSchema::runNewRefusesBadArguments_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<QString>("mention");

    for (const Backend &backend : backends()) {
        const QString b = backend.name;
        const auto row = [&](const char *name) -> QTestData & { return QTest::addRow("%s: %s", qPrintable(b), name); };
        // Caught by the schema the type declares.
        row("schema: missing field") << b << u"test.order"_s << QByteArray(R"({"order_id": "A"})") << u"'amount'"_s;
        row("schema: wrong type") << b << u"test.order"_s << QByteArray(R"({"order_id": "A", "amount": "5"})")
                                  << u"'amount'"_s;
        row("schema: unknown field") << b << u"test.order"_s << QByteArray(R"({"order_id": "A", "amount": 5, "x": 1})")
                                     << u"'x'"_s;
        // A type without a schema: only its constructor (FlowArguments) can tell.
        row("constructor: missing field")
            << b << u"test.loose"_s << QByteArray(R"({"order_id": "A"})") << u"'amount'"_s;
        row("constructor: wrong type") << b << u"test.loose"_s << QByteArray(R"({"order_id": "A", "amount": true})")
                                       << u"'amount'"_s;
    }
}

void TestArgumentSchema::runNewRefusesBadArguments()
{
    QFETCH(QString, backend);
    QFETCH(QString, type);
    QFETCH(QByteArray, arguments);
    QFETCH(QString, mention);

    FlowRegistry registry;
    FlowTypeInfo order;
    order.name = u"test.order"_s;
    order.schema = orderSchema();
    ERGON_VERIFY_OK(registry.add<OrderFlow>(order));
    // No checks before the constructor: every field typed "any".
    FlowTypeInfo loose;
    loose.name = u"test.loose"_s;
    ArgumentSpec anyOrderId;
    anyOrderId.name = u"order_id"_s;
    ArgumentSpec anyAmount;
    anyAmount.name = u"amount"_s;
    loose.schema = ArgumentSchema({anyOrderId, anyAmount});
    ERGON_VERIFY_OK(registry.add<OrderFlow>(loose));

    auto fixture = makeLogFixture(backend);
    QVERIFY(fixture);
    const QString file = fixture->filePath();
    ERGON_VERIFY_OK(fixture->open()); // create the file, then fingerprint it closed
    const QByteArray hashBefore = file.isEmpty() ? QByteArray() : fileHash(file);

    {
        ERGON_TRY(log, fixture->open());
        FakeClock clock;
        FlowExecutor executor(*log, registry, clock);
        ERGON_AWAIT_RESULT(outcome, executor.runNew(type, object(arguments.constData())));
        QVERIFY2(!outcome, outcome ? qPrintable(u"ran: %1 %2"_s.arg(toString(outcome->status), outcome->error)) : "");
        QVERIFY2(outcome.errorString().contains(mention), qPrintable(outcome.errorString()));
        QVERIFY2(outcome.errorString().contains(type), qPrintable(outcome.errorString()));

        ERGON_TRY(flows, log->flows(FlowQuery()));
        QVERIFY2(flows.isEmpty(), qPrintable(describe(flows.value(0))));
        QCOMPARE(executor.commits(), 0);
    }
    if (!file.isEmpty())
        QCOMPARE(fileHash(file), hashBefore);
}

QTEST_GUILESS_MAIN(TestArgumentSchema)
#include "tst_argumentschema.moc"
