#include "models/consoleformat.h"

#include <QDateTime>
#include <QDir>
#include <QLocale>
#include <QPainter>
#include <QPalette>
#include <QPixmap>

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

AxisScale axisScale(double maximum, double minimumTop, bool wholeSteps)
{
    const double value = std::max({maximum * 1.05, minimumTop, 1e-9});
    // The smallest round step that covers the value in at most five steps.
    constexpr int mostSteps = 5;
    double magnitude = std::pow(10.0, std::floor(std::log10(value / mostSteps)));
    if (wholeSteps)
        magnitude = std::max(magnitude, 1.0);
    for (;; magnitude *= 10) {
        for (const double factor : {1.0, 2.0, 2.5, 5.0}) {
            if (wholeSteps && factor == 2.5)
                continue;
            const double step = factor * magnitude;
            const int steps = std::max(1, int(std::ceil(value / step - 1e-9)));
            if (steps > mostSteps)
                continue;
            AxisScale scale;
            scale.top = step * steps;
            scale.tickCount = steps + 1;
            // A step of 0.25 needs two decimals, 2.5 one, 0.5 one, 5 none.
            const int stepDecimals = std::max(0, -int(std::floor(std::log10(step) + 1e-9)));
            scale.decimals = stepDecimals + (factor == 2.5 && step < 10 ? 1 : 0);
            return scale;
        }
    }
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
    if (ms < 10'000 && ms % 1000 != 0)
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

QString duration(const QDateTime &from, const QDateTime &to)
{
    if (!from.isValid() || !to.isValid())
        return {};
    return duration(std::chrono::milliseconds(from.msecsTo(to)));
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

QString displayPath(const QString &path)
{
    const QString home = QDir::homePath();
    if (home.size() > 1 && (path == home || path.startsWith(home + QLatin1Char('/'))))
        return QDir::toNativeSeparators(QStringLiteral("~") + path.mid(home.size()));
    return QDir::toNativeSeparators(path);
}

} // namespace ergon::style
