#pragma once

#include "jsontext.h"
#include "result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>

#include <concepts>
#include <limits>
#include <optional>
#include <type_traits>

namespace ergon {

/// How a step's result is stored: Codec<T>::encode() turns a value into JSON and
/// Codec<T>::decode() turns it back, or explains why it cannot.
///
/// Supported out of the box: bool, every integer type, float and double, QString, QByteArray
/// (base64), QDateTime (ISO 8601 with milliseconds, UTC), QJsonValue / QJsonObject /
/// QJsonArray, std::optional, QList and QMap<QString, …> of those, and any user type with
///     QJsonValue toJson() const;            and
///     static ergon::Result<T> fromJson(const QJsonValue &);
/// A type can also get a Codec by specialising ergon::Codec<T>.
template<typename T, typename Enable = void>
struct Codec;

namespace detail {
Error decodeError(const QString &expected, const QJsonValue &found);
Result<qint64> decodeInteger(const QJsonValue &value, qint64 min, qint64 max);
Result<quint64> decodeUnsigned(const QJsonValue &value, quint64 max);
QJsonValue encodeInteger(qint64 value);
QJsonValue encodeUnsigned(quint64 value);
} // namespace detail

template<typename T>
concept Encodable = requires(const T &value, const QJsonValue &json)
{
    {
        Codec<T>::encode(value)
        } -> std::convertible_to<QJsonValue>;
    {
        Codec<T>::decode(json)
        } -> std::same_as<Result<T>>;
};

template<typename T>
concept JsonConvertible = requires(const T &value, const QJsonValue &json)
{
    {
        value.toJson()
        } -> std::convertible_to<QJsonValue>;
    {
        T::fromJson(json)
        } -> std::same_as<Result<T>>;
};

template<>
struct Codec<bool> {
    static QJsonValue encode(bool value) { return value; }
    static Result<bool> decode(const QJsonValue &json)
    {
        if (!json.isBool())
            return detail::decodeError(QStringLiteral("a boolean"), json);
        return json.toBool();
    }
};

// Integers beyond ±2^53 do not survive a JSON double: they are stored as decimal strings.
template<std::signed_integral T>
struct Codec<T, std::enable_if_t<!std::is_same_v<T, bool>>> {
    static QJsonValue encode(T value) { return detail::encodeInteger(value); }
    static Result<T> decode(const QJsonValue &json)
    {
        auto value = detail::decodeInteger(json, std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
        if (!value)
            return value.error();
        return static_cast<T>(*value);
    }
};

template<std::unsigned_integral T>
struct Codec<T, std::enable_if_t<!std::is_same_v<T, bool>>> {
    static QJsonValue encode(T value) { return detail::encodeUnsigned(value); }
    static Result<T> decode(const QJsonValue &json)
    {
        auto value = detail::decodeUnsigned(json, std::numeric_limits<T>::max());
        if (!value)
            return value.error();
        return static_cast<T>(*value);
    }
};

template<std::floating_point T>
struct Codec<T> {
    static QJsonValue encode(T value) { return double(value); }
    static Result<T> decode(const QJsonValue &json)
    {
        if (!json.isDouble())
            return detail::decodeError(QStringLiteral("a number"), json);
        return static_cast<T>(json.toDouble());
    }
};

template<>
struct Codec<QString> {
    static QJsonValue encode(const QString &value) { return value; }
    static Result<QString> decode(const QJsonValue &json);
};

template<>
struct Codec<QByteArray> {
    static QJsonValue encode(const QByteArray &value);
    static Result<QByteArray> decode(const QJsonValue &json);
};

template<>
struct Codec<QDateTime> {
    static QJsonValue encode(const QDateTime &value);
    static Result<QDateTime> decode(const QJsonValue &json);
};

template<>
struct Codec<QJsonValue> {
    static QJsonValue encode(const QJsonValue &value) { return value; }
    static Result<QJsonValue> decode(const QJsonValue &json) { return json; }
};

template<>
struct Codec<QJsonObject> {
    static QJsonValue encode(const QJsonObject &value) { return value; }
    static Result<QJsonObject> decode(const QJsonValue &json)
    {
        if (!json.isObject())
            return detail::decodeError(QStringLiteral("an object"), json);
        return json.toObject();
    }
};

template<>
struct Codec<QJsonArray> {
    static QJsonValue encode(const QJsonArray &value) { return value; }
    static Result<QJsonArray> decode(const QJsonValue &json)
    {
        if (!json.isArray())
            return detail::decodeError(QStringLiteral("an array"), json);
        return json.toArray();
    }
};

template<Encodable T>
struct Codec<std::optional<T>> {
    static QJsonValue encode(const std::optional<T> &value)
    {
        return value ? QJsonValue(Codec<T>::encode(*value)) : QJsonValue(QJsonValue::Null);
    }
    static Result<std::optional<T>> decode(const QJsonValue &json)
    {
        if (json.isNull())
            return std::optional<T>();
        auto inner = Codec<T>::decode(json);
        if (!inner)
            return inner.error();
        return std::optional<T>(inner.take());
    }
};

template<Encodable T>
struct Codec<QList<T>> {
    static QJsonValue encode(const QList<T> &values)
    {
        QJsonArray array;
        for (const T &value : values)
            array.append(Codec<T>::encode(value));
        return array;
    }
    static Result<QList<T>> decode(const QJsonValue &json)
    {
        if (!json.isArray())
            return detail::decodeError(QStringLiteral("an array"), json);
        const QJsonArray array = json.toArray();
        QList<T> values;
        values.reserve(array.size());
        for (qsizetype i = 0; i < array.size(); ++i) {
            auto item = Codec<T>::decode(array.at(i));
            if (!item)
                return item.error().prefixed(QStringLiteral("[%1]").arg(i));
            values.append(item.take());
        }
        return values;
    }
};

template<Encodable T>
struct Codec<QMap<QString, T>> {
    static QJsonValue encode(const QMap<QString, T> &values)
    {
        QJsonObject object;
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            object.insert(it.key(), Codec<T>::encode(it.value()));
        return object;
    }
    static Result<QMap<QString, T>> decode(const QJsonValue &json)
    {
        if (!json.isObject())
            return detail::decodeError(QStringLiteral("an object"), json);
        const QJsonObject object = json.toObject();
        QMap<QString, T> values;
        for (auto it = object.begin(); it != object.end(); ++it) {
            auto item = Codec<T>::decode(it.value());
            if (!item)
                return item.error().prefixed(QStringLiteral("[\"%1\"]").arg(it.key()));
            values.insert(it.key(), item.take());
        }
        return values;
    }
};

template<JsonConvertible T>
struct Codec<T> {
    static QJsonValue encode(const T &value) { return value.toJson(); }
    static Result<T> decode(const QJsonValue &json) { return T::fromJson(json); }
};

/// Encodes a value to stored JSON text.
template<Encodable T>
QByteArray encodeToText(const T &value)
{
    return toJsonText(Codec<T>::encode(value));
}

/// Decodes stored JSON text; a fault in the text or in the value's shape is a clear error.
template<Encodable T>
Result<T> decodeFromText(const QByteArray &text)
{
    auto json = fromJsonText(text);
    if (!json)
        return json.error();
    return Codec<T>::decode(*json);
}

} // namespace ergon
