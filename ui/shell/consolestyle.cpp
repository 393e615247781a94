#include "shell/consolestyle.h"

#include <QApplication>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QStyle>
#include <QStyleFactory>
#include <QTableView>

#include <cmath>

namespace ergon::style {

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor adapted(const QColor &color, const QPalette &palette)
{
    float h = 0;
    float s = 0;
    float l = 0;
    color.getHslF(&h, &s, &l);
    // Light theme: deep enough for text on white; dark theme: bright enough on near-black.
    if (isDark(palette))
        l = std::max(l, 0.62f);
    else
        l = std::min(l, 0.44f);
    return QColor::fromHslF(h, s, l);
}

QColor statusColor(FlowStatus status, const QPalette &palette)
{
    switch (status) {
    case FlowStatus::Pending:
        return adapted(QColor(0x5a, 0x78, 0x9a), palette);
    case FlowStatus::Running:
        return adapted(QColor(0x2f, 0x80, 0xed), palette);
    case FlowStatus::Waiting:
        return adapted(QColor(0xd9, 0x8e, 0x04), palette);
    case FlowStatus::Completed:
        return adapted(QColor(0x2e, 0xa0, 0x5a), palette);
    case FlowStatus::Failed:
        return adapted(QColor(0xdc, 0x3c, 0x3c), palette);
    case FlowStatus::Cancelled:
        return adapted(QColor(0x8e, 0x6b, 0xbf), palette);
    }
    return palette.color(QPalette::Text);
}

QColor workerStatusColor(WorkerStatus status, const QPalette &palette)
{
    switch (status) {
    case WorkerStatus::Alive:
        return statusColor(FlowStatus::Completed, palette);
    case WorkerStatus::Lost:
        return statusColor(FlowStatus::Failed, palette);
    case WorkerStatus::Stopped:
        return mutedText(palette);
    }
    return palette.color(QPalette::Text);
}

QColor mutedText(const QPalette &palette)
{
    // PlaceholderText is set by every Qt style; mixing Text into Window is the fallback for
    // palettes built by hand that leave it at its default.
    const QColor text = palette.color(QPalette::Text);
    const QColor window = palette.color(QPalette::Base);
    return QColor::fromRgbF((text.redF() * 3 + window.redF() * 2) / 5, (text.greenF() * 3 + window.greenF() * 2) / 5,
                            (text.blueF() * 3 + window.blueF() * 2) / 5);
}

double niceCeiling(double value, int ticks)
{
    if (value <= 0)
        return ticks;
    const double step = value / ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(step)));
    for (const double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (factor * magnitude >= step)
            return ticks * factor * magnitude;
    }
    return ticks * 10.0 * magnitude;
}

QIcon dot(const QColor &color)
{
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(8, 8, 16, 16));
    painter.end();
    return QIcon(pixmap);
}

QString duration(std::chrono::milliseconds duration)
{
    const qint64 ms = std::max<qint64>(0, duration.count());
    if (ms < 1000)
        return QObject::tr("%1 ms").arg(ms);
    if (ms < 10'000)
        return QObject::tr("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1));
    const qint64 s = ms / 1000;
    if (s < 60)
        return QObject::tr("%1 s").arg(s);
    if (s < 3600)
        return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QObject::tr("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

QString ago(std::chrono::milliseconds age)
{
    // Coarser as it grows: nobody reads the seconds of an hour-old heartbeat.
    const qint64 s = age.count() / 1000;
    if (age < std::chrono::seconds(1))
        return QObject::tr("just now");
    if (age < std::chrono::seconds(10))
        return QObject::tr("%1 s ago").arg(QLocale().toString(double(age.count()) / 1000.0, 'f', 1));
    if (s < 60)
        return QObject::tr("%1 s ago").arg(s);
    if (s < 3600)
        return QObject::tr("%1 min ago").arg(s / 60);
    if (s < 86400)
        return QObject::tr("%1 h %2 min ago").arg(s / 3600).arg((s % 3600) / 60);
    return QObject::tr("%1 d ago").arg(s / 86400);
}

QString count(qint64 value)
{
    return QLocale().toString(value);
}

QString localTime(const QDateTime &time, const QDateTime &now)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    if (local.date() == now.toLocalTime().date())
        return local.toString(QStringLiteral("HH:mm:ss"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

Theme themeFromName(const QString &name, bool *ok)
{
    if (ok)
        *ok = true;
    if (name == QLatin1String("light"))
        return Theme::Light;
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    if (ok)
        *ok = name == QLatin1String("system");
    return Theme::System;
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::System:
        return QStringLiteral("system");
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    }
    return {};
}

void applyTheme(Theme theme)
{
    // The system's style and palette, remembered before the first change.
    static QString systemStyle;
    if (systemStyle.isEmpty())
        systemStyle = QApplication::style()->name();
    if (theme == Theme::System) {
        QApplication::setStyle(QStyleFactory::create(systemStyle));
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    }
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    if (theme == Theme::Light) {
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    }
    QPalette dark;
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1f, 0x21, 0x24);
    const QColor text(0xe4, 0xe6, 0xea);
    const QColor highlight(0x3d, 0x7e, 0xd6);
    dark.setColor(QPalette::Window, window);
    dark.setColor(QPalette::WindowText, text);
    dark.setColor(QPalette::Base, base);
    dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    dark.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    dark.setColor(QPalette::ToolTipText, text);
    dark.setColor(QPalette::PlaceholderText, QColor(0x8b, 0x90, 0x98));
    dark.setColor(QPalette::Text, text);
    dark.setColor(QPalette::Button, QColor(0x35, 0x38, 0x3d));
    dark.setColor(QPalette::ButtonText, text);
    dark.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    dark.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xf0));
    dark.setColor(QPalette::Highlight, highlight);
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4e));
    dark.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x42));
    dark.setColor(QPalette::Mid, QColor(0x25, 0x27, 0x2b));
    dark.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1c));
    dark.setColor(QPalette::Shadow, Qt::black);
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        dark.setColor(QPalette::Disabled, role, QColor(0x7a, 0x7e, 0x85));
    }
    dark.setColor(QPalette::Disabled, QPalette::Base, window);
    dark.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x53, 0x58));
    QApplication::setPalette(dark);
}

QString displayPath(const QString &path)
{
    const QString home = QDir::homePath();
    if (home.size() > 1 && (path == home || path.startsWith(home + QLatin1Char('/'))))
        return QDir::toNativeSeparators(QStringLiteral("~") + path.mid(home.size()));
    return QDir::toNativeSeparators(path);
}

void setUpTableView(QTableView *view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setTextElideMode(Qt::ElideRight);
    view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 10);
    QHeaderView *header = view->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    header->setSectionsMovable(true);
}

void makeHeading(QLabel *label, double scale)
{
    QFont font = label->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * scale);
    label->setFont(font);
}

void setTextColor(QWidget *widget, const QColor &color)
{
    // Both roles: a label on a Base-coloured card draws with Text, elsewhere with WindowText.
    QPalette palette = widget->palette();
    palette.setColor(QPalette::WindowText, color);
    palette.setColor(QPalette::Text, color);
    widget->setPalette(palette);
}

void makeMuted(QLabel *label)
{
    // From the parent's colours: the label's own may be muted already.
    const QPalette source = label->parentWidget() ? label->parentWidget()->palette() : label->palette();
    setTextColor(label, mutedText(source));
}

} // namespace ergon::style
