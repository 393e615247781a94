#include "models/flowformat.h"

#include "ergon/jsontext.h"

#include <QIcon>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QPainter>
#include <QPalette>
#include <QPixmap>

#include <array>
#include <cmath>

namespace ergon::flowformat {

namespace {

// One hue per status, chosen to be told apart by people with the common colour deficiencies
// (blue / amber / green / red differ in lightness too). isDark() picks the variant.
QColor baseColor(int hueIndex)
{
    static constexpr std::array<QRgb, 6> colors{
        0x8a94a6, // pending: slate
        0x2f80ed, // running: blue
        0xd9940b, // waiting: amber
        0x2ea05a, // completed: green
        0xd64545, // failed: red
        0x6b7280, // cancelled: grey
    };
    return QColor::fromRgb(colors.at(std::size_t(hueIndex)));
}

QColor forPalette(QColor color, const QPalette &palette)
{
    return isDark(palette) ? color.lighter(135) : color;
}

} // namespace

QString time(const QDateTime &time, const QDate &today)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    if (today.isValid() && local.date() == today)
        return local.toString(QStringLiteral("HH:mm:ss"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString shortTime(const QDateTime &time, const QDate &today)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    if (local.date() == today)
        return local.toString(QStringLiteral("HH:mm:ss"));
    if (local.date().year() == today.year())
        return QLocale().toString(local, QStringLiteral("d MMM HH:mm"));
    return local.toString(QStringLiteral("yyyy-MM-dd"));
}

QString preciseTime(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QString prettyJson(const QByteArray &jsonText)
{
    if (jsonText.isEmpty())
        return {};
    auto value = fromJsonText(jsonText);
    if (!value)
        return QString::fromUtf8(jsonText);
    if (value->isObject())
        return prettyJson(value->toObject());
    if (value->isArray())
        return QString::fromUtf8(QJsonDocument(value->toArray()).toJson(QJsonDocument::Indented)).trimmed();
    return QString::fromUtf8(toJsonText(*value));
}

QString prettyJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)).trimmed();
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < palette.color(QPalette::Text).lightness();
}

QColor statusColor(FlowStatus status, const QPalette &palette)
{
    return forPalette(baseColor(int(status)), palette);
}

QColor statusColor(StepStatus status, const QPalette &palette)
{
    switch (status) {
    case StepStatus::Running:
        return statusColor(FlowStatus::Running, palette);
    case StepStatus::Retrying:
        return statusColor(FlowStatus::Waiting, palette);
    case StepStatus::Completed:
        return statusColor(FlowStatus::Completed, palette);
    case StepStatus::Failed:
        return statusColor(FlowStatus::Failed, palette);
    }
    return palette.color(QPalette::Text);
}

QIcon statusIcon(FlowStatus status, const QPalette &palette)
{
    // Two sets, light and dark, painted on first use.
    static std::array<std::array<QIcon, 6>, 2> icons;
    QIcon &icon = icons.at(isDark(palette) ? 1 : 0).at(std::size_t(status));
    if (icon.isNull()) {
        QPixmap pixmap(32, 32);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(statusColor(status, palette));
        painter.drawEllipse(QRectF(7, 7, 18, 18));
        painter.end();
        icon = QIcon(pixmap);
    }
    return icon;
}

} // namespace ergon::flowformat
