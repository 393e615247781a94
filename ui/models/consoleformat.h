#pragma once

#include "ergon/records.h"

#include <QColor>
#include <QIcon>
#include <QString>

#include <chrono>

class QPalette;

namespace ergon {

/// Colours and texts shared by the console's models and pages (Qt Gui only: the models use
/// them without widgets). Colours are derived from the palette they are shown on, so that they
/// read on light and dark themes alike: the same hue, lighter on a dark background and deeper
/// on a light one. The widget side (themes applied, table look) is in shell/consolestyle.h.
namespace style {

/// Whether the palette's window is dark (a dark theme).
bool isDark(const QPalette &palette);

/// A hue adjusted for the palette: its lightness moved away from the window's.
QColor adapted(const QColor &color, const QPalette &palette);

QColor statusColor(FlowStatus status, const QPalette &palette);
QColor workerStatusColor(WorkerStatus status, const QPalette &palette);
/// Text of lesser importance: the palette's placeholder text colour.
QColor mutedText(const QPalette &palette);

/// The smallest round number (1, 2, 2.5 or 5 times a power of ten, times `ticks`) at least
/// value: an axis top with even, readable steps; `ticks` for nothing.
double niceCeiling(double value, int ticks = 4);

/// A filled circle in the colour, for status columns and legends.
QIcon dot(const QColor &color);

/// "850 ms", "4.2 s", "3 min 12 s", "2 h 05 min", "3 d 4 h".
QString duration(std::chrono::milliseconds duration);
/// "12 s ago", "just now".
QString ago(std::chrono::milliseconds age);
/// A count with the locale's digit grouping: "1,234,567".
QString count(qint64 value);
/// A local date and time, without the date when it is today.
QString localTime(const QDateTime &time, const QDateTime &now);

/// The console's themes: the system's (style and palette as the desktop gives them), or Qt's
/// Fusion style with a light or a dark palette, for desktops that offer no dark theme.
enum class Theme { System, Light, Dark };
Theme themeFromName(const QString &name, bool *ok = nullptr);
QString themeName(Theme theme);

/// A file path as the console shows it: native separators, the home folder as "~".
QString displayPath(const QString &path);

} // namespace style

} // namespace ergon
