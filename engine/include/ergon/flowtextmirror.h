#pragma once

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>
#include <vector>

namespace ergon {

class ExecutionLog;

/// A compact in-memory copy of every flow's id and arguments text, for a text search that does
/// not scan the database: a substring search over a million flows' arguments takes tens of
/// milliseconds here, where `args LIKE '%…%'` reads the whole table.
///
/// It relies on a flow's id and arguments never changing once scheduled: load() only ever reads
/// the flows after the last one it holds. It holds no status, which does change: a search here
/// gives candidate ids, and the log lists them with the other filters (FlowQuery::ids).
///
/// Matching is LIKE's, as SQLite does it: the term is taken literally (% and _ included), and
/// ASCII letters match either case; other characters match exactly. The text is stored once,
/// lower-cased, in one byte buffer with an offset per flow (not a string per flow).
///
/// Not thread-safe: it belongs to the thread that loads and searches it.
class FlowTextMirror
{
public:
    /// Adds the flows scheduled after the last one held, at most `maxRows`, reading `batchRows`
    /// at a time; returns how many it added (fewer than `maxRows`: it has caught up).
    Result<qsizetype> load(ExecutionLog &log, qsizetype maxRows, int batchRows = 10000);
    /// Adds one flow. Ids must grow: a flow at or below lastId() is already held and is ignored.
    void append(qint64 id, QByteArrayView argumentsText);

    /// Flows held.
    qsizetype size() const { return qsizetype(m_ids.size()); }
    /// The newest flow held; 0 when empty.
    qint64 lastId() const { return m_ids.empty() ? 0 : m_ids.back(); }
    /// Bytes held (text and the two arrays, capacity included).
    qsizetype memoryBytes() const;
    /// Releases the spare capacity left by growth, e.g. after a first load.
    void squeeze();

    /// The ids, newest first, of the flows whose arguments contain `term` or whose id is
    /// `term` as a whole number (as `CAST(id AS TEXT) = ?` finds it). With `fromRow`, only among
    /// the flows held from that position on (size() at an earlier search: the flows added
    /// since). An empty term finds nothing.
    QList<qint64> find(const QString &term, qsizetype fromRow = 0) const;
    /// find(), unless more than `maxHits` flows match: then nothing, known as soon as the scan
    /// has seen that many (a common term costs a fraction of a full scan).
    std::optional<QList<qint64>> findAtMost(const QString &term, qsizetype maxHits, qsizetype fromRow = 0) const;

private:
    QByteArray m_text;             ///< each flow's text, lower-cased, followed by a '\0'
    std::vector<qint64> m_ids;     ///< ascending
    std::vector<qsizetype> m_ends; ///< where each flow's text ends in m_text (its '\0')
};

} // namespace ergon
