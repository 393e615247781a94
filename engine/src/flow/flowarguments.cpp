#include "ergon/flowarguments.h"
#include "ergon/jsontext.h"

#include <cmath>

namespace ergon {

namespace {
bool isString(const QJsonValue &value)
{
    return value.isString();
}
bool isNumber(const QJsonValue &value)
{
    return value.isDouble();
}
bool isInteger(const QJsonValue &value)
{
    return value.isDouble() && std::trunc(value.toDouble()) == value.toDouble();
}
bool isBoolean(const QJsonValue &value)
{
    return value.isBool();
}
} // namespace

FlowArguments::FlowArguments(QJsonObject arguments)
    : m_arguments(std::move(arguments))
{
}

std::optional<QJsonValue> FlowArguments::fetch(const QString &name, const char *expected, bool required,
                                               bool (*matches)(const QJsonValue &))
{
    const QJsonValue value = m_arguments.value(name);
    if (value.isUndefined()) {
        if (required)
            fail(Error(QStringLiteral("missing required argument '%1'").arg(name), QStringLiteral("arguments")));
        return std::nullopt;
    }
    if (!matches(value)) {
        fail(Error(QStringLiteral("argument '%1' must be %2, got %3")
                       .arg(name, QLatin1String(expected), describeJsonType(value)),
                   QStringLiteral("arguments")));
        return std::nullopt;
    }
    return value;
}

void FlowArguments::fail(Error error)
{
    if (!m_error)
        m_error = std::move(error);
}

QString FlowArguments::string(const QString &name)
{
    return fetch(name, "a string", true, isString).value_or(QJsonValue()).toString();
}

QString FlowArguments::string(const QString &name, const QString &fallback)
{
    const auto value = fetch(name, "a string", false, isString);
    return value ? value->toString() : fallback;
}

double FlowArguments::number(const QString &name)
{
    return fetch(name, "a number", true, isNumber).value_or(QJsonValue(0.0)).toDouble();
}

double FlowArguments::number(const QString &name, double fallback)
{
    const auto value = fetch(name, "a number", false, isNumber);
    return value ? value->toDouble() : fallback;
}

qint64 FlowArguments::integer(const QString &name)
{
    return qint64(fetch(name, "an integer", true, isInteger).value_or(QJsonValue(0.0)).toDouble());
}

qint64 FlowArguments::integer(const QString &name, qint64 fallback)
{
    const auto value = fetch(name, "an integer", false, isInteger);
    return value ? qint64(value->toDouble()) : fallback;
}

bool FlowArguments::boolean(const QString &name)
{
    return fetch(name, "a boolean", true, isBoolean).value_or(QJsonValue(false)).toBool();
}

bool FlowArguments::boolean(const QString &name, bool fallback)
{
    const auto value = fetch(name, "a boolean", false, isBoolean);
    return value ? value->toBool() : fallback;
}

} // namespace ergon
