#include "pages/workerspage.h"

#include "models/workertablemodel.h"
#include "session/consolesnapshot.h"
#include "session/workerpool.h"
#include "shell/consoledialogs.h"
#include "shell/consolestyle.h"
#include "widgets/columnfitter.h"

#include "ergon/limits.h"

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStackedLayout>
#include <QTableView>
#include <QVBoxLayout>

namespace ergon {

WorkersPage::WorkersPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new WorkerTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTableView(this))
    , m_count(new QSpinBox(this))
    , m_concurrency(new QSpinBox(this))
    , m_start(new QPushButton(this))
    , m_stop(new QPushButton(tr("Stop selected"), this))
    , m_stopAll(new QPushButton(tr("Stop all"), this))
    , m_showStopped(new QCheckBox(tr("Show &stopped"), this))
    , m_forget(new QPushButton(tr("Forget Stopped…"), this))
    , m_outcome(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_note(new QLabel(tr("No worker has registered with this database yet.\n"
                           "Start workers here, or run “ergon-console worker” on this database."),
                        this))
    , m_steals(new QListWidget(this))
    , m_stealsNote(new QLabel(tr("No steals yet: a worker that runs out of work takes prefetched flows from the "
                                 "busiest one."),
                              this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(WorkerTableModel::SortRole);
    m_view->setModel(m_proxy);
    style::setUpTableView(m_view);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(WorkerTableModel::NameColumn, Qt::AscendingOrder);
    // By content, in the page's width: the worker's name takes the room left, and when the
    // window is narrow the least useful columns go first (PID, host, steals), never the name.
    QHeaderView *header = m_view->horizontalHeader();
    const QFontMetrics metrics = m_view->fontMetrics();
    const int pad = 2 * metrics.horizontalAdvance(QLatin1Char('M'));
    m_columns = new ColumnFitter(m_view, header, WorkerTableModel::NameColumn,
                                 metrics.horizontalAdvance(QStringLiteral("host-00000-00")) + pad);
    const auto fit = [&](int column, const QString &sample, int priority) {
        const QString title = m_model->headerData(column, Qt::Horizontal).toString();
        m_columns->setColumn(
            column, std::max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title)) + pad, priority);
    };
    fit(WorkerTableModel::StatusColumn, QStringLiteral("stopping") + QStringLiteral("MM"), 9);
    fit(WorkerTableModel::InFlightColumn, QStringLiteral("0000"), 8);
    fit(WorkerTableModel::CompletedColumn, QStringLiteral("0,000,000"), 8);
    fit(WorkerTableModel::FailedColumn, QStringLiteral("000,000"), 7);
    fit(WorkerTableModel::HeartbeatColumn, QStringLiteral("10 min 00 s ago"), 6);
    fit(WorkerTableModel::ConcurrencyColumn, QStringLiteral("000"), 5);
    fit(WorkerTableModel::StealsColumn, QStringLiteral("000,000"), 3);
    fit(WorkerTableModel::HostColumn, QStringLiteral("build-host-01"), 2);
    fit(WorkerTableModel::PidColumn, QStringLiteral("4194304"), 1);

    // The engine's ranges (the worker command refuses the same values).
    m_count->setRange(int(limits::workers.min), int(limits::workers.max));
    m_count->setValue(2);
    m_count->setSuffix(tr(" workers"));
    m_count->setAccessibleName(tr("Workers to start"));
    m_concurrency->setRange(int(limits::concurrency.min), int(limits::concurrency.max));
    m_concurrency->setValue(8);
    m_concurrency->setPrefix(tr("× "));
    m_concurrency->setSuffix(tr(" flows at once"));
    m_concurrency->setAccessibleName(tr("Flows each worker runs at once"));
    m_start->setToolTip(tr("Start workers in this console: each on its own thread with its own connection"));
    m_stop->setToolTip(tr("Stop the selected workers of this console: running flows finish their step and go back "
                          "to the queue"));
    m_stopAll->setToolTip(tr("Stop every worker this console runs (asks first)"));
    m_showStopped->setChecked(true);
    m_showStopped->setToolTip(tr("List the runs of workers that have stopped"));
    m_forget->setToolTip(tr("Delete the rows of stopped and lost workers from the database (asks first)"));
    connect(m_start, &QPushButton::clicked, this, &WorkersPage::startWorkers);
    connect(m_stop, &QPushButton::clicked, this, &WorkersPage::stopSelected);
    connect(m_stopAll, &QPushButton::clicked, this, &WorkersPage::stopAll);
    connect(m_forget, &QPushButton::clicked, this, &WorkersPage::forgetStopped);
    connect(m_count, &QSpinBox::valueChanged, this, &WorkersPage::updateButtons);
    // Hidden: the rows whose status (as of the snapshot) is stopped.
    m_proxy->setFilterKeyColumn(WorkerTableModel::StatusColumn);
    m_proxy->setFilterRole(WorkerTableModel::StatusRole);
    connect(m_showStopped, &QCheckBox::toggled, this, [this](bool show) {
        m_proxy->setFilterRegularExpression(show ? QString()
                                                 : QStringLiteral("^(?!%1$)").arg(int(WorkerStatus::Stopped)));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &WorkersPage::updateButtons);

    auto *heading = new QLabel(tr("Workers"), this);
    style::makeHeading(heading, 1.4);
    auto *head = new QHBoxLayout;
    head->addWidget(heading);
    head->addStretch(1);
    head->addWidget(m_summary);
    // What is listed sits with the counts of what is listed; what runs here, below.
    head->addSpacing(12);
    head->addWidget(m_showStopped);
    head->addWidget(m_forget);

    auto *controls = new QHBoxLayout;
    controls->setSpacing(8);
    auto *inConsole = new QLabel(tr("In this console:"), this);
    controls->addWidget(inConsole);
    controls->addWidget(m_count);
    controls->addWidget(m_concurrency);
    controls->addWidget(m_start);
    controls->addSpacing(16);
    controls->addWidget(m_stop);
    controls->addWidget(m_stopAll);
    controls->addSpacing(8);
    controls->addWidget(m_outcome, 1);

    m_note->setAlignment(Qt::AlignCenter);
    m_note->setWordWrap(true);
    auto *tableStack = new QStackedLayout;
    tableStack->addWidget(m_note);
    tableStack->addWidget(m_view);
    connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this, tableStack] { tableStack->setCurrentWidget(m_view); });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this, tableStack] {
        if (m_model->rowCount() == 0)
            tableStack->setCurrentWidget(m_note);
    });

    auto *stealsTitle = new QLabel(tr("Recent steals"), this);
    style::makeHeading(stealsTitle, 1.0);
    m_steals->setAlternatingRowColors(true);
    m_steals->setSelectionMode(QAbstractItemView::NoSelection);
    m_stealsNote->setWordWrap(true);
    m_stealsNote->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto *stealsBox = new QWidget(this);
    stealsBox->setFixedHeight(m_steals->fontMetrics().height() * 9);
    auto *stealsStack = new QStackedLayout(stealsBox);
    stealsStack->addWidget(m_stealsNote);
    stealsStack->addWidget(m_steals);
    connect(m_steals->model(), &QAbstractItemModel::rowsInserted, this,
            [this, stealsStack] { stealsStack->setCurrentWidget(m_steals); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(10);
    layout->addLayout(head);
    layout->addLayout(controls);
    layout->addLayout(tableStack, 1);
    layout->addSpacing(6);
    layout->addWidget(stealsTitle);
    layout->addWidget(stealsBox);

    style::makeMuted(m_summary);
    style::makeMuted(m_note);
    style::makeMuted(m_stealsNote);
    m_outcome->setWordWrap(true);
    updateButtons();
}

WorkersPage::~WorkersPage() = default;

QList<int> WorkersPage::hiddenColumns() const
{
    return m_columns->hiddenColumns();
}

void WorkersPage::setWorkerPool(WorkerPool *pool)
{
    if (m_pool)
        disconnect(m_pool, nullptr, this, nullptr);
    m_pool = pool;
    if (m_pool) {
        connect(m_pool, &WorkerPool::changed, this, &WorkersPage::updateLocalWorkers);
        connect(m_pool, &WorkerPool::emptied, this, [this] {
            if (m_stoppingAll > 0)
                showOutcome(m_stoppingAll == 1 ? tr("Stopped the worker of this console.")
                                               : tr("Stopped %1 workers of this console.").arg(m_stoppingAll));
            m_stoppingAll = 0;
        });
    }
    m_stoppingAll = 0;
    showOutcome({});
    updateLocalWorkers();
}

QString WorkersPage::outcomeText() const
{
    return m_outcome->text();
}

void WorkersPage::showOutcome(const QString &text)
{
    m_outcome->setText(text);
}

void WorkersPage::showSnapshot(const ConsoleSnapshot &snapshot)
{
    m_model->setSnapshot(snapshot);
    updateLocalWorkers(); // a run is known from its registration on, after the pool's changed()
    const int alive = snapshot.aliveWorkers();
    const int lost = snapshot.lostWorkers();
    QStringList parts;
    parts.append(alive == 1 ? tr("1 alive") : tr("%1 alive").arg(alive));
    if (lost > 0)
        parts.append(lost == 1 ? tr("1 lost") : tr("%1 lost").arg(lost));
    const qsizetype stopped = snapshot.workers.size() - alive - lost;
    if (stopped > 0)
        parts.append(stopped == 1 ? tr("1 stopped") : tr("%1 stopped").arg(stopped));
    m_summary->setText(parts.join(QStringLiteral("  ·  ")));

    // Steals: newest first, a line each; rebuilt only when the newest changed.
    const QString newest = snapshot.steals.isEmpty()
        ? QString()
        : QString::number(snapshot.steals.first().flowId) + snapshot.steals.first().at.toString(Qt::ISODateWithMs);
    if (m_steals->property("newest").toString() != newest || snapshot.steals.size() != m_steals->count()) {
        m_steals->setProperty("newest", newest);
        m_steals->clear();
        for (const StealRecord &steal : snapshot.steals)
            m_steals->addItem(tr("%1   flow %2 moved from %3 to %4")
                                  .arg(style::localTime(steal.at, snapshot.taken))
                                  .arg(steal.flowId)
                                  .arg(steal.fromWorker, steal.toWorker));
    }
    updateButtons();
}

void WorkersPage::startWorkers()
{
    if (m_pool)
        m_pool->start(m_count->value(), m_concurrency->value());
}

void WorkersPage::stopSelected()
{
    if (m_pool)
        m_pool->stop(selectedLocalWorkers());
}

void WorkersPage::stopAll()
{
    if (!m_pool || m_pool->isEmpty())
        return;
    QPushButton *stop = nullptr;
    QMessageBox *question =
        dialogs::stopAllWorkers(this, m_pool->size(), m_pool->inFlight(), m_pool->shutdownDeadline(), &stop);
    connect(question, &QMessageBox::buttonClicked, this, [this, stop](QAbstractButton *button) {
        if (button != stop || !m_pool || m_pool->isEmpty())
            return;
        const int workers = m_pool->size();
        const int flows = m_pool->inFlight();
        m_stoppingAll = workers;
        const QString stopping = workers == 1 ? tr("Stopping 1 worker") : tr("Stopping %1 workers").arg(workers);
        showOutcome(flows == 0 ? tr("%1…").arg(stopping)
                               : tr("%1: %2 go back to the queue as each finishes its step…")
                                     .arg(stopping,
                                          flows == 1 ? tr("1 running flow")
                                                     : tr("%1 running flows").arg(QLocale().toString(flows))));
        m_pool->stopAll();
    });
    // Window-modal and opened, not exec()'d: the page stays live behind it.
    question->open();
}

QList<qint64> WorkersPage::runsNotAlive() const
{
    QList<qint64> runs;
    const QList<WorkerRecord> &rows = m_model->rows();
    for (int row = 0; row < rows.size(); ++row) {
        if (m_model->status(row) != WorkerStatus::Alive)
            runs.append(rows.at(row).id);
    }
    return runs;
}

void WorkersPage::forgetStopped()
{
    const QList<qint64> runs = runsNotAlive();
    if (runs.isEmpty())
        return;
    QPushButton *forget = nullptr;
    QMessageBox *question = dialogs::forgetWorkers(this, int(runs.size()), &forget);
    connect(question, &QMessageBox::buttonClicked, this, [this, forget, runs](QAbstractButton *button) {
        if (button == forget)
            Q_EMIT forgetRequested(runs);
    });
    question->open();
}

void WorkersPage::updateLocalWorkers()
{
    if (m_pool)
        m_model->setLocalRuns(m_pool->runs(), m_pool->runs(true));
    else
        m_model->setLocalRuns({}, {});
    updateButtons();
}

QStringList WorkersPage::selectedLocalWorkers() const
{
    QStringList names;
    if (!m_pool)
        return names;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows) {
        const QString name = row.data(WorkerTableModel::NameRole).toString();
        if (m_pool->contains(name) && !m_pool->isStopping(name))
            names.append(name);
    }
    return names;
}

