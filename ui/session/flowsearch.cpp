#include "session/flowsearch.h"

namespace ergon {

Result<bool> FlowSearch::loadSlice(FlowReader &log)
{
    if (m_loaded)
        return true;
    auto added = m_mirror.load(log, sliceRows);
    if (!added)
        return added.error();
    if (*added < sliceRows) {
        m_loaded = true;
        m_caughtUp = true;
        m_mirror.squeeze();
    }
    return m_loaded;
}

Result<void> FlowSearch::catchUp(FlowReader &log)
{
    if (!m_loaded)
        return {};
    auto added = m_mirror.load(log, sliceRows);
    if (!added) {
        m_caughtUp = false;
        return added.error();
    }
    // A burst of more new flows than one slice: the rest comes at the next refresh, and the
    // search goes to the log meanwhile, so that no new flow is missed.
    m_caughtUp = *added < sliceRows;
    return {};
}

std::optional<QList<qint64>> FlowSearch::candidates(const QString &term)
{
    if (!m_loaded || !m_caughtUp || term.isEmpty())
        return std::nullopt;
    // A late flow put among older ones moves positions: search everything again.
    if (term != m_term || m_revision != m_mirror.revision()) {
        m_term = term;
        m_revision = m_mirror.revision();
        m_hits = m_mirror.findAtMost(term, candidateLimit);
    } else if (m_hits && m_searchedRows < m_mirror.size()) {
        // Only the flows added since: they are newer than every earlier hit. A common term
        // stays common (flows are never removed, their arguments never change): no search.
        if (auto newer = m_mirror.findAtMost(term, candidateLimit - m_hits->size(), m_searchedRows))
            m_hits = *newer + *m_hits;
        else
            m_hits.reset();
    }
    m_searchedRows = m_mirror.size();
    return m_hits;
}

} // namespace ergon
