#pragma once

#include <QWidget>

class QLabel;

namespace ergon {

struct FlowListSnapshot;

/// The status bar's content: which database is shown, how many flows it holds by status, and
/// the last read error until the next successful read.
class StatusSummary : public QWidget
{
    Q_OBJECT

public:
    explicit StatusSummary(QWidget *parent = nullptr);
    ~StatusSummary() override;

public Q_SLOTS:
    void setDatabasePath(const QString &path);
    void showSnapshot(const ergon::FlowListSnapshot &snapshot);
    void showReadError(const QString &error);

private:
    QLabel *m_database;
    QLabel *m_counts;
};

} // namespace ergon
