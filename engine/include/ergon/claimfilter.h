#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <initializer_list>

namespace ergon {

/// The flows a claim may take: the types a worker can run, each with the plugin that provides
/// it in that worker. A flow of a listed type is claimable when it was scheduled with the same
/// plugin, or with none recorded (types registered in code; flows stored before the plugin was
/// recorded, schema 4). So a worker whose catalog gives a type to another plugin than the one
/// that scheduled a flow leaves the flow to a worker that has the right one. An empty filter
/// takes every flow. A list of type names converts to a filter whose types have no plugin.
class ClaimFilter
{
public:
    struct Entry {
        QString type;
        QString plugin;
    };

    ClaimFilter() = default;
    ClaimFilter(const QStringList &types) // NOLINT(google-explicit-constructor): a list of types is a filter
    {
        for (const QString &type : types)
            m_entries.append({type, QString()});
    }
    ClaimFilter(std::initializer_list<QString> types)
        : ClaimFilter(QStringList(types))
    {
    }

    void add(QString type, QString plugin) { m_entries.append({std::move(type), std::move(plugin)}); }

    bool isEmpty() const { return m_entries.isEmpty(); }
    qsizetype size() const { return m_entries.size(); }
    const Entry &at(qsizetype i) const { return m_entries.at(i); }
    const QList<Entry> &entries() const { return m_entries; }

    /// Whether a flow of this type, scheduled with this plugin, may be claimed.
    bool accepts(const QString &type, const QString &plugin) const
    {
        if (m_entries.isEmpty())
            return true;
        for (const Entry &entry : m_entries) {
            if (entry.type == type)
                return plugin.isEmpty() || plugin == entry.plugin;
        }
        return false;
    }

private:
    QList<Entry> m_entries;
};

} // namespace ergon
