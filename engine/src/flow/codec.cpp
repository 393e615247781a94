#include "ergon/codec.h"

#include <cmath>

namespace ergon::detail {

namespace {
// Doubles represent every integer up to 2^53 exactly; beyond that integers are strings.
constexpr qint64 maxExactDouble = qint64(1) << 53;

QString decodeKind()
{
    return QStringLiteral("decode");
}
} // namespace

Error decodeError(const QString &expected, const QJsonValue &found)
{
    return Error(QStringLiteral("expected %1, found %2").arg(expected, describeJsonType(found)), decodeKind());
}

QJsonValue encodeInteger(qint64 value)
{
    if (value > -maxExactDouble && value < maxExactDouble)
        return double(value);
    return QString::number(value);
}

QJsonValue encodeUnsigned(quint64 value)
{
    if (value < quint64(maxExactDouble))
        return double(value);
    return QString::number(value);
}

Result<qint64> decodeInteger(const QJsonValue &value, qint64 min, qint64 max)
{
    qint64 result = 0;
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::trunc(number) != number || std::abs(number) >= double(maxExactDouble))
            return Error(QStringLiteral("expected an integer, found %1").arg(number), decodeKind());
        result = qint64(number);
    } else if (value.isString()) {
        bool ok = false;
        result = value.toString().toLongLong(&ok);
        if (!ok)
            return Error(QStringLiteral("expected an integer, found the string \"%1\"").arg(value.toString()),
                         decodeKind());
    } else {
        return decodeError(QStringLiteral("an integer"), value);
    }
    if (result < min || result > max)
        return Error(QStringLiteral("integer %1 out of range [%2, %3]").arg(result).arg(min).arg(max), decodeKind());
    return result;
}

Result<quint64> decodeUnsigned(const QJsonValue &value, quint64 max)
{
    quint64 result = 0;
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::trunc(number) != number || number < 0 || number >= double(maxExactDouble))
            return Error(QStringLiteral("expected an unsigned integer, found %1").arg(number), decodeKind());
        result = quint64(number);
    } else if (value.isString()) {
        bool ok = false;
        result = value.toString().toULongLong(&ok);
        if (!ok)
            return Error(QStringLiteral("expected an unsigned integer, found the string \"%1\"").arg(value.toString()),
                         decodeKind());
    } else {
        return decodeError(QStringLiteral("an unsigned integer"), value);
    }
    if (result > max)
        return Error(QStringLiteral("integer %1 out of range [0, %2]").arg(result).arg(max), decodeKind());
    return result;
}

} // namespace ergon::detail

namespace ergon {

Result<QString> Codec<QString>::decode(const QJsonValue &json)
{
    if (!json.isString())
        return detail::decodeError(QStringLiteral("a string"), json);
    return json.toString();
}

QJsonValue Codec<QByteArray>::encode(const QByteArray &value)
{
    return QString::fromLatin1(value.toBase64());
}

Result<QByteArray> Codec<QByteArray>::decode(const QJsonValue &json)
{
    if (!json.isString())
        return detail::decodeError(QStringLiteral("base64 text"), json);
    auto decoded = QByteArray::fromBase64Encoding(json.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return Error(QStringLiteral("expected base64 text, found \"%1\"").arg(json.toString()),
                     QStringLiteral("decode"));
    return *decoded;
}

QJsonValue Codec<QDateTime>::encode(const QDateTime &value)
{
    if (!value.isValid())
        return QJsonValue(QJsonValue::Null);
    return value.toUTC().toString(Qt::ISODateWithMs);
}

Result<QDateTime> Codec<QDateTime>::decode(const QJsonValue &json)
{
    if (json.isNull())
        return QDateTime();
    if (!json.isString())
        return detail::decodeError(QStringLiteral("an ISO 8601 date-time"), json);
    QDateTime value = QDateTime::fromString(json.toString(), Qt::ISODateWithMs);
    if (!value.isValid())
        return Error(QStringLiteral("expected an ISO 8601 date-time, found \"%1\"").arg(json.toString()),
                     QStringLiteral("decode"));
    return value.toUTC();
}

} // namespace ergon
