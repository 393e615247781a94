#pragma once

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>
#include <vector>

namespace ergon {

class FlowReader;

/// A compact in-memory copy of every flow's id and arguments text, for a text search that does
/// not scan the database: a substring search over a million flows' arguments takes tens of
/// milliseconds here, where `args LIKE '%…%'` reads the whole table.
///
/// It relies on a flow's id and arguments never changing once scheduled: load() reads the flows
/// after the last one it holds. It holds no status, which does change: a search here gives
/// candidate ids, and the log lists them with the other filters (FlowQuery::ids).
///
/// Ids need not become visible in order: on PostgreSQL a transaction that took an id from the
/// sequence may commit after one that took a later id. An id that load() skips is asked for
/// again at each of the next holeLoads loads (the newest maxHoleIds such ids), and a flow that
/// turns up is put in its place; one whose transaction stays open longer is not mirrored. On
/// SQLite ids are given in commit order, and the log never skips one.
///
/// Matching is LIKE's, as SQLite does it: the term is taken literally (% and _ included), and
/// ASCII letters match either case; other characters match exactly. The text is stored once,
/// lower-cased, in one byte buffer with an offset per flow (not a string per flow).
///
/// Not thread-safe: it belongs to the thread that loads and searches it.
class FlowTextMirror
{
public:
    /// How many loads a skipped id is asked for again.
    static constexpr int holeLoads = 60;
    /// How many skipped ids are remembered at most (the newest).
    static constexpr qsizetype maxHoleIds = 1000;

    /// Adds the flows scheduled after the last one held, at most `maxRows`, reading `batchRows`
    /// at a time, and the skipped ids that have turned up since; returns how many it added
    /// after the last one held (fewer than `maxRows`: it has caught up).
    Result<qsizetype> load(FlowReader &log, qsizetype maxRows, int batchRows = 10000);
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
    /// Grows whenever a flow is put among older ones (a skipped id that turned up): positions
    /// move, and a search limited to the flows added since an earlier one (fromRow) would miss it.
    quint64 revision() const { return m_revision; }

    /// The ids, newest first, of the flows whose arguments contain `term` or whose id is
    /// `term` as a whole number (as `CAST(id AS TEXT) = ?` finds it). With `fromRow`, only among
    /// the flows held from that position on (size() at an earlier search: the flows added
    /// since). An empty term finds nothing.
    QList<qint64> find(const QString &term, qsizetype fromRow = 0) const;
    /// find(), unless more than `maxHits` flows match: then nothing, known as soon as the scan
    /// has seen that many (a common term costs a fraction of a full scan).
    std::optional<QList<qint64>> findAtMost(const QString &term, qsizetype maxHits, qsizetype fromRow = 0) const;

private:
    struct Hole {
        qint64 id;
        int loadsLeft;
    };
    void rememberSkipped(qint64 first, qint64 last);
    Result<void> loadSkipped(FlowReader &log);
    void insert(qint64 id, QByteArrayView argumentsText);

    QByteArray m_text;             ///< each flow's text, lower-cased, followed by a '\0'
    std::vector<qint64> m_ids;     ///< ascending
    std::vector<qsizetype> m_ends; ///< where each flow's text ends in m_text (its '\0')
    std::vector<Hole> m_holes;     ///< skipped ids, oldest first
    quint64 m_revision = 0;
};

} // namespace ergon
