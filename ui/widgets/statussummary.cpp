#include "widgets/statussummary.h"

#include "session/consolesnapshot.h"
#include "shell/consolestyle.h"

#include <QDir>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QTimer>

namespace ergon {

namespace {

QFrame *separator(QWidget *parent)
{
    auto *line = new QFrame(parent);
    line->setFrameShape(QFrame::VLine);
    line->setFrameShadow(QFrame::Sunken);
    return line;
}

} // namespace

StatusSummary::StatusSummary(QWidget *parent)
    : QWidget(parent)
    , m_database(new QLabel(this))
    , m_message(new QLabel(this))
    , m_workers(new QLabel(this))
    , m_refresh(new QLabel(this))
    , m_messageTimer(new QTimer(this))
{
    // Long texts are clipped rather than widening the window.
    m_database->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_database->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_message->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_workers->setObjectName(QStringLiteral("workers"));
    m_refresh->setObjectName(QStringLiteral("refresh"));
    m_messageTimer->setSingleShot(true);
    m_messageTimer->setInterval(10'000);
    connect(m_messageTimer, &QTimer::timeout, m_message, &QLabel::clear);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->setSpacing(10);
    layout->addWidget(m_database, 2);
    layout->addWidget(m_message, 3);
    layout->addWidget(separator(this));
    layout->addWidget(m_workers);
    layout->addWidget(separator(this));
    layout->addWidget(m_refresh);
    m_workers->setText(tr("no workers"));
    updateRefresh();
    applyPalette();
}

StatusSummary::~StatusSummary() = default;

QString StatusSummary::databaseText() const
{
    return m_database->text();
}

QString StatusSummary::workersText() const
{
    return m_workers->text();
}

QString StatusSummary::refreshText() const
{
    return m_refresh->text();
}

QString StatusSummary::messageText() const
{
    return m_message->text();
}

void StatusSummary::setDatabase(const QString &location)
{
    m_database->setText(style::displayPath(location));
    m_database->setToolTip(tr("Database: %1").arg(QDir::toNativeSeparators(location)));
}

void StatusSummary::showSnapshot(const ConsoleSnapshot &snapshot)
{
    const int alive = snapshot.aliveWorkers();
    const int lost = snapshot.lostWorkers();
    QString text = alive == 0 ? tr("no workers alive")
        : alive == 1          ? tr("1 worker alive")
                              : tr("%1 workers alive").arg(alive);
    if (lost > 0)
        text += tr(" · %1 lost").arg(lost);
    m_workers->setText(text);
    if (m_readError) {
        m_readError = false;
        updateRefresh();
    }
}

void StatusSummary::showReadError(const QString &error)
{
    m_readError = true;
    m_refresh->setText(tr("read failed"));
    m_refresh->setToolTip(error);
    applyPalette();
}

void StatusSummary::setRefreshInterval(std::chrono::milliseconds interval)
{
    m_interval = interval;
    updateRefresh();
}

void StatusSummary::setPaused(bool paused)
{
    m_paused = paused;
    updateRefresh();
}

void StatusSummary::showMessage(const QString &message, bool error)
{
    m_messageIsError = error;
    m_message->setText(message.section(QLatin1Char('\n'), 0, 0));
    m_message->setToolTip(message);
    if (error)
        m_messageTimer->stop();
    else
        m_messageTimer->start();
    applyPalette();
}

void StatusSummary::clearMessage()
{
    m_messageTimer->stop();
    m_messageIsError = false;
    m_message->clear();
    m_message->setToolTip(QString());
    applyPalette();
}

void StatusSummary::updateRefresh()
{
    if (m_paused) {
        m_refresh->setText(tr("live updates paused"));
    } else {
        const double seconds = double(m_interval.count()) / 1000.0;
        m_refresh->setText(tr("refresh every %1 s").arg(QLocale().toString(seconds, 'g', 3)));
    }
    m_refresh->setToolTip(tr("View › Refresh rate"));
    applyPalette();
}

void StatusSummary::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void StatusSummary::applyPalette()
{
    const QPalette pal = palette();
    const auto colour = [](QLabel *label, const QColor &color) { style::setTextColor(label, color); };
    const QColor failed = style::statusColor(FlowStatus::Failed, pal);
    colour(m_message, m_messageIsError ? failed : pal.color(QPalette::WindowText));
    colour(m_refresh, m_readError ? failed : style::mutedText(pal));
    colour(m_database, style::mutedText(pal));
}

} // namespace ergon
