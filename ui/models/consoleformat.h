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

/// A value axis from 0: its top, how many ticks (gridlines, 0 and the top included) and the
/// decimals its labels need so that every label says exactly the value of its gridline.
struct AxisScale {
    double top = 4;
    int tickCount = 5;
    int decimals = 0;
    bool operator==(const AxisScale &) const = default;
};

/// The axis for values up to `maximum` (with 5 % headroom), never ending below `minimumTop`:
/// at most five equal steps of 1, 2 or 5 times a power of ten, the smallest that fit. For counts (`wholeSteps`) every
/// step is a whole number, so that no gridline falls between two counts (a "3" on 2.5); rates
/// may also step by 2.5 times a power of ten, labelled with the decimals the step needs.
AxisScale axisScale(double maximum, double minimumTop, bool wholeSteps);

/// A filled circle in the colour, for status columns and legends.
QIcon dot(const QColor &color);

/// Every duration the console shows, one way: "850 ms", "4.2 s", "4 s", "42 s", "3 min 12 s",
/// "1 min 05 s", "2 h 05 min", "3 d 4 h". Negative durations (clocks apart) read as 0 ms.
QString duration(std::chrono::milliseconds duration);
/// The duration between two times, or an empty text when either is invalid.
QString duration(const QDateTime &from, const QDateTime &to);
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
