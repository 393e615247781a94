#include "statussummary.h"

#include "flowlistsnapshot.h"

#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>

namespace ergon {

StatusSummary::StatusSummary(QWidget *parent)
    : QWidget(parent)
    , m_database(new QLabel(this))
    , m_counts(new QLabel(this))
{
    // A long path is clipped rather than widening the window.
    m_database->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_database->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_counts->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->setSpacing(16);
    layout->addWidget(m_database, 1);
    layout->addWidget(m_counts);
}

StatusSummary::~StatusSummary() = default;

void StatusSummary::setDatabasePath(const QString &path)
{
    m_database->setText(tr("Database: %1").arg(QDir::toNativeSeparators(path)));
    m_database->setToolTip(QDir::toNativeSeparators(path));
}

void StatusSummary::showSnapshot(const FlowListSnapshot &snapshot)
{
    const QLocale locale;
    const qint64 total = snapshot.total();
    QStringList parts;
    parts.append(total == 1 ? tr("1 flow") : tr("%1 flows").arg(locale.toString(total)));
    for (auto it = snapshot.countsByStatus.cbegin(); it != snapshot.countsByStatus.cend(); ++it) {
        if (it.value() > 0)
            parts.append(tr("%1 %2").arg(locale.toString(it.value()), toString(it.key())));
    }
    if (snapshot.flows.size() < total)
        parts.append(tr("newest %1 listed").arg(locale.toString(snapshot.flows.size())));
    m_counts->setStyleSheet({});
    m_counts->setText(parts.join(QStringLiteral("  ·  ")));
    m_counts->setToolTip({});
}

void StatusSummary::showReadError(const QString &error)
{
    m_counts->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_counts->setText(tr("Read failed: %1").arg(error.section(QLatin1Char('\n'), 0, 0)));
    m_counts->setToolTip(error);
}

} // namespace ergon
