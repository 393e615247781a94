#include "ergon/jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace ergon {

// QJsonDocument holds only objects and arrays: a scalar is written inside a one-element array
// whose brackets are then cut off, which leaves valid JSON text of the scalar itself.
QByteArray toJsonText(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    // The common scalars directly: a step result is often a number or a flag, and the general
    // path below costs three allocations.
    switch (value.type()) {
    case QJsonValue::Undefined:
    case QJsonValue::Null:
        return QByteArrayLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case QJsonValue::Double: {
        const double number = value.toDouble();
        if (std::isfinite(number) && number == std::trunc(number) && std::abs(number) < 9007199254740992.0)
            return QByteArray::number(qint64(number));
        break;
    }
    default:
        break;
    }
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

Result<QJsonValue> fromJsonText(const QByteArray &text)
{
    const QByteArray trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return Error(QStringLiteral("empty JSON text"), QStringLiteral("json"));
    QJsonParseError parseError;
    const bool container = trimmed.startsWith('{') || trimmed.startsWith('[');
    const QByteArray input = container ? trimmed : QByteArray('[' + trimmed + ']');
    const QJsonDocument document = QJsonDocument::fromJson(input, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const int offset = container ? parseError.offset : std::max(0, parseError.offset - 1);
        return Error(QStringLiteral("malformed JSON at offset %1: %2").arg(offset).arg(parseError.errorString()),
                     QStringLiteral("json"));
    }
    if (document.isObject())
        return QJsonValue(document.object());
    if (container)
        return QJsonValue(document.array());
    const QJsonArray array = document.array();
    if (array.size() != 1)
        return Error(QStringLiteral("malformed JSON: more than one value"), QStringLiteral("json"));
    return array.first();
}

Result<QJsonObject> objectFromJsonText(const QByteArray &text)
{
    auto value = fromJsonText(text);
    if (!value)
        return value.error();
    if (!value->isObject())
        return Error(QStringLiteral("expected a JSON object, got %1").arg(describeJsonType(*value)),
                     QStringLiteral("json"));
    return value->toObject();
}

QString describeJsonType(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

} // namespace ergon
