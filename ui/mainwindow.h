#pragma once

#include <QMainWindow>

namespace ergon {

class FlowListReader;
class FlowsPage;
class StatusSummary;

/// The console's window. It arranges the pages and the status bar and wires them to the
/// readers; the pages do the work.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(const QString &databasePath, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Shows what the reader reports. The reader may live on another thread: the connections
    /// are queued.
    void watch(FlowListReader *reader);

    FlowsPage *flowsPage() const { return m_flowsPage; }

private:
    void createMenus();
    void showAbout();

    FlowsPage *m_flowsPage;
    StatusSummary *m_summary;
};

} // namespace ergon
