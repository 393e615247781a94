#pragma once

#include "result.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace ergon {

/// Reads a flow's JSON arguments in its constructor. A missing or wrongly typed field is
/// remembered as the first error (naming the field) and a neutral value is returned, so a
/// constructor can read every field and the factory reports the fault afterwards.
class FlowArguments
{
public:
    explicit FlowArguments(QJsonObject arguments);

    QString string(const QString &name);
    QString string(const QString &name, const QString &fallback);
    double number(const QString &name);
    double number(const QString &name, double fallback);
    qint64 integer(const QString &name);
    qint64 integer(const QString &name, qint64 fallback);
    bool boolean(const QString &name);
    bool boolean(const QString &name, bool fallback);
    QJsonValue value(const QString &name) const { return m_arguments.value(name); }

    const QJsonObject &json() const { return m_arguments; }
    const std::optional<Error> &error() const { return m_error; }

private:
    std::optional<QJsonValue> fetch(const QString &name, const char *expected, bool required,
                                    bool (*matches)(const QJsonValue &));
    void fail(Error error);

    QJsonObject m_arguments;
    std::optional<Error> m_error;
};

} // namespace ergon
