#include "pages/pluginspage.h"

#include "shell/consolestyle.h"

#include "ergon/plugincatalog.h"

#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>

#include <algorithm>

namespace ergon {

namespace {

enum Column { NameColumn, VersionColumn, DetailColumn };
constexpr int failedRole = Qt::UserRole + 1;

QString defaultText(const QJsonValue &value)
{
    if (value.isString())
        return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).chopped(1).mid(1));
}

// A searched folder, short: the bundled folder relative to the program's install prefix (or
// build folder), the user's under "~".
QString shownFolder(const QString &path)
{
    const QString prefix = QDir::cleanPath(QCoreApplication::applicationDirPath() + QStringLiteral("/.."));
    if (path.startsWith(prefix + QLatin1Char('/')))
        return QDir::toNativeSeparators(QStringLiteral("…/") + path.mid(prefix.size() + 1));
    return style::displayPath(path);
}

QString argumentText(const ArgumentSpec &argument)
{
    QString text = argument.name + QStringLiteral(": ") + ArgumentSpec::typeName(argument.type);
    if (argument.required)
        text += PluginsPage::tr(", required");
    else if (!argument.defaultValue.isUndefined())
        text += QStringLiteral(" = ") + defaultText(argument.defaultValue);
    return text;
}

} // namespace

PluginsPage::PluginsPage(QWidget *parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget(this))
    , m_summary(new QLabel(this))
    , m_paths(new QLabel(this))
{
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Plugin / flow type"), tr("Version"), tr("Description")});
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->header()->setStretchLastSection(true);
    const QFontMetrics metrics = m_tree->fontMetrics();
    m_tree->header()->resizeSection(NameColumn,
                                    metrics.horizontalAdvance(QStringLiteral("orders.TimedOrderProcessor")) +
                                        6 * metrics.horizontalAdvance(QLatin1Char('M')));
    m_tree->header()->resizeSection(VersionColumn, metrics.horizontalAdvance(QStringLiteral("Version")) + 32);

    m_paths->setWordWrap(true);
    m_paths->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *heading = new QLabel(tr("Plugins"), this);
    style::makeHeading(heading, 1.4);
    auto *head = new QHBoxLayout;
    head->addWidget(heading);
    head->addStretch(1);
    head->addWidget(m_summary);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(10);
    layout->addLayout(head);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_paths);
    applyPalette();
}

PluginsPage::~PluginsPage() = default;

void PluginsPage::setCatalog(const PluginCatalog &catalog, const QStringList &searchPaths)
{
    m_tree->clear();
    int loaded = 0;
    int failed = 0;
    int types = 0;
    // Loaded plugins first, then the failures, each group in the catalog's order.
    QList<const PluginInfo *> ordered;
    for (const bool wantFailed : {false, true}) {
        for (const PluginInfo &plugin : catalog.plugins()) {
            if (plugin.hasError() == wantFailed)
                ordered.append(&plugin);
        }
    }
    for (const PluginInfo *info : std::as_const(ordered)) {
        const PluginInfo &plugin = *info;
        auto *item = new QTreeWidgetItem(m_tree);
        const QString fileName = QFileInfo(plugin.filePath).fileName();
        item->setText(NameColumn, plugin.name.isEmpty() ? fileName : plugin.name);
        item->setText(VersionColumn, plugin.version);
        item->setToolTip(NameColumn, shownFolder(plugin.filePath));
        QFont bold = item->font(NameColumn);
        bold.setBold(true);
        item->setFont(NameColumn, bold);
        if (plugin.hasError()) {
            ++failed;
            item->setData(NameColumn, failedRole, true);
            item->setText(DetailColumn, tr("Not loaded: %1").arg(plugin.errorString()));
            item->setToolTip(DetailColumn, plugin.errorString());
            auto *file = new QTreeWidgetItem(item);
            file->setText(NameColumn, fileName);
            file->setText(DetailColumn, shownFolder(plugin.filePath));
            continue;
        }
        ++loaded;
        item->setText(DetailColumn, plugin.description);
        item->setToolTip(DetailColumn, plugin.description);
        for (const FlowTypeInfo &type : plugin.flowTypes) {
            auto *child = new QTreeWidgetItem(item);
            child->setText(NameColumn, type.name);
            child->setText(VersionColumn, tr("v%1").arg(type.version));
            // A type another plugin, found first, provides instead: shown, with that plugin.
            const auto lost = std::find_if(plugin.shadowed.cbegin(), plugin.shadowed.cend(),
                                           [&](const ShadowedType &shadowed) { return shadowed.type == type.name; });
            if (lost != plugin.shadowed.cend()) {
                child->setData(NameColumn, failedRole, true);
                child->setText(DetailColumn, tr("Shadowed: %1").arg(lost->reason()));
                child->setToolTip(DetailColumn, lost->reason());
                continue;
            }
            ++types;
            child->setText(DetailColumn, type.description);
            child->setToolTip(DetailColumn, type.description);
            for (const ArgumentSpec &argument : type.schema.fields()) {
                auto *arg = new QTreeWidgetItem(child);
                arg->setText(NameColumn, argumentText(argument));
                arg->setText(DetailColumn, argument.description);
                arg->setToolTip(DetailColumn, argument.description);
            }
        }
        item->setExpanded(true);
    }
    QStringList parts;
    parts.append(loaded == 1 ? tr("1 plugin loaded") : tr("%1 plugins loaded").arg(loaded));
    parts.append(types == 1 ? tr("1 flow type") : tr("%1 flow types").arg(types));
    if (failed > 0)
        parts.append(failed == 1 ? tr("1 failed") : tr("%1 failed").arg(failed));
    m_summary->setText(parts.join(QStringLiteral("  ·  ")));
    QStringList shown;
    QStringList full;
    for (const QString &path : searchPaths) {
        shown.append(shownFolder(path));
        full.append(QDir::toNativeSeparators(path));
    }
    m_paths->setText(tr("Searched, in order: %1").arg(shown.join(QStringLiteral("  ·  "))));
    m_paths->setToolTip(full.join(QLatin1Char('\n')));
    // Rows with room to breathe; every flow type's arguments in view.
    const int rowHeight = m_tree->fontMetrics().height() + 10;
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it)
        (*it)->setSizeHint(NameColumn, QSize(0, rowHeight)); // a valid size: -1 would be ignored
    m_tree->expandAll();
    applyPalette();
}

void PluginsPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void PluginsPage::applyPalette()
{
    const QPalette pal = palette();
    const QIcon ok = style::dot(style::statusColor(FlowStatus::Completed, pal));
    const QIcon bad = style::dot(style::statusColor(FlowStatus::Failed, pal));
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_tree->topLevelItem(i);
        const bool failed = item->data(NameColumn, failedRole).toBool();
        item->setIcon(NameColumn, failed ? bad : ok);
        if (failed)
            item->setForeground(DetailColumn, style::statusColor(FlowStatus::Failed, pal));
    }
    style::makeMuted(m_summary);
    style::makeMuted(m_paths);
}

} // namespace ergon
