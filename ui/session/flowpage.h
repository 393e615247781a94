#pragma once

#include "ergon/records.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

#include <optional>

namespace ergon {

/// What the Flows page lists: flows of one status, one type, and whose id or arguments contain
/// a text (each optional). Always newest first, which is the order the log serves pages in.
struct FlowFilter {
    std::optional<FlowStatus> status;
    QString type;
    QString text;

    bool isEmpty() const { return !status && type.isEmpty() && text.isEmpty(); }
    friend bool operator==(const FlowFilter &, const FlowFilter &) = default;
};

/// A page snapshot: what the Flows page's reader read for one filter at one moment. A plain
/// value, built on the reader's thread and handed to the GUI thread by a queued signal.
///
/// A snapshot either holds the first rows of the filtered list (offset 0: the whole loaded
/// window, read again at every refresh) or one more page after them (offset > 0: fetch more).
struct FlowPageSnapshot {
    quint64 generation = 0; ///< the filter's generation: a page for an older filter is dropped
    FlowFilter filter;
    int offset = 0;               ///< position of flows.first() in the filtered list
    QList<FlowRecord> flows;      ///< newest first
    bool complete = false;        ///< no matching flow after these
    qint64 matching = -1;         ///< flows holding the text, when the search mirror tells (-1: unknown)
    bool searchMirrored = false;  ///< the text was found in the reader's search mirror, not by LIKE
    qint64 buildMicroseconds = 0; ///< time the reader took to build it
    QDateTime readAt;
};

/// The detail snapshot: one flow with its steps (and their attempts) and the workers, read
/// together so that the "why is it not moving" line sees one moment.
struct FlowDetailSnapshot {
    qint64 flowId = 0;
    std::optional<FlowRecord> flow; ///< empty when the flow is not (or no longer) in the log
    QList<StepRecord> steps;        ///< in run order, each with its attempt log
    QList<WorkerRecord> workers;
    QDateTime readAt;
    QString error; ///< the read failed; the fields above are empty
};

} // namespace ergon

Q_DECLARE_METATYPE(ergon::FlowFilter)
Q_DECLARE_METATYPE(ergon::FlowPageSnapshot)
Q_DECLARE_METATYPE(ergon::FlowDetailSnapshot)
