#pragma once

#include <QLocale>
#include <QString>

namespace ergon {

/// Installs the console's translation for a locale into the running application: its own
/// (:/i18n/ergon-console_<lang>.qm, compiled from ui/translations/) and Qt's (qtbase_<lang>.qm,
/// for the standard buttons and dialogs), each when there is one. Returns the console's file it
/// loaded, or nothing when the locale has none (the texts then stay as written, in English).
QString installConsoleTranslations(const QLocale &locale = QLocale());

} // namespace ergon
