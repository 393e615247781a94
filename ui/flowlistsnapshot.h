#pragma once

#include "ergon/records.h"

#include <QList>
#include <QMap>
#include <QMetaType>

#include <numeric>

namespace ergon {

/// What the flow list shows at one moment: a page of the newest flows and the counts by status
/// over the whole log. A plain value, built on the reader's thread and handed to the GUI thread
/// by a queued signal.
struct FlowListSnapshot {
    QList<FlowRecord> flows;                 ///< newest first, at most one page
    QMap<FlowStatus, qint64> countsByStatus; ///< every flow in the log, not only the page

    qint64 total() const { return std::accumulate(countsByStatus.cbegin(), countsByStatus.cend(), qint64(0)); }
};

} // namespace ergon

Q_DECLARE_METATYPE(ergon::FlowListSnapshot)
