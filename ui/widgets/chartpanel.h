#pragma once

#include <QStringList>
#include <QWidget>

class QChart;
class QChartView;
class QLabel;
class QStackedLayout;
class QValueAxis;

namespace ergon {

/// What the console's charts share: a bold title over a QChart, a placeholder shown instead of
/// the chart until there is data, the chart's colours taken from the palette (again on every
/// theme change), and a value axis from 0 whose every gridline is labelled with exactly its
/// value (style::axisScale: no "3" on a gridline at 2.5).
///
/// Charts are kept out of every header but this family's: the pages see forward declarations.
class ChartPanel : public QWidget
{
    Q_OBJECT

public:
    ~ChartPanel() override;

    /// Shown instead of the chart until there is data.
    void setPlaceholderText(const QString &text);
    QString placeholderText() const;
    bool isShowingChart() const;

    /// The axis labels as drawn, in reading order (left to right, top to bottom): what a
    /// person reads on the chart once it is laid out (elided labels end in "…").
    QStringList axisLabels(Qt::Orientation orientation) const;

protected:
    ChartPanel(const QString &title, QWidget *parent);

    QChart *chart() const { return m_chart; }
    QChartView *view() const { return m_view; }
    /// Adds the value axis (for counts or rates) along `alignment`.
    QValueAxis *addValueAxis(Qt::Alignment alignment);
    void showChart(bool shown);
    /// Fits the value axis to values up to `maximum`; `wholeSteps` for counts.
    void fitValueAxis(double maximum, double minimumTop, bool wholeSteps);
    /// Colours of what the subclass added (series, its own axes); called on palette changes.
    virtual void applySeriesPalette(const QPalette &palette);
    /// The colour of gridlines and axis lines on the palette.
    static QColor gridColor(const QPalette &palette);

    /// Applies the palette to the chart; subclasses call it once their series exist.
    void applyPalette();

    void changeEvent(QEvent *event) override;

private:
    QLabel *m_title;
    QLabel *m_placeholder;
    QStackedLayout *m_stack;
    QChart *m_chart;
    QChartView *m_view;
    QValueAxis *m_valueAxis = nullptr;
};

} // namespace ergon
