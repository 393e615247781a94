#include "clicontext.h"

#include <ergon/openexecutionlog.h>
#include <ergon/plugincatalog.h>

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <cmath>

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

Result<qint64> Context::integer(const QString &option, qint64 fallback, qint64 min, qint64 max) const
{
    if (!m_parser.isSet(option))
        return fallback;
    const QString text = m_parser.value(option);
    bool ok = false;
    const qint64 number = text.trimmed().toLongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("--%1: '%2' is not a whole number").arg(option, text));
    if (number < min || number > max) {
        return usageError(
            max == std::numeric_limits<qint64>::max()
                ? QStringLiteral("--%1: %2 is less than %3").arg(option).arg(number).arg(min)
                : QStringLiteral("--%1: %2 is not between %3 and %4").arg(option).arg(number).arg(min).arg(max));
    }
    return number;
}

Result<double> Context::number(const QString &option, double fallback, double min) const
{
    if (!m_parser.isSet(option))
        return fallback;
    const QString text = m_parser.value(option);
    bool ok = false;
    const double number = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(number))
        return usageError(QStringLiteral("--%1: '%2' is not a number").arg(option, text));
    if (number < min)
        return usageError(QStringLiteral("--%1: %2 is less than %3").arg(option, text).arg(min));
    return number;
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

} // namespace ergon::cli
