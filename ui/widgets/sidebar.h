#pragma once

#include <QListWidget>

namespace ergon {

/// The page list on the window's left: one entry per page, each with an optional badge (a
/// count, e.g. pending timers) drawn at its right edge in the palette's colours.
class Sidebar : public QListWidget
{
    Q_OBJECT

public:
    explicit Sidebar(QWidget *parent = nullptr);
    ~Sidebar() override;

    void addPage(const QString &title, const QString &toolTip);
    /// The badge of a page; empty hides it. `alert` draws it in the failure colour.
    void setBadge(int page, const QString &text, bool alert = false);
    QString badge(int page) const;
    /// Where a page's label and badge are drawn (the badge's rect is empty without one).
    QRect labelRect(int page) const;
    QRect badgeRect(int page) const;

    QSize sizeHint() const override;

protected:
    void changeEvent(QEvent *event) override;

private:
    void fitWidth();
};

} // namespace ergon
