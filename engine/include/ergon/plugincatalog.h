#pragma once

#include "flowregistry.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <utility>

namespace ergon {

/// A flow type a plugin declares but does not provide, because a plugin found before it in
/// the scan order provides a type of the same name.
struct ShadowedType {
    QString type;
    QString byPlugin; ///< the plugin that provides it
    QString byFile;   ///< that plugin's file

    /// "flow type 'orders.OrderProcessor' is provided by plugin 'rival' (/path/librival.so)"
    QString reason() const;
};

/// What the catalog knows of one plugin file, loaded or not.
struct PluginInfo {
    enum class State { Loaded, Failed };

    QString filePath;
    State state = State::Failed;
    QString error; ///< why it was not loaded
    QString name;  ///< from the metadata, when it could be read
    QString version;
    QString description;
    QList<FlowTypeInfo> flowTypes; ///< every type its metadata declares, shadowed ones included
    QList<ShadowedType> shadowed;  ///< its types that an earlier plugin provides instead

    bool isShadowed(const QString &type) const;

    bool hasError() const { return state == State::Failed; }
    const QString &errorString() const { return error; }
};

/// Finds flow plugins, checks them, and fills a FlowRegistry with their flow types.
///
/// Each candidate file is judged on its metadata before it is loaded: a file that is not a
/// plugin, a plugin for another interface (or interface version), or metadata that does not
/// follow the format is recorded with a clear error and skipped; the other plugins load. A
/// plugin built on FlowPluginOf is also refused when its metadata declares a flow type its
/// create() cannot build.
///
/// Folders are scanned in the order added, files in name order, and a flow type declared twice
/// goes, type by type, to the first plugin in that order: the later plugin still provides its
/// other types, and lists the one it lost in PluginInfo::shadowed with the winner. A plugin
/// left with no type of its own is not loaded (its error names the winner).
class PluginCatalog
{
public:
    PluginCatalog();
    ~PluginCatalog();
    PluginCatalog(const PluginCatalog &) = delete;
    PluginCatalog &operator=(const PluginCatalog &) = delete;

    /// The folders scanned by default, in order: each folder of the ERGON_PLUGIN_PATH
    /// environment variable, the user's plugin folder (in the application data location), the
    /// bundled folder next to the executable (build tree and installed layout), and the
    /// install location.
    static QStringList defaultSearchPaths();
    /// The user's plugin folder.
    static QString userPluginPath();

    /// Scans the folders (and plugin files named directly) and loads what passes the checks.
    /// May be called once per catalog.
    void load(const QStringList &paths);

    const FlowRegistry &registry() const;
    const QList<PluginInfo> &plugins() const;
    QList<PluginInfo> failedPlugins() const;
    /// Every type a loaded plugin declares and another provides, with the plugin that lost it.
    QList<std::pair<PluginInfo, ShadowedType>> shadowedTypes() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace ergon
