// Codec: every supported type survives encode → stored JSON text → decode, directly and as the
// result of a real step stored in SQLite and replayed; undecodable values are clear errors.

#include "ergontest.h"
#include "logfixture.h"

#include <ergon/clock.h>
#include <ergon/codec.h>
#include <ergon/flowcontext.h>
#include <ergon/flowexecutor.h>
#include <ergon/flowregistry.h>
#include <ergon/sqliteexecutionlog.h>
#include <ergon/steperror.h>

#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;
using namespace ergon;
using namespace ergon::test;

namespace {

/// A user type with its own JSON form.
struct Money {
    qint64 cents = 0;
    QString currency;

    QJsonValue toJson() const { return QJsonObject{{u"cents"_s, QString::number(cents)}, {u"currency"_s, currency}}; }
    static Result<Money> fromJson(const QJsonValue &json)
    {
        const QJsonObject object = json.toObject();
        bool ok = false;
        const qint64 cents = object.value(u"cents"_s).toString().toLongLong(&ok);
        if (!json.isObject() || !ok || !object.value(u"currency"_s).isString())
            return Error(u"not an amount of money: %1"_s.arg(QString::fromUtf8(toJsonText(json))), u"decode"_s);
        return Money{cents, object.value(u"currency"_s).toString()};
    }
    bool operator==(const Money &) const = default;
};

constexpr qint64 twoPow53 = qint64(1) << 53;

template<typename T>
QString debugText(const T &value)
{
    return QString::fromUtf8(toJsonText(Codec<T>::encode(value)));
}

/// What the step round trip's flow saw.
template<typename T>
struct CodecProbe {
    T value{};
    int produced = 0;
    bool failBarrier = true;
    QList<T> seen; ///< the step's value as the flow got it, per run
};

/// "codec.<type>": a step "produce" returning the probe's value, then a step "barrier" that fails
/// in the first run, so that the flow can be retried and "produce" replayed from the log.
template<typename T>
class CodecFlow final : public Flow
{
public:
    explicit CodecFlow(CodecProbe<T> &probe)
        : m_probe(probe)
    {
    }

    QCoro::Task<QJsonValue> run(FlowContext &ctx) override
    {
        auto produce = [this]() -> QCoro::Task<T> {
            ++m_probe.produced;
            co_return m_probe.value;
        };
        T value = co_await ctx.step(u"produce"_s, produce);
        m_probe.seen.append(value);
        auto barrier = [this]() {
            if (m_probe.failBarrier)
                throw StepError(u"test"_s, u"stop here"_s);
        };
        const auto once = StepOptions::withRetry(RetryPolicy::none());
        co_await ctx.step(u"barrier"_s, once, barrier);
        co_return Codec<T>::encode(value);
    }

private:
    CodecProbe<T> &m_probe;
};

template<typename T>
FlowFactory codecFactory(CodecProbe<T> &probe)
{
    return [&probe](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
        return std::unique_ptr<Flow>(std::make_unique<CodecFlow<T>>(probe));
    };
}

} // namespace

class TestCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void integers_data();
    void integers();
    void unsignedIntegers_data();
    void unsignedIntegers();
    void smallIntegerTypes();
    void floatingPoint_data();
    void floatingPoint();
    void scalars();
    void strings_data();
    void strings();
    void byteArrays();
    void dateTimes_data();
    void dateTimes();
    void json();
    void optionals();
    void containers();
    void nestedContainers();
    void userType();
    void decodeErrors();

    void throughStoredStep();
    void undecodableStoredStep_data();
    void undecodableStoredStep();

private:
    /// Encodes, decodes directly and through stored JSON text; both must give the value back.
    template<typename T>
    void roundTrip(const T &value, const char *what);
    template<typename T>
    void expectDecodeError(const QByteArray &jsonText, const QString &mention, const char *what);
    /// Runs a flow whose step returns the value, stored in a fresh SQLite file, then replays the
    /// step from a new connection: the value must come back without running the body again.
    template<typename T>
    void stepRoundTrip(const T &value, const char *what);
};

