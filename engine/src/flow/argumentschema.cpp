#include "ergon/argumentschema.h"
#include "ergon/jsontext.h"

#include <cmath>

namespace ergon {

namespace {
QString schemaKind()
{
    return QStringLiteral("arguments");
}

bool isInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return false;
    const double number = value.toDouble();
    return std::trunc(number) == number && std::abs(number) < 9007199254740992.0;
}
} // namespace

QString ArgumentSpec::typeName(Type type)
{
    switch (type) {
    case Type::String:
        return QStringLiteral("string");
    case Type::Number:
        return QStringLiteral("number");
    case Type::Integer:
        return QStringLiteral("int");
    case Type::Boolean:
        return QStringLiteral("bool");
    case Type::Object:
        return QStringLiteral("object");
    case Type::Array:
        return QStringLiteral("array");
    case Type::Any:
        break;
    }
    return QStringLiteral("any");
}

std::optional<ArgumentSpec::Type> ArgumentSpec::typeFromName(const QString &name)
{
    static const QHash<QString, Type> names{
        {QStringLiteral("string"), Type::String}, {QStringLiteral("number"), Type::Number},
        {QStringLiteral("int"), Type::Integer},   {QStringLiteral("integer"), Type::Integer},
        {QStringLiteral("bool"), Type::Boolean},  {QStringLiteral("boolean"), Type::Boolean},
        {QStringLiteral("object"), Type::Object}, {QStringLiteral("array"), Type::Array},
        {QStringLiteral("any"), Type::Any},
    };
    const auto it = names.constFind(name);
    if (it == names.cend())
        return std::nullopt;
    return *it;
}

bool ArgumentSpec::accepts(const QJsonValue &value) const
{
    switch (type) {
    case Type::String:
        return value.isString();
    case Type::Number:
        return value.isDouble();
    case Type::Integer:
        return isInteger(value);
    case Type::Boolean:
        return value.isBool();
    case Type::Object:
        return value.isObject();
    case Type::Array:
        return value.isArray();
    case Type::Any:
        break;
    }
    return !value.isUndefined();
}

ArgumentSchema::ArgumentSchema(QList<ArgumentSpec> fields)
    : m_fields(std::move(fields))
{
}

Result<ArgumentSchema> ArgumentSchema::fromJson(const QJsonValue &json)
{
    if (json.isUndefined() || json.isNull())
        return ArgumentSchema();
    if (!json.isArray())
        return Error(QStringLiteral("\"arguments\" must be an array, got %1").arg(describeJsonType(json)),
                     schemaKind());
    QList<ArgumentSpec> fields;
    const QJsonArray array = json.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject object = array.at(i).toObject();
        ArgumentSpec spec;
        spec.name = object.value(QLatin1String("name")).toString();
        if (spec.name.isEmpty())
            return Error(QStringLiteral("argument #%1 has no \"name\"").arg(i + 1), schemaKind());
        const QString typeName = object.value(QLatin1String("type")).toString(QStringLiteral("any"));
        const auto type = ArgumentSpec::typeFromName(typeName);
        if (!type)
            return Error(QStringLiteral("argument '%1' has unknown type \"%2\"").arg(spec.name, typeName),
                         schemaKind());
        spec.type = *type;
        spec.defaultValue = object.value(QLatin1String("default"));
        spec.required = object.value(QLatin1String("required")).toBool(false);
        spec.description = object.value(QLatin1String("description")).toString();
        if (!spec.defaultValue.isUndefined() && !spec.accepts(spec.defaultValue))
            return Error(QStringLiteral("argument '%1': default %2 is not of type %3")
                             .arg(spec.name, QString::fromUtf8(toJsonText(spec.defaultValue)), typeName),
                         schemaKind());
        for (const ArgumentSpec &earlier : std::as_const(fields)) {
            if (earlier.name == spec.name)
                return Error(QStringLiteral("argument '%1' is declared twice").arg(spec.name), schemaKind());
        }
        fields.append(std::move(spec));
    }
    return ArgumentSchema(std::move(fields));
}

QJsonArray ArgumentSchema::toJson() const
{
    QJsonArray array;
    for (const ArgumentSpec &spec : m_fields) {
        QJsonObject object{
            {QStringLiteral("name"), spec.name},
            {QStringLiteral("type"), ArgumentSpec::typeName(spec.type)},
            {QStringLiteral("required"), spec.required},
            {QStringLiteral("description"), spec.description},
        };
        if (!spec.defaultValue.isUndefined())
            object.insert(QStringLiteral("default"), spec.defaultValue);
        array.append(object);
    }
    return array;
}

const ArgumentSpec *ArgumentSchema::field(const QString &name) const
{
    for (const ArgumentSpec &spec : m_fields) {
        if (spec.name == name)
            return &spec;
    }
    return nullptr;
}

Result<QJsonObject> ArgumentSchema::validate(const QJsonObject &arguments) const
{
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        const ArgumentSpec *spec = field(it.key());
        if (!spec)
            return Error(QStringLiteral("unknown argument '%1'").arg(it.key()), schemaKind());
        if (!spec->accepts(it.value()))
            return Error(QStringLiteral("argument '%1' must be of type %2, got %3")
                             .arg(it.key(), ArgumentSpec::typeName(spec->type), describeJsonType(it.value())),
                         schemaKind());
    }
    QJsonObject complete = arguments;
    for (const ArgumentSpec &spec : m_fields) {
        if (complete.contains(spec.name))
            continue;
        if (!spec.defaultValue.isUndefined())
            complete.insert(spec.name, spec.defaultValue);
        else if (spec.required)
            return Error(QStringLiteral("missing required argument '%1'").arg(spec.name), schemaKind());
    }
    return complete;
}

} // namespace ergon
