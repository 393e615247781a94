#pragma once

#include "result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace ergon {

/// One field of a flow type's arguments, as declared in a plugin's metadata.
struct ArgumentSpec {
    enum class Type { String, Number, Integer, Boolean, Object, Array, Any };

    QString name;
    Type type = Type::Any;
    QJsonValue defaultValue{QJsonValue::Undefined}; ///< Undefined when the field has no default.
    bool required = false;
    QString description;

    static QString typeName(Type type);
    static std::optional<Type> typeFromName(const QString &name);
    bool accepts(const QJsonValue &value) const;
};

/// The arguments a flow type takes. validate() is what the scheduler runs before a flow is
/// stored: it rejects unknown fields, missing required fields and wrong types, naming the
/// field, and fills in defaults.
class ArgumentSchema
{
public:
    ArgumentSchema() = default;
    explicit ArgumentSchema(QList<ArgumentSpec> fields);

    /// Reads the "arguments" array of plugin metadata:
    /// [{"name": "order_id", "type": "string", "required": true, "description": "..."}, ...]
    static Result<ArgumentSchema> fromJson(const QJsonValue &json);
    QJsonArray toJson() const;

    const QList<ArgumentSpec> &fields() const { return m_fields; }
    const ArgumentSpec *field(const QString &name) const;

    /// The arguments with defaults filled in, or the first fault found.
    Result<QJsonObject> validate(const QJsonObject &arguments) const;

private:
    QList<ArgumentSpec> m_fields;
};

} // namespace ergon
