#pragma once

#include <QWidget>

#include <chrono>

class QLabel;
class QTimer;

namespace ergon {

struct ConsoleSnapshot;

/// The status bar's content: the database shown, the outcome of the last command (for a
/// while), how many workers are alive and lost, the refresh rate, and the last read error
/// until the next successful read.
class StatusSummary : public QWidget
{
    Q_OBJECT

public:
    explicit StatusSummary(QWidget *parent = nullptr);
    ~StatusSummary() override;

    QString databaseText() const;
    QString workersText() const;
    QString refreshText() const;
    QString messageText() const;

public Q_SLOTS:
    void setDatabase(const QString &location);
    void showSnapshot(const ergon::ConsoleSnapshot &snapshot);
    void showReadError(const QString &error);
    void setRefreshInterval(std::chrono::milliseconds interval);
    void setPaused(bool paused);
    /// A command's outcome; errors stay until the next message, the rest fade after a while.
    void showMessage(const QString &message, bool error = false);
    /// Clears the message (e.g. a refusal, once another database opened fine).
    void clearMessage();

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateRefresh();
    void applyPalette();

    QLabel *m_database;
    QLabel *m_message;
    QLabel *m_workers;
    QLabel *m_refresh;
    QTimer *m_messageTimer;
    std::chrono::milliseconds m_interval{1000};
    bool m_paused = false;
    bool m_messageIsError = false;
    bool m_readError = false;
};

} // namespace ergon
