#pragma once

#include "flowregistry.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace ergon {

/// What the catalog knows of one plugin file, loaded or not.
struct PluginInfo {
    enum class State { Loaded, Failed };

    QString filePath;
    State state = State::Failed;
    QString error; ///< why it was not loaded
    QString name;  ///< from the metadata, when it could be read
    QString version;
    QString description;
    QList<FlowTypeInfo> flowTypes;

    bool hasError() const { return state == State::Failed; }
    const QString &errorString() const { return error; }
};

/// Finds flow plugins, checks them, and fills a FlowRegistry with their flow types.
///
/// Each candidate file is judged on its metadata before it is loaded: a file that is not a
/// plugin, a plugin for another interface (or interface version), metadata that does not
/// follow the format, or a flow type another plugin already provides is recorded with a clear
/// error and skipped; the other plugins load. A plugin built on FlowPluginOf is also refused
/// when its metadata declares a flow type its create() cannot build. Folders are scanned in the order added, files in
/// name order; the first provider of a flow type wins.
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

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace ergon
