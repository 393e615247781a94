#pragma once

#include <QWidget>

class QLabel;
class QStackedWidget;
class QTableView;

namespace ergon {

class FlowTableModel;
struct FlowListSnapshot;

/// The flow list: a table of the newest flows, or a short note while there is nothing to show.
class FlowsPage : public QWidget
{
    Q_OBJECT

public:
    explicit FlowsPage(QWidget *parent = nullptr);
    ~FlowsPage() override;

    FlowTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

public Q_SLOTS:
    void showSnapshot(const ergon::FlowListSnapshot &snapshot);
    void showOpenError(const QString &error);

private:
    FlowTableModel *m_model;
    QTableView *m_view;
    QLabel *m_note;
    QStackedWidget *m_stack;
};

} // namespace ergon
