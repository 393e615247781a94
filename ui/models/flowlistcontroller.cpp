#include "models/flowlistcontroller.h"

#include "models/consoleformat.h"
#include "models/flowformat.h"
#include "models/flowtablemodel.h"
#include "session/consolesession.h"
#include "session/flowpagereader.h"

#include "ergon/flowregistry.h"

#include <QSortFilterProxyModel>

#include <numeric>

namespace ergon {

int FlowListController::pageSize()
{
    return FlowPageReader::defaultPageSize;
}

FlowListController::FlowListController(QObject *parent)
    : QObject(parent)
    , m_model(new FlowTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FlowTableModel::SortRole);
    m_proxy->setDynamicSortFilter(true);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    updateStatusText();
}

FlowListController::~FlowListController() = default;

void FlowListController::setSession(ConsoleSession *session)
{
    if (session == m_session)
        return;
    for (const QMetaObject::Connection &connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    m_session = session;
    m_lastSnapshot = FlowPageSnapshot();
    m_firstPageShown = false;
    m_openError.clear();
    m_readError.clear();
    m_outcome.clear();
    m_commandsAsked = 0;
    m_currentFlow = 0;
    m_sortLoadGeneration.reset();
    m_sortLoading = false;
    m_model->clear();
    if (session) {
        m_connections = {
            connect(session, &ConsoleSession::pageAvailable, this, &FlowListController::applyPage),
            connect(session, &ConsoleSession::detailAvailable, this, &FlowListController::detailAvailable),
            connect(session, &ConsoleSession::searchMirrorLoaded, this, &FlowListController::searchMirrorLoaded),
            connect(session, &ConsoleSession::countsChanged, this,
                    [this] {
                        Q_EMIT countsChanged();
                        updateStatusText();
                    }),
            connect(session, &ConsoleSession::flowReadFailed, this,
                    [this](const QString &error) {
                        // Before the first page, a failure is the database refusing to open.
                        if (!m_firstPageShown && m_lastSnapshot.generation == 0)
                            m_openError = error;
                        m_readError = error;
                        updateStatusText();
                        Q_EMIT emptyStateChanged();
                    }),
            connect(
                session, &ConsoleSession::commandFinished, this,
                [this](ConsoleCommands::Command command, const QString &text) { onCommandDone(command, text, false); }),
            connect(
                session, &ConsoleSession::commandFailed, this,
                [this](ConsoleCommands::Command command, const QString &text) { onCommandDone(command, text, true); }),
        };
    }
    Q_EMIT countsChanged();
    startFilter();
}

void FlowListController::setRegistry(const FlowRegistry *registry)
{
    if (!registry)
        return;
    QList<FlowRecord> known;
    for (const FlowTypeInfo &info : registry->types()) {
        FlowRecord flow;
        flow.type = info.name;
        known.append(flow);
    }
    addTypes(known);
}

QMap<FlowStatus, qint64> FlowListController::counts() const
{
    return m_session ? m_session->counts() : QMap<FlowStatus, qint64>();
}

bool FlowListController::hasCounts() const
{
    return m_session && m_session->hasCounts();
}

qint64 FlowListController::matching() const
{
    if (m_lastSnapshot.matching >= 0)
        return m_lastSnapshot.matching; // the search mirror's hits
    // The counts by status say how many flows match a filter on status alone; a type or text
    // filter would need a count query of its own, which the log does not offer.
    if (!hasCounts() || !m_filter.type.isEmpty() || !m_filter.text.trimmed().isEmpty())
        return -1;
    const QMap<FlowStatus, qint64> all = counts();
    if (m_filter.status)
        return all.value(*m_filter.status, 0);
    return std::accumulate(all.cbegin(), all.cend(), qint64(0));
}

FlowListController::Empty FlowListController::emptyState() const
{
    if (!m_openError.isEmpty() && !m_firstPageShown)
        return Empty::CannotOpen;
    if (m_model->rowCount() > 0)
        return Empty::No;
    if (!isSettled())
        return Empty::Reading;
    if (!m_model->isComplete())
        return Empty::No;
    return m_filter.isEmpty() ? Empty::NoFlows : Empty::NoMatch;
}

QString FlowListController::statusText() const
{
    return m_statusText;
}

QList<qint64> FlowListController::failedAmong(const QList<qint64> &flowIds) const
{
    QList<qint64> ids;
    for (const qint64 id : flowIds) {
        const int row = m_model->rowOf(id);
        if (row >= 0 && m_model->flowAt(row).status == FlowStatus::Failed)
            ids.append(id);
    }
    return ids;
}

QList<qint64> FlowListController::unfinishedAmong(const QList<qint64> &flowIds) const
{
    QList<qint64> ids;
    for (const qint64 id : flowIds) {
        const int row = m_model->rowOf(id);
        if (row >= 0 && !isFinished(m_model->flowAt(row).status))
            ids.append(id);
    }
    return ids;
}

void FlowListController::setFilter(const FlowFilter &filter)
{
    m_filter = filter;
    Q_EMIT filterChanged(filter);
    startFilter();
}

void FlowListController::startFilter()
{
    m_outcome.clear();
    if (m_session && !m_session->isRetiring())
        m_generation = m_session->setFlowFilter(m_filter);
    else
        ++m_generation; // nothing will answer: the rows are no one's
    updateStatusText();
    Q_EMIT emptyStateChanged();
}

void FlowListController::refresh()
{
    if (m_session)
        m_session->refresh();
}

void FlowListController::loadMore(int rows)
{
    // While a new filter's first page is on its way the loaded rows are the old filter's.
    if (!m_session || m_lastSnapshot.generation != m_generation)
        return;
    m_session->loadMoreFlows(m_generation, rows);
}

void FlowListController::setCurrentFlow(qint64 flowId)
{
    m_currentFlow = flowId;
    if (m_session)
        m_session->setCurrentFlow(flowId);
}

void FlowListController::retry(const QList<qint64> &flowIds, const QString &stepName)
{
    if (!m_session || flowIds.isEmpty())
        return;
    ++m_commandsAsked;
    m_session->retry(flowIds, stepName);
}

void FlowListController::cancel(const QList<qint64> &flowIds)
{
    if (!m_session || flowIds.isEmpty())
        return;
    ++m_commandsAsked;
    m_session->cancel(flowIds);
}

void FlowListController::onCommandDone(ConsoleCommands::Command command, const QString &text, bool failed)
{
    // Only the answers to what this list asked for (the Overview retries too).
    if (m_commandsAsked == 0 ||
        (command != ConsoleCommands::Command::Retry && command != ConsoleCommands::Command::Cancel))
        return;
    --m_commandsAsked;
    m_outcome = text.section(QLatin1Char('\n'), 0, 0);
    updateStatusText();
    Q_EMIT outcome(text, failed);
}

void FlowListController::applyPage(const FlowPageSnapshot &snapshot)
{
    if (snapshot.generation != m_generation)
        return; // the answer to a filter that has been replaced since
    Q_EMIT aboutToMerge();
    if (snapshot.offset == 0)
        m_model->setFlows(snapshot.flows, snapshot.complete);
    else
        m_model->appendFlows(snapshot.flows, snapshot.complete);
    Q_EMIT merged();

    if (snapshot.offset == 0) {
        m_lastSnapshot = snapshot;
    } else {
        m_lastSnapshot.complete = snapshot.complete;
        m_lastSnapshot.buildMicroseconds = snapshot.buildMicroseconds;
        m_sortLoading = false;
    }
    m_readError.clear();
    m_openError.clear();
    addTypes(snapshot.flows);
    applySort();
    updateStatusText();
    Q_EMIT emptyStateChanged();
    Q_EMIT snapshotApplied(snapshot.generation);
    if (!m_firstPageShown) {
        m_firstPageShown = true;
        Q_EMIT firstPageShown();
    }
}

void FlowListController::addTypes(const QList<FlowRecord> &flows)
{
    bool added = false;
    for (const FlowRecord &flow : flows) {
        if (flow.type.isEmpty())
            continue;
        const auto at = std::lower_bound(m_types.begin(), m_types.end(), flow.type);
        if (at != m_types.end() && *at == flow.type)
            continue;
        m_types.insert(at, flow.type);
        added = true;
    }
    if (added)
        Q_EMIT typesChanged();
}

void FlowListController::sortBy(int column, Qt::SortOrder order)
{
    m_sortColumn = column;
    m_sortOrder = order;
    m_sortLoadGeneration.reset();
    m_sortLoading = false;
    m_sortNote.clear();
    applySort();
    updateStatusText();
}

void FlowListController::applySort()
{
    const bool natural = m_sortColumn == FlowTableModel::IdColumn && m_sortOrder == Qt::DescendingOrder;
    if (natural || m_model->isComplete()) {
        // Newest first is the log's own order; any other order is honest only over every match.
        if (natural && m_proxy->sortColumn() != -1)
            m_proxy->sort(-1);
        else if (!natural && (m_proxy->sortColumn() != m_sortColumn || m_proxy->sortOrder() != m_sortOrder))
            m_proxy->sort(m_sortColumn, m_sortOrder);
        m_sortNote.clear();
        return;
    }
    if (m_sortLoading)
        return;
    if (m_session && m_sortLoadGeneration != m_generation && m_lastSnapshot.generation == m_generation &&
        m_model->rowCount() < sortableRows) {
        m_sortLoadGeneration = m_generation;
        m_sortLoading = true;
        m_sortNote = tr("loading every match to sort…");
        loadMore(sortableRows);
        return;
    }
    // More match than the page sorts: back to newest first, and say why.
    if (m_proxy->sortColumn() != -1)
        m_proxy->sort(-1);
    const QString column = m_model->headerData(m_sortColumn, Qt::Horizontal).toString();
    m_sortNote = tr("more than %L1 match: narrow the filter to sort by %2").arg(sortableRows).arg(column);
    m_sortColumn = FlowTableModel::IdColumn;
    m_sortOrder = Qt::DescendingOrder;
    Q_EMIT sortReset(m_sortColumn, m_sortOrder);
}

void FlowListController::updateStatusText()
{
    QStringList parts;
    const qint64 loaded = m_model->rowCount();
    const qint64 matches = matching();
    if (!m_session) {
        parts << tr("No database is open.");
    } else if (!m_openError.isEmpty() && !m_firstPageShown) {
        parts << tr("Cannot open the database.");
    } else if (m_lastSnapshot.generation != m_generation || !m_lastSnapshot.readAt.isValid()) {
        parts << (m_firstPageShown ? tr("Searching…") : tr("Reading the database…"));
    } else if (m_model->isComplete()) {
        parts << (loaded == 1 ? tr("1 flow") : tr("%L1 flows").arg(loaded));
    } else if (matches >= 0) {
        parts << tr("%L1 of %L2 flows loaded").arg(loaded).arg(matches);
    } else {
        parts << tr("%L1 flows loaded, more below").arg(loaded);
    }
    if (m_lastSnapshot.generation == m_generation && m_lastSnapshot.readAt.isValid())
        parts << tr("read in %1")
                     .arg(style::duration(std::chrono::milliseconds(m_lastSnapshot.buildMicroseconds / 1000)));
    if (!m_sortNote.isEmpty())
        parts << m_sortNote;
    if (!m_outcome.isEmpty())
        parts << m_outcome;
    if (!m_readError.isEmpty() && m_openError.isEmpty())
        parts << tr("last read failed: %1").arg(m_readError);
    const QString text = parts.join(QStringLiteral("  ·  "));
    if (text == m_statusText)
        return;
    m_statusText = text;
    Q_EMIT statusTextChanged(text);
}

} // namespace ergon
