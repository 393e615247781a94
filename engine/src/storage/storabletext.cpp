#include "ergon/storabletext.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringDecoder>

namespace ergon {

namespace {

const QString invalidTextKind = QStringLiteral("invalid-text");

Result<void> checkMember(const QJsonValue &value, const QString &what, const QString &path)
{
    const QString where = path.isEmpty() ? what : QStringLiteral("%1: '%2'").arg(what, path);
    switch (value.type()) {
    case QJsonValue::String:
        return checkStorableText(value.toString(), where);
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (auto checked = checkMember(array.at(i), what, QStringLiteral("%1[%2]").arg(path).arg(i)); !checked)
                return checked;
        }
        return {};
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            const QString member = path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key();
            if (auto key = checkStorableText(it.key(), QStringLiteral("%1: a member name").arg(what)); !key)
                return key;
            if (auto checked = checkMember(it.value(), what, member); !checked)
                return checked;
        }
        return {};
    }
    default:
        return {};
    }
}

} // namespace

Result<QString> decodeUtf8Strictly(const QByteArray &bytes, const QString &what)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return Error(QStringLiteral("%1 is not valid UTF-8").arg(what), invalidTextKind);
    return text;
}

Result<void> checkStorableText(const QString &text, const QString &what)
{
    if (!text.isValidUtf16())
        return Error(QStringLiteral("%1 is not valid Unicode (a lone surrogate)").arg(what), invalidTextKind);
    if (text.contains(QChar(u'\0')))
        return Error(QStringLiteral("%1 contains a NUL character").arg(what), invalidTextKind);
    return {};
}

Result<void> checkStorableJson(const QJsonValue &value, const QString &what)
{
    return checkMember(value, what, QString());
}

} // namespace ergon
