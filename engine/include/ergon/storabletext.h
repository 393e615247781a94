#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>

namespace ergon {

/// Checks of text that comes from outside (command lines, forms, JSON, signal payloads) before
/// it is stored: what the log stores must read back as it was given, so nothing is replaced or
/// cut on the way. Refused, with an error of kind "invalid-text" naming `what`:
/// - bytes that are not valid UTF-8 (they would become U+FFFD, and two keys would collide);
/// - a QString that is not valid UTF-16 (a lone surrogate, which UTF-8 cannot hold);
/// - a NUL character, which PostgreSQL's TEXT cannot hold and C strings (paths) cut at.

/// Decodes UTF-8 strictly: invalid bytes are an error, never U+FFFD.
Result<QString> decodeUtf8Strictly(const QByteArray &bytes, const QString &what);

/// The text as it may be stored: valid UTF-16, no NUL.
Result<void> checkStorableText(const QString &text, const QString &what);

/// Every string and every object key inside the value, as checkStorableText(); the error names
/// the member at fault ("--args: 'witness' contains a NUL character").
Result<void> checkStorableJson(const QJsonValue &value, const QString &what);

} // namespace ergon
