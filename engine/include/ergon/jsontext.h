#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>

namespace ergon {

/// Compact JSON text of any JSON value, scalars included (QJsonDocument only takes objects
/// and arrays). This is how step results, flow results and arguments are stored.
QByteArray toJsonText(const QJsonValue &value);
/// Parses JSON text of any value; a clear error names the offset of the fault.
Result<QJsonValue> fromJsonText(const QByteArray &text);
/// Parses JSON text that must hold an object (flow arguments).
Result<QJsonObject> objectFromJsonText(const QByteArray &text);

/// A readable name of a JSON value's type, for error messages ("a string", "null", ...).
QString describeJsonType(const QJsonValue &value);

} // namespace ergon
