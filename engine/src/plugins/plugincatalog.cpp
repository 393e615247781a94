#include "ergon/plugincatalog.h"

#include "ergon/flowplugin.h"
#include "ergon/jsontext.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QLibrary>
#include <QPluginLoader>
#include <QStandardPaths>

#include <algorithm>
#include <memory>

namespace ergon {

namespace {

const QLatin1String interfacePrefix("org.ergon.FlowPlugin/");

Error metadataError(const QString &what)
{
    return Error(QStringLiteral("bad plugin metadata: %1").arg(what), QStringLiteral("metadata"));
}

/// Reads the "MetaData" object of a plugin into a PluginInfo (name, version, flow types).
Result<void> readMetadata(const QJsonObject &metadata, PluginInfo &info)
{
    const QJsonValue name = metadata.value(QLatin1String("name"));
    if (!name.isString() || name.toString().isEmpty())
        return metadataError(QStringLiteral("\"name\" must be a non-empty string"));
    info.name = name.toString();
    info.version = metadata.value(QLatin1String("version")).toString();
    info.description = metadata.value(QLatin1String("description")).toString();
    const QJsonValue types = metadata.value(QLatin1String("flowTypes"));
    if (!types.isArray())
        return metadataError(QStringLiteral("\"flowTypes\" must be an array, got %1").arg(describeJsonType(types)));
    for (const auto &entry : types.toArray()) {
        const QJsonObject object = entry.toObject();
        FlowTypeInfo type;
        type.name = object.value(QLatin1String("name")).toString();
        if (type.name.isEmpty())
            return metadataError(QStringLiteral("a flow type has no \"name\""));
        const QJsonValue version = object.value(QLatin1String("version"));
        if (!version.isUndefined() && (!version.isDouble() || version.toInt(0) < 1))
            return metadataError(
                QStringLiteral("flow type '%1': \"version\" must be an integer of at least 1").arg(type.name));
        type.version = version.toInt(1);
        type.description = object.value(QLatin1String("description")).toString();
        auto schema = ArgumentSchema::fromJson(object.value(QLatin1String("arguments")));
        if (!schema)
            return metadataError(QStringLiteral("flow type '%1': %2").arg(type.name, schema.error().message()));
        type.schema = schema.take();
        type.plugin = info.name;
        info.flowTypes.append(std::move(type));
    }
    if (info.flowTypes.isEmpty())
        return metadataError(QStringLiteral("the plugin declares no flow types"));
    return {};
}

QStringList candidateFiles(const QString &path)
{
    const QFileInfo info(path);
    if (info.isFile())
        return {info.absoluteFilePath()};
    QStringList files;
    const QDir dir(path);
    for (const QFileInfo &entry : dir.entryInfoList(QDir::Files | QDir::Readable, QDir::Name)) {
        if (QLibrary::isLibrary(entry.fileName()))
            files.append(entry.absoluteFilePath());
    }
    return files;
}

/// The flow types of the metadata that the plugin's create() cannot build, as far as the
/// plugin says (a FlowPluginOf does; a hand-written create() cannot be asked).
QStringList typesNotCreatable(const FlowPlugin &plugin, const PluginInfo &info)
{
    const auto *listed = dynamic_cast<const FlowTypeList *>(&plugin);
    if (!listed)
        return {};
    const QStringList creatable = listed->flowTypeNames();
    QStringList missing;
    for (const FlowTypeInfo &type : info.flowTypes) {
        if (!creatable.contains(type.name))
            missing.append(type.name);
    }
    return missing;
}

} // namespace

FlowTypeList::~FlowTypeList() = default;

class PluginCatalog::Private
{
public:
    FlowRegistry registry;
    QList<PluginInfo> plugins;
    // Loaders stay alive (and their libraries loaded) for as long as flows may be created.
    std::vector<std::unique_ptr<QPluginLoader>> loaders;
    QStringList seenFiles;