// QVERIFY inside the helpers returns from the helper only: the macros return from the test too.
#define ROUND_TRIP(value)                                                                                              \
    do {                                                                                                               \
        roundTrip(value, #value);                                                                                      \
        if (QTest::currentTestFailed())                                                                                \
            return;                                                                                                    \
    } while (false)
#define DECODE_ERROR(Type, text, mention)                                                                              \
    do {                                                                                                               \
        expectDecodeError<Type>(text, mention, #Type " from " #text);                                                  \
        if (QTest::currentTestFailed())                                                                                \
            return;                                                                                                    \
    } while (false)
#define STEP_ROUND_TRIP(value)                                                                                         \
    do {                                                                                                               \
        stepRoundTrip(value, #value);                                                                                  \
        if (QTest::currentTestFailed())                                                                                \
            return;                                                                                                    \
    } while (false)

template<typename T>
void TestCodec::roundTrip(const T &value, const char *what)
{
    const QJsonValue json = Codec<T>::encode(value);
    const Result<T> direct = Codec<T>::decode(json);
    QVERIFY2(direct.ok(), qPrintable(u"%1: %2"_s.arg(QLatin1String(what), direct.errorString())));
    QVERIFY2(*direct == value, qPrintable(u"%1: got %2"_s.arg(QLatin1String(what), debugText(*direct))));

    const QByteArray text = encodeToText(value);
    const Result<T> stored = decodeFromText<T>(text);
    QVERIFY2(stored.ok(),
             qPrintable(u"%1 via %2: %3"_s.arg(QLatin1String(what), QString::fromUtf8(text), stored.errorString())));
    QVERIFY2(*stored == value,
             qPrintable(u"%1 via %2: got %3"_s.arg(QLatin1String(what), QString::fromUtf8(text), debugText(*stored))));
}

template<typename T>
void TestCodec::expectDecodeError(const QByteArray &jsonText, const QString &mention, const char *what)
{
    const Result<T> decoded = decodeFromText<T>(jsonText);
    QVERIFY2(!decoded.ok(),
             qPrintable(u"%1 decoded to %2"_s.arg(QLatin1String(what), decoded ? debugText(*decoded) : QString())));
    QVERIFY2(decoded.errorString().contains(mention),
             qPrintable(u"%1: '%2' not in: %3"_s.arg(QLatin1String(what), mention, decoded.errorString())));
}

template<typename T>
void TestCodec::stepRoundTrip(const T &value, const char *what)
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"codec.db"_s);
    CodecProbe<T> probe;
    probe.value = value;
    FlowRegistry registry;
    FlowTypeInfo info;
    info.name = u"codec"_s;
    ERGON_VERIFY_OK(registry.add(info, codecFactory(probe)));
    FakeClock clock;

    qint64 id = 0;
    {
        ERGON_TRY(log, SqliteExecutionLog::open(path));
        FlowExecutor executor(*log, registry, clock);
        ERGON_AWAIT_OUTCOME(first, executor.runNew(u"codec"_s, {}));
        QVERIFY2(first.status == FlowStatus::Failed, qPrintable(first.error)); // at the barrier
        id = first.flowId;
        ERGON_VERIFY_OK(log->retryFlow(id, u"barrier"_s, clock.now()));
    }
    probe.failBarrier = false;
    {
        ERGON_TRY(log, SqliteExecutionLog::open(path)); // read back from the file
        FlowExecutor executor(*log, registry, clock);
        ERGON_AWAIT_OUTCOME(replayed, executor.run(id));
        QVERIFY2(replayed.status == FlowStatus::Completed,
                 qPrintable(u"%1: %2"_s.arg(QLatin1String(what), replayed.error)));
        QCOMPARE(replayed.result, Codec<T>::encode(value));
    }
    QVERIFY2(probe.produced == 1, what); // replayed from the log, not produced again
    QCOMPARE(probe.seen.size(), 2);
    QVERIFY2(probe.seen[0] == value,
             qPrintable(u"%1, first run: got %2"_s.arg(QLatin1String(what), debugText(probe.seen[0]))));
    QVERIFY2(probe.seen[1] == value,
             qPrintable(u"%1, replay: got %2"_s.arg(QLatin1String(what), debugText(probe.seen[1]))));
}

void TestCodec::integers_data()
{
    QTest::addColumn<qint64>("value");
    QTest::newRow("0") << qint64(0);
    QTest::newRow("-42") << qint64(-42);
    QTest::newRow("2^31") << (qint64(1) << 31);
    QTest::newRow("2^53 - 1") << twoPow53 - 1;
    QTest::newRow("2^53") << twoPow53;
    QTest::newRow("2^53 + 1") << twoPow53 + 1;
    QTest::newRow("-(2^53) - 1") << -twoPow53 - 1;
    QTest::newRow("2^62 + 3") << (qint64(1) << 62) + 3;
    QTest::newRow("max") << std::numeric_limits<qint64>::max();
    QTest::newRow("min") << std::numeric_limits<qint64>::min();
}

void TestCodec::integers()
{
    QFETCH(qint64, value);
    ROUND_TRIP(value);
    // Small enough for a JSON number: stored as one, readable in the console.
    if (value > -twoPow53 && value < twoPow53)
        QVERIFY(Codec<qint64>::encode(value).isDouble());
    if (value >= std::numeric_limits<int>::min() && value <= std::numeric_limits<int>::max())
        ROUND_TRIP(int(value));
    // value / -2, not -value / 2: negating the minimum overflows (UBSan's finding).
    ROUND_TRIP((QList<qint64>{value, value / -2, 1}));
}

void TestCodec::unsignedIntegers_data()
{
    QTest::addColumn<quint64>("value");
    QTest::newRow("0") << quint64(0);
    QTest::newRow("uint max") << quint64(std::numeric_limits<uint>::max());
    QTest::newRow("2^53 + 1") << quint64(twoPow53) + 1;
    QTest::newRow("max") << std::numeric_limits<quint64>::max();
}

void TestCodec::unsignedIntegers()
{
    QFETCH(quint64, value);
    ROUND_TRIP(value);
    if (value <= std::numeric_limits<uint>::max())
        ROUND_TRIP(uint(value));
}

void TestCodec::smallIntegerTypes()
{
    ROUND_TRIP(qint8(-128));
    ROUND_TRIP(quint8(255));
    ROUND_TRIP(qint16(-32768));
    ROUND_TRIP(quint16(65535));
    ROUND_TRIP(long(-7));
    ROUND_TRIP(std::numeric_limits<unsigned long>::max());
    ROUND_TRIP(std::numeric_limits<int>::min());
}

void TestCodec::floatingPoint_data()
{
    QTest::addColumn<double>("value");
    QTest::newRow("0") << 0.0;
    QTest::newRow("-1.5") << -1.5;
    QTest::newRow("0.1") << 0.1;
    QTest::newRow("pi") << 3.141592653589793;
    QTest::newRow("1/3") << 1.0 / 3.0;
    QTest::newRow("largest") << std::numeric_limits<double>::max();
    QTest::newRow("smallest normal") << std::numeric_limits<double>::min();
    QTest::newRow("denormal") << std::numeric_limits<double>::denorm_min();
    QTest::newRow("-1e-300") << -1e-300;
    QTest::newRow("2^60, a whole double") << 1152921504606846976.0;
}

void TestCodec::floatingPoint()
{
    QFETCH(double, value);
    ROUND_TRIP(value); // exact, not fuzzy: operator== on the decoded double
    ROUND_TRIP((QList<double>{value, value / 3}));
}

void TestCodec::scalars()
{
    ROUND_TRIP(true);
    ROUND_TRIP(false);
    ROUND_TRIP(3.25f);
    ROUND_TRIP(std::numeric_limits<float>::max());
    ROUND_TRIP((QList<bool>{true, false, true}));
}

void TestCodec::strings_data()
{
    QTest::addColumn<QString>("value");
    QTest::newRow("empty") << QString();
    QTest::newRow("ascii") << u"hello"_s;
    QTest::newRow("unicode") << u"héllo wörld ✓ 😀 日本"_s;
    QTest::newRow("escapes") << u"quote \" backslash \\ slash / newline \n tab \t cr \r"_s;
    QTest::newRow("control characters") << QString(QString(QChar(0x01)) + QChar(0x1f) + QChar(0x7f));
    QTest::newRow("NUL inside") << QString(u"a"_s + QChar(0) + u"b"_s);
    QTest::newRow("looks like JSON") << u"{\"a\": [1, 2]}"_s;
    QTest::newRow("looks like a number") << u"12345678901234567890"_s;
    QTest::newRow("long") << QString(100000, u'x');
}

void TestCodec::strings()
{
    QFETCH(QString, value);
    ROUND_TRIP(value);
    ROUND_TRIP(std::optional<QString>(value));
    ROUND_TRIP((QMap<QString, QString>{{value, value}, {u"k"_s, value}}));
}

void TestCodec::byteArrays()
{
    QByteArray everyByte;
    for (int i = 0; i < 256; ++i)
        everyByte.append(char(i));
    ROUND_TRIP(QByteArray());
    ROUND_TRIP(QByteArray("plain text"));
    ROUND_TRIP(everyByte);
    ROUND_TRIP(QByteArray("\x00\xff\x00", 3));
    ROUND_TRIP(QByteArray(70000, '\xab'));
    ROUND_TRIP((QList<QByteArray>{QByteArray(), everyByte, QByteArray("a")}));
}

void TestCodec::dateTimes_data()
{
    QTest::addColumn<QDateTime>("value");
    QTest::newRow("UTC with ms") << QDateTime::fromMSecsSinceEpoch(1'700'000'000'123, Qt::UTC);
    QTest::newRow("offset +05:30") << QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::OffsetFromUTC,
                                                5 * 3600 + 1800);
    QTest::newRow("offset -08:00") << QDateTime(QDate(2023, 11, 5), QTime(1, 30), Qt::OffsetFromUTC, -8 * 3600);
    QTest::newRow("local time") << QDateTime(QDate(2023, 7, 1), QTime(12, 0, 0, 5), Qt::LocalTime);
    QTest::newRow("epoch") << QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    QTest::newRow("before the epoch") << QDateTime(QDate(1901, 1, 1), QTime(0, 0, 0, 1), Qt::UTC);
    QTest::newRow("year 9999") << QDateTime(QDate(9999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC);
    QTest::newRow("invalid (no time)") << QDateTime();
}

void TestCodec::dateTimes()
{
    QFETCH(QDateTime, value);
    ROUND_TRIP(value); // the same instant (QDateTime::operator== compares instants)
    const auto decoded = Codec<QDateTime>::decode(Codec<QDateTime>::encode(value));
    QVERIFY(decoded);
    if (value.isValid()) {
        QCOMPARE(decoded->toMSecsSinceEpoch(), value.toMSecsSinceEpoch());
        QCOMPARE(decoded->timeSpec(), Qt::UTC); // stored and returned as UTC
    }
    ROUND_TRIP((QList<QDateTime>{value, value.addDays(-1)}));
}

void TestCodec::json()
{
    const QJsonObject object{{u"name"_s, u"x"_s},
                             {u"n"_s, 1.5},
                             {u"flag"_s, false},
                             {u"none"_s, QJsonValue::Null},
                             {u"list"_s, QJsonArray{1, u"two"_s, QJsonObject{{u"three"_s, 3}}, QJsonArray{}}},
                             {u"nested"_s, QJsonObject{{u"deep"_s, QJsonObject{{u"deeper"_s, QJsonArray{true}}}}}}};
    const QJsonArray array{object, QJsonValue::Null, 0, u""_s, QJsonArray{QJsonArray{}}};
    ROUND_TRIP(QJsonValue(QJsonValue::Null));
    ROUND_TRIP(QJsonValue(true));
    ROUND_TRIP(QJsonValue(-0.25));
    ROUND_TRIP(QJsonValue(u"text"_s));
    ROUND_TRIP(QJsonValue(object));
    ROUND_TRIP(QJsonValue(array));
    ROUND_TRIP(object);
    ROUND_TRIP(QJsonObject());
    ROUND_TRIP(array);
    ROUND_TRIP(QJsonArray());
    ROUND_TRIP((QList<QJsonObject>{object, QJsonObject()}));
}

void TestCodec::optionals()
{
    ROUND_TRIP(std::optional<int>());
    ROUND_TRIP(std::optional<int>(0));
    ROUND_TRIP(std::optional<qint64>(std::numeric_limits<qint64>::min()));
    ROUND_TRIP(std::optional<QString>());
    ROUND_TRIP(std::optional<QString>(QString()));
    ROUND_TRIP(std::optional<QByteArray>(QByteArray("\x01", 1)));
    ROUND_TRIP(std::optional<QDateTime>(QDateTime::fromMSecsSinceEpoch(5, Qt::UTC)));
    ROUND_TRIP(std::optional<bool>(false));
    ROUND_TRIP(std::optional<QList<int>>(QList<int>{}));
    ROUND_TRIP((QList<std::optional<int>>{1, std::nullopt, 3}));
}

void TestCodec::containers()
{
    ROUND_TRIP(QList<int>());
    ROUND_TRIP((QList<int>{1, -2, 3}));
    ROUND_TRIP((QList<QString>{u"a"_s, QString(), u"ü"_s}));
    ROUND_TRIP((QList<quint64>{std::numeric_limits<quint64>::max(), 0}));
    ROUND_TRIP((QMap<QString, int>()));
    ROUND_TRIP((QMap<QString, qint64>{{u"big"_s, twoPow53 + 1}, {u"small"_s, -1}, {QString(), 0}}));
    ROUND_TRIP((QMap<QString, QByteArray>{{u"blob"_s, QByteArray("\xde\xad\xbe\xef")}}));
    ROUND_TRIP((QMap<QString, QDateTime>{{u"at"_s, QDateTime::fromMSecsSinceEpoch(1'234'567, Qt::UTC)}}));
    ROUND_TRIP((QMap<QString, bool>{{u"a.b"_s, true}, {u"with \"quotes\""_s, false}}));
}

void TestCodec::nestedContainers()
{
    using Nested = QMap<QString, QList<std::optional<qint64>>>;
    ROUND_TRIP((Nested{{u"a"_s, {1, std::nullopt, std::numeric_limits<qint64>::max()}}, {u"b"_s, {}}}));
    ROUND_TRIP((QList<QList<QString>>{{u"x"_s}, {}, {u"y"_s, u"z"_s}}));
    ROUND_TRIP((QList<QMap<QString, QJsonObject>>{{{u"o"_s, QJsonObject{{u"k"_s, 1}}}}, {}}));
    using Deep = QMap<QString, QMap<QString, QList<QByteArray>>>;
    ROUND_TRIP((Deep{{u"outer"_s, {{u"inner"_s, {QByteArray("\x00", 1), QByteArray()}}}}}));
    ROUND_TRIP((std::optional<QMap<QString, QList<QDateTime>>>(
        QMap<QString, QList<QDateTime>>{{u"t"_s, {QDateTime::fromMSecsSinceEpoch(1, Qt::UTC)}}})));
}

void TestCodec::userType()
{
    const Money money{-123456789012345678, u"EUR"_s};
    ROUND_TRIP(money);
    ROUND_TRIP((Money{0, QString()}));
    ROUND_TRIP((QList<Money>{money, Money{1, u"USD"_s}}));
    ROUND_TRIP(std::optional<Money>());
    ROUND_TRIP(std::optional<Money>(money));
    ROUND_TRIP((QMap<QString, QList<Money>>{{u"wallet"_s, {money}}}));
    QCOMPARE(Codec<Money>::encode(money), money.toJson()); // its own JSON form, as is
}

void TestCodec::decodeErrors()
{
    DECODE_ERROR(int, "\"abc\"", u"integer"_s);
    DECODE_ERROR(int, "1.5", u"integer"_s);
    DECODE_ERROR(int, "4294967296", u"out of range"_s);
    DECODE_ERROR(int, "null", u"integer"_s);
    DECODE_ERROR(qint8, "300", u"out of range"_s);
    DECODE_ERROR(qint64, "9007199254740993", u"integer"_s); // would lose precision as a double
    DECODE_ERROR(qint64, "\"99999999999999999999\"", u"integer"_s);
    DECODE_ERROR(uint, "-1", u"unsigned"_s);
    DECODE_ERROR(quint64, "\"-1\"", u"unsigned"_s);
    DECODE_ERROR(bool, "1", u"boolean"_s);
    DECODE_ERROR(bool, "\"true\"", u"boolean"_s);
    DECODE_ERROR(double, "\"1.5\"", u"number"_s);
    DECODE_ERROR(QString, "5", u"string"_s);
    DECODE_ERROR(QByteArray, "\"!!!not base64!!!\"", u"base64"_s);
    DECODE_ERROR(QByteArray, "[]", u"base64"_s);
    DECODE_ERROR(QDateTime, "\"yesterday\"", u"date"_s);
    DECODE_ERROR(QDateTime, "1700000000000", u"date"_s);
    DECODE_ERROR(QJsonObject, "[1]", u"object"_s);
    DECODE_ERROR(QJsonArray, "{}", u"array"_s);
    DECODE_ERROR(QList<int>, "{}", u"array"_s);
    DECODE_ERROR(QList<int>, "[1, \"x\"]", u"[1]"_s);
    using IntMap = QMap<QString, int>;
    DECODE_ERROR(IntMap, "{\"a\": 1, \"b\": \"x\"}", u"[\"b\"]"_s);
    DECODE_ERROR(IntMap, "[]", u"object"_s);
    DECODE_ERROR(std::optional<int>, "\"x\"", u"integer"_s);
    DECODE_ERROR(Money, "{\"cents\": 5}", u"not an amount of money"_s);
    DECODE_ERROR(QList<Money>, "[{\"cents\": \"1\", \"currency\": \"EUR\"}, 7]", u"[1]"_s);
    // Text that is not JSON at all.
    DECODE_ERROR(int, "{oops", u"JSON"_s);
    DECODE_ERROR(QString, "", u"JSON"_s);

    const auto error = Codec<int>::decode(QJsonValue(u"abc"_s));
    QVERIFY(!error);
    QCOMPARE(error.error().kind(), u"decode"_s);
}

void TestCodec::throughStoredStep()
{
    STEP_ROUND_TRIP(true);
    STEP_ROUND_TRIP(-7);
    STEP_ROUND_TRIP(std::numeric_limits<qint64>::min());
    STEP_ROUND_TRIP(twoPow53 + 1);
    STEP_ROUND_TRIP(std::numeric_limits<quint64>::max());
    STEP_ROUND_TRIP(4000000000u);
    STEP_ROUND_TRIP(0.1);
    STEP_ROUND_TRIP(std::numeric_limits<double>::denorm_min());
    STEP_ROUND_TRIP(u"héllo \"wörld\" ✓\n"_s);
    QByteArray everyByte;
    for (int i = 0; i < 256; ++i)
        everyByte.append(char(i));
    STEP_ROUND_TRIP(everyByte);
    STEP_ROUND_TRIP(QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::OffsetFromUTC, 3600));
    STEP_ROUND_TRIP(QJsonValue(QJsonValue::Null));
    STEP_ROUND_TRIP((QJsonObject{{u"a"_s, QJsonArray{1, u"b"_s, QJsonObject{}}}}));
    STEP_ROUND_TRIP((QJsonArray{QJsonValue::Null, 2.5}));
    STEP_ROUND_TRIP(std::optional<int>());
    STEP_ROUND_TRIP(std::optional<QString>(u"x"_s));
    STEP_ROUND_TRIP((QList<qint64>{twoPow53 + 1, -1}));
    STEP_ROUND_TRIP((QMap<QString, QList<std::optional<QByteArray>>>{{u"k"_s, {QByteArray("\x00", 1), std::nullopt}}}));
    STEP_ROUND_TRIP((Money{42, u"JPY"_s}));
    STEP_ROUND_TRIP((QMap<QString, Money>{{u"total"_s, Money{-1, u"EUR"_s}}}));
}

