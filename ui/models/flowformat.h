#pragma once

#include "ergon/records.h"

#include <QColor>
#include <QDateTime>
#include <QIcon>
#include <QString>

class QPalette;

namespace ergon {

/// How the Flows page writes times and JSON (durations: style::duration, the console's one format), and which colour
/// stands for a status. Kept in one place so that the table, the detail pane and the timeline agree.
namespace flowformat {

/// A time in local time, "yyyy-MM-dd HH:mm:ss"; the date is left out when it is `today`'s.
QString time(const QDateTime &time, const QDate &today = {});
/// A time for a table column: "HH:mm:ss" today, "d MMM HH:mm" this year, else "yyyy-MM-dd".
QString shortTime(const QDateTime &time, const QDate &today);
/// The time in ISO 8601 UTC with milliseconds, for tooltips.
QString preciseTime(const QDateTime &time);

/// JSON text indented for reading; a stored text that does not parse is shown as it is.
QString prettyJson(const QByteArray &jsonText);
QString prettyJson(const QJsonObject &object);

/// The status's accent colour, adjusted so that it reads on the palette's base colour (darker
/// on light themes, lighter on dark ones).
QColor statusColor(FlowStatus status, const QPalette &palette);
QColor statusColor(StepStatus status, const QPalette &palette);
/// A round dot of the status's colour, for tables.
QIcon statusIcon(FlowStatus status, const QPalette &palette);

/// True when the palette is a dark theme (light text on a dark base).
bool isDark(const QPalette &palette);

} // namespace flowformat
} // namespace ergon
