#pragma once

#include "ergon/flowtextmirror.h"
#include "ergon/result.h"

#include <QList>
#include <QString>

#include <optional>

namespace ergon {

class FlowReader;

/// The Flows page's text search, on the page reader's thread: a FlowTextMirror of the log,
/// loaded in slices at first (so that the reader answers filter changes in between) and then
/// brought up to date before each search, and the last search's hits, extended by searching
/// only the flows added since.
///
/// Until the mirror has caught up with the log, and for a term that matches many flows, it
/// gives no candidates: the log's own LIKE is then the right tool (it stops at the first page).
class FlowSearch
{
public:
    /// Flows read per slice of the first load, and at most per catch-up afterwards.
    static constexpr qsizetype sliceRows = 20000;
    /// Above this many hits a term is common: LIKE over the newest flows fills a page after
    /// reading a few times as many rows, cheaper than handing the log this many ids.
    static constexpr qsizetype candidateLimit = 50000;

    /// Whether the first load is done.
    bool isLoaded() const { return m_loaded; }
    const FlowTextMirror &mirror() const { return m_mirror; }

    /// One slice of the first load; true when it is done (the mirror has caught up).
    Result<bool> loadSlice(FlowReader &log);
    /// After the first load: adds the flows scheduled since, at most sliceRows of them.
    Result<void> catchUp(FlowReader &log);

    /// The ids, newest first, of the flows whose id or arguments hold `term`, when the mirror
    /// answers for it: loaded and caught up with the log, and the term not a common one.
    std::optional<QList<qint64>> candidates(const QString &term);

private:
    FlowTextMirror m_mirror;
    bool m_loaded = false;
    bool m_caughtUp = false;
    // The last search: its term, how many flows it covered, and its hits (newest first; none
    // for a common term).
    QString m_term;
    quint64 m_revision = 0;
    qsizetype m_searchedRows = 0;
    std::optional<QList<qint64>> m_hits;
};

} // namespace ergon
