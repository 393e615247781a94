#pragma once

#include "models/consoleformat.h"

class QLabel;
class QTableView;
class QWidget;

namespace ergon {

/// The widget side of the console's look; colours and texts are in models/consoleformat.h.
namespace style {

/// Applies the theme to the application; the pages follow through their palette-change events.
void applyTheme(Theme theme);

/// The console's table look: whole rows selected, alternating rows, no grid, comfortable row
/// height, headers aligned like their columns, the last column stretched.
void setUpTableView(QTableView *view);
/// A page or section heading: bold, a step larger than the text.
void makeHeading(QLabel *label, double scale = 1.25);
/// Sets the colour a widget's text is drawn in (WindowText and Text).
void setTextColor(QWidget *widget, const QColor &color);
/// A note in the muted text colour (placeholders, captions), from the label's palette as it is
/// now: call it again on a palette change.
void makeMuted(QLabel *label);

} // namespace style

} // namespace ergon