    void consider(const QString &file);
    QString providerFile(const QString &pluginName) const
    {
        for (const PluginInfo &plugin : plugins) {
            if (plugin.state == PluginInfo::State::Loaded && plugin.name == pluginName)
                return plugin.filePath;
        }
        return {};
    }
};

void PluginCatalog::Private::consider(const QString &file)
{
    const QString canonical = QFileInfo(file).canonicalFilePath();
    if (seenFiles.contains(canonical))
        return; // the same file reached through two search paths
    seenFiles.append(canonical);

    PluginInfo info;
    info.filePath = file;
    auto fail = [&](const QString &error) {
        info.state = PluginInfo::State::Failed;
        info.error = error;
        plugins.append(info);
    };

    auto loader = std::make_unique<QPluginLoader>(file);
    const QJsonObject metaData = loader->metaData();
    if (metaData.isEmpty()) {
        const QString reason = loader->errorString();
        return fail(reason.isEmpty() ? QStringLiteral("not a Qt plugin") : reason);
    }
    const QString iid = metaData.value(QLatin1String("IID")).toString();
    if (iid != QLatin1String(ErgonFlowPlugin_iid)) {
        if (iid.startsWith(interfacePrefix)) {
            return fail(
                QStringLiteral("built for flow plugin interface version %1; this Ergon Console loads version %2")
                    .arg(iid.mid(interfacePrefix.size()),
                         QLatin1String(ErgonFlowPlugin_iid).mid(interfacePrefix.size())));
        }
        return fail(QStringLiteral("not an Ergon flow plugin (its interface is \"%1\", expected \"%2\")")
                        .arg(iid, QLatin1String(ErgonFlowPlugin_iid)));
    }
    if (auto read = readMetadata(metaData.value(QLatin1String("MetaData")).toObject(), info); !read)
        return fail(read.error().message());

    for (const PluginInfo &other : std::as_const(plugins)) {
        if (other.state == PluginInfo::State::Loaded && other.name == info.name)
            return fail(QStringLiteral("plugin '%1' is already loaded from %2").arg(info.name, other.filePath));
    }
    // The first provider of a type wins, type by type: a later plugin keeps its other types.
    for (const FlowTypeInfo &type : std::as_const(info.flowTypes)) {
        if (const FlowTypeInfo *existing = registry.info(type.name))
            info.shadowed.append({type.name, existing->plugin, providerFile(existing->plugin)});
    }
    if (info.shadowed.size() == info.flowTypes.size()) {
        QStringList reasons;
        for (const ShadowedType &lost : std::as_const(info.shadowed))
            reasons.append(
                QStringLiteral("flow type '%1' is already provided by plugin '%2'").arg(lost.type, lost.byPlugin));
        return fail(reasons.join(QStringLiteral("; ")));
    }

    QObject *instance = loader->instance();
    if (!instance)
        return fail(loader->errorString());
    auto *plugin = qobject_cast<FlowPlugin *>(instance);
    if (!plugin) {
        loader->unload();
        return fail(
            QStringLiteral("the plugin's object does not implement %1").arg(QLatin1String(ErgonFlowPlugin_iid)));
    }
    if (const QStringList missing = typesNotCreatable(*plugin, info); !missing.isEmpty()) {
        loader->unload();
        return fail(QStringLiteral("the metadata declares flow type%1 %2, which the plugin cannot create (its "
                                   "FlowPluginOf<…> does not list %3)")
                        .arg(missing.size() == 1 ? QString() : QStringLiteral("s"),
                             QStringLiteral("'%1'").arg(missing.join(QStringLiteral("', '"))),
                             missing.size() == 1 ? QStringLiteral("it") : QStringLiteral("them")));
    }
    for (const FlowTypeInfo &type : std::as_const(info.flowTypes)) {
        if (info.isShadowed(type.name))
            continue;
        const QString typeName = type.name;
        auto added = registry.add(
            type, [plugin, typeName](const QJsonObject &arguments) { return plugin->create(typeName, arguments); });
        Q_ASSERT(added.ok()); // duplicates were set aside above
    }
    info.state = PluginInfo::State::Loaded;
    plugins.append(info);
    loaders.push_back(std::move(loader));
}

QString ShadowedType::reason() const
{
    const QString provider = byFile.isEmpty() ? QStringLiteral("plugin '%1'").arg(byPlugin)
                                              : QStringLiteral("plugin '%1' (%2)").arg(byPlugin, byFile);
    return QStringLiteral("flow type '%1' is provided by %2, found first").arg(type, provider);
}

bool PluginInfo::isShadowed(const QString &type) const
{
    return std::any_of(shadowed.cbegin(), shadowed.cend(), [&](const ShadowedType &lost) { return lost.type == type; });
}

PluginCatalog::PluginCatalog()
    : d(std::make_unique<Private>())
{
}

PluginCatalog::~PluginCatalog() = default;

QString PluginCatalog::userPluginPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/plugins");
}

QStringList PluginCatalog::defaultSearchPaths()
{
    QStringList paths;
    const QString fromEnvironment = qEnvironmentVariable("ERGON_PLUGIN_PATH");
    for (const QString &path : fromEnvironment.split(QDir::listSeparator(), Qt::SkipEmptyParts))
        paths.append(path);
    paths.append(userPluginPath());
    const QString appDir = QCoreApplication::applicationDirPath();
    if (!appDir.isEmpty()) {
        paths.append(QDir::cleanPath(appDir + QStringLiteral("/../plugins/ergon"))); // build tree
        paths.append(
            QDir::cleanPath(appDir + QStringLiteral("/../" ERGON_PLUGIN_RELATIVE_DIR))); // installed, relocatable
    }
    paths.append(QStringLiteral(ERGON_PLUGIN_INSTALL_PATH));
    paths.removeDuplicates();
    return paths;
}

void PluginCatalog::load(const QStringList &paths)
{
    for (const QString &path : paths) {
        for (const QString &file : candidateFiles(path))
            d->consider(file);
    }
}

const FlowRegistry &PluginCatalog::registry() const
{
    return d->registry;
}

const QList<PluginInfo> &PluginCatalog::plugins() const
{
    return d->plugins;
}

QList<PluginInfo> PluginCatalog::failedPlugins() const
{
    QList<PluginInfo> failed;
    for (const PluginInfo &plugin : d->plugins) {
        if (plugin.hasError())
            failed.append(plugin);
    }
    return failed;
}

QList<std::pair<PluginInfo, ShadowedType>> PluginCatalog::shadowedTypes() const
{
    QList<std::pair<PluginInfo, ShadowedType>> lost;
    for (const PluginInfo &plugin : d->plugins) {
        if (plugin.hasError())
            continue;
        for (const ShadowedType &type : plugin.shadowed)
            lost.append({plugin, type});
    }
    return lost;
}

} // namespace ergon
