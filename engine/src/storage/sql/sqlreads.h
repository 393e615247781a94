#pragma once

#include "storage/sql/sqlsession.h"

#include "ergon/executionlog.h"

namespace ergon::sqlreads {

using sqlsession::SqlSession;

// The reads of ExecutionLog that the SQL backends share, statement for statement (see there
// for what each returns).

Result<std::optional<FlowRecord>> flow(SqlSession &session, qint64 id);
Result<QList<StepRecord>> steps(SqlSession &session, qint64 flowId, bool withAttempts);
Result<QList<FlowRecord>> flows(SqlSession &session, const FlowQuery &query);
Result<QList<FlowText>> flowTexts(SqlSession &session, qint64 afterId, int limit);
Result<QMap<FlowStatus, qint64>> countByStatus(SqlSession &session);
Result<QList<SignalRecord>> flowSignals(SqlSession &session, qint64 flowId);
Result<QList<StealRecord>> steals(SqlSession &session, int limit);
/// The pending timers of unfinished flows, in `order` (the ORDER BY of the timers `t`): the
/// backends differ there on purpose (see their pendingTimers()).
Result<QList<TimerRecord>> pendingTimers(SqlSession &session, int limit, QLatin1StringView order);

} // namespace ergon::sqlreads