void WorkersPage::updateButtons()
{
    m_start->setEnabled(m_pool != nullptr);
    m_count->setEnabled(m_pool != nullptr);
    m_concurrency->setEnabled(m_pool != nullptr);
    m_stop->setEnabled(!selectedLocalWorkers().isEmpty());
    bool anyRunning = false;
    if (m_pool) {
        const QStringList names = m_pool->names();
        anyRunning = std::any_of(names.cbegin(), names.cend(),
                                 [this](const QString &name) { return !m_pool->isStopping(name); });
    }
    m_stopAll->setEnabled(anyRunning);
    m_forget->setEnabled(!runsNotAlive().isEmpty());

    // Start adds workers to those running here: the button says how many, and the total.
    int running = 0;
    if (m_pool) {
        const QStringList names = m_pool->names();
        running = int(std::count_if(names.cbegin(), names.cend(),
                                    [this](const QString &name) { return !m_pool->isStopping(name); }));
    }
    const int count = m_count->value();
    const QString workers = count == 1 ? tr("1 Worker") : tr("%1 Workers").arg(count);
    m_start->setText(running == 0 ? tr("Start %1").arg(workers)
                                  : tr("Add %1 (%2 in All)").arg(workers).arg(running + count));
}

void WorkersPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        m_model->setPalette(palette());
        style::makeMuted(m_summary);
        style::makeMuted(m_note);
        style::makeMuted(m_stealsNote);
    }
}

} // namespace ergon
