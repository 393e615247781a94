#include "clicontext.h"

#include <ergon/openexecutionlog.h>
#include <ergon/plugincatalog.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace ergon::cli {

Context::Context(const Verb &verb, const QCommandLineParser &parser, QString argument, QString databasePath,
                 bool isDefaultDatabase, QStringList pluginFolders, QTextStream &out, QTextStream &err)
    : m_verb(verb)
    , m_parser(parser)
    , m_argument(std::move(argument))
    , m_databasePath(std::move(databasePath))
    , m_isDefaultDatabase(isDefaultDatabase)
    , m_pluginFolders(std::move(pluginFolders))
    , m_out(out)
    , m_err(err)
{
}

void Context::printJson(const QJsonValue &value)
{
    const QJsonDocument document = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    m_out << QString::fromUtf8(document.toJson(QJsonDocument::Indented));
    m_out.flush();
}

bool Context::isSet(const QString &option) const
{
    return m_parser.isSet(option);
}

QString Context::value(const QString &option) const
{
    return m_parser.value(option);
}

Result<qint64> Context::integer(const QString &option, qint64 fallback, const limits::Range &range) const
{
    if (!m_parser.isSet(option))
        return fallback;
    const QString text = m_parser.value(option);
    bool ok = false;
    const qint64 number = text.trimmed().toLongLong(&ok);
    if (!ok || !range.contains(number)) {
        return usageError(
            QStringLiteral("--%1: '%2' is not a whole number %3").arg(option, text, limits::rangeText(range)));
    }
    return number;
}

Result<std::chrono::milliseconds> Context::seconds(const QString &option, std::chrono::milliseconds fallback,
                                                   const limits::Range &range) const
{
    if (!m_parser.isSet(option))
        return fallback;
    const QString text = m_parser.value(option);
    bool ok = false;
    const double number = text.trimmed().toDouble(&ok);
    auto milliseconds = ok ? limits::secondsToMilliseconds(number, range) : Result<std::chrono::milliseconds>(Error());
    if (!milliseconds) {
        return usageError(QStringLiteral("--%1: '%2' is not a number of seconds %3")
                              .arg(option, text, limits::secondsRangeText(range)));
    }
    return *milliseconds;
}

Result<qint64> Context::flowId() const
{
    bool ok = false;
    const qint64 id = m_argument.toLongLong(&ok);
    if (!ok || id <= 0)
        return usageError(QStringLiteral("'%1' is not a flow id").arg(m_argument));
    return id;
}

namespace {
QString shown(const QString &location)
{
    return isDatabaseUrl(location) ? displayLocation(location) : QDir::toNativeSeparators(location);
}

Result<std::unique_ptr<ExecutionLog>> openNamed(const QString &location, MissingDatabase missing)
{
    auto log = openExecutionLog(location, missing);
    if (!log && log.error().kind() == QLatin1String("no-database"))
        return log.error(); // "no such database: PATH" says it all
    if (!log)
        return log.error().prefixed(QStringLiteral("cannot open the database %1").arg(shown(location)));
    return log;
}
} // namespace

Result<std::unique_ptr<ExecutionLog>> Context::openLog() const
{
    // The default database's folder may not exist yet on a fresh machine; a path given with
    // --db is taken as it is, so a typo in a folder name is an error, not a new folder.
    const QString folder = QFileInfo(m_databasePath).absolutePath();
    if (m_isDefaultDatabase && !QDir().mkpath(folder))
        return Error(QStringLiteral("cannot create the folder %1").arg(QDir::toNativeSeparators(folder)));
    return logOpener()();
}

Result<std::unique_ptr<ExecutionLog>> Context::openExistingLog() const
{
    return openNamed(m_databasePath, MissingDatabase::Refuse);
}

LogOpener Context::logOpener() const
{
    return [location = m_databasePath] { return openNamed(location, MissingDatabase::Create); };
}

std::unique_ptr<PluginCatalog> Context::loadCatalog() const
{
    auto catalog = std::make_unique<PluginCatalog>();
    QStringList paths = m_pluginFolders;
    paths.append(PluginCatalog::defaultSearchPaths());
    paths.removeDuplicates();
    catalog->load(paths);
    return catalog;
}

void Context::warnAboutShadowedTypes(const PluginCatalog &catalog, const QString &type)
{
    for (const auto &[plugin, lost] : catalog.shadowedTypes()) {
        if (!type.isEmpty() && lost.type != type)
            continue;
        m_err << QCoreApplication::applicationName()
              << QStringLiteral(": warning: flow type '%1' of plugin '%2' (%3) is shadowed: %4")
                     .arg(lost.type, plugin.name, QDir::toNativeSeparators(plugin.filePath), lost.reason())
              << Qt::endl;
    }
}

} // namespace ergon::cli