void TestCodec::undecodableStoredStep_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("stored");
    QTest::addColumn<QString>("mention");

    for (const Backend &backend : backends()) {
        const QString b = backend.name;
        const auto row = [&](const char *name) -> QTestData & { return QTest::addRow("%s: %s", qPrintable(b), name); };
        row("string where an int is expected") << b << u"int"_s << QByteArray("\"abc\"") << u"integer"_s;
        row("fraction where an int is expected") << b << u"int"_s << QByteArray("2.5") << u"integer"_s;
        row("bad base64") << b << u"bytes"_s << QByteArray("\"!!!\"") << u"base64"_s;
        row("bad date") << b << u"datetime"_s << QByteArray("\"next tuesday\"") << u"date"_s;
        row("bad list item") << b << u"list"_s << QByteArray("[1, \"two\"]") << u"[1]"_s;
        row("not JSON") << b << u"int"_s << QByteArray("{oops") << u"JSON"_s;
    }
}

void TestCodec::undecodableStoredStep()
{
    QFETCH(QString, backend);
    QFETCH(QString, type);
    QFETCH(QByteArray, stored);
    QFETCH(QString, mention);

    CodecProbe<int> ints;
    CodecProbe<QByteArray> bytes;
    CodecProbe<QDateTime> dates;
    CodecProbe<QList<int>> lists;
    FlowRegistry registry;
    const auto add = [&](const QString &name, FlowFactory factory) {
        FlowTypeInfo info;
        info.name = u"codec."_s + name;
        return registry.add(info, std::move(factory));
    };
    ERGON_VERIFY_OK(add(u"int"_s, codecFactory(ints)));
    ERGON_VERIFY_OK(add(u"bytes"_s, codecFactory(bytes)));
    ERGON_VERIFY_OK(add(u"datetime"_s, codecFactory(dates)));
    ERGON_VERIFY_OK(add(u"list"_s, codecFactory(lists)));

    // A flow whose log holds a completed "produce" step with a value its code cannot read
    // (written by an older build, or edited by hand).
    auto fixture = makeLogFixture(backend);
    QVERIFY(fixture);
    ERGON_TRY(log, fixture->open());
    FakeClock clock;
    NewFlow flow;
    flow.type = u"codec."_s + type;
    ERGON_TRY(ids, log->scheduleFlows({flow}, clock.now()));
    StepRecord step;
    step.flowId = ids.first();
    step.seq = 0;
    step.name = u"produce"_s;
    step.status = StepStatus::Completed;
    step.resultJson = stored;
    step.attempts = 1;
    LogBatch batch;
    batch.steps.append(step);
    ERGON_TRY(refused, log->write(batch));
    QVERIFY(refused.isEmpty());

    FlowExecutor executor(*log, registry, clock);
    ERGON_AWAIT_OUTCOME(outcome, executor.run(ids.first()));
    QCOMPARE(outcome.status, FlowStatus::Failed);
    ERGON_TRY(record, log->flow(ids.first()));
    QCOMPARE(record->status, FlowStatus::Failed);
    for (const QString &error : {outcome.error, record->error}) {
        QVERIFY2(error.contains(u"'produce'"_s), qPrintable(error));
        QVERIFY2(error.contains(u"decode"_s), qPrintable(error));
        QVERIFY2(error.contains(mention), qPrintable(u"'%1' not in: %2"_s.arg(mention, error)));
    }
    QCOMPARE(ints.produced + bytes.produced + dates.produced + lists.produced, 0); // not run again
    ERGON_TRY(steps, log->steps(ids.first(), false));
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps.first().resultJson, stored); // the stored value is left as it was
}

QTEST_GUILESS_MAIN(TestCodec)
#include "tst_codec.moc"
