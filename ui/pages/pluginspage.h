#pragma once

#include <QStringList>
#include <QWidget>

class QLabel;
class QTreeWidget;

namespace ergon {

class PluginCatalog;

/// What the plugin catalog found: every loaded plugin with its version and flow types (and
/// their arguments), and every plugin that failed with its error. The catalog is loaded once
/// at start-up, so the page is filled once.
class PluginsPage : public QWidget
{
    Q_OBJECT

public:
    explicit PluginsPage(QWidget *parent = nullptr);
    ~PluginsPage() override;

    /// Fills the page. The folders are those the catalog searched, in order.
    void setCatalog(const PluginCatalog &catalog, const QStringList &searchPaths);

    QTreeWidget *tree() const { return m_tree; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QTreeWidget *m_tree;
    QLabel *m_summary;
    QLabel *m_paths;
};

} // namespace ergon
