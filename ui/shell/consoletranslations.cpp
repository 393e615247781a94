#include "shell/consoletranslations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

namespace ergon {

QString installConsoleTranslations(const QLocale &locale)
{
    QCoreApplication *app = QCoreApplication::instance();
    if (!app)
        return {};
    // Qt's own texts first: the console's, installed last, are looked up first.
    auto *qt = new QTranslator(app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    auto *console = new QTranslator(app);
    if (!console->load(locale, QStringLiteral("ergon-console"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        delete console;
        return {};
    }
    QCoreApplication::installTranslator(console);
    return console->filePath();
}

} // namespace ergon
