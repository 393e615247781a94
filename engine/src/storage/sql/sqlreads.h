#pragma once

#include "storage/sql/sqlsession.h"

#include "ergon/executionlog.h"

namespace ergon::sqlreads {

using sqlsession::SqlSession;

// The reads of ExecutionLog that the SQL backends share, statement for statement (see there
// for what each returns).

Result<QList<StepRecord>> steps(SqlSession &session, qint64 flowId, bool withAttempts);
Result<QList<FlowRecord>> flows(SqlSession &session, const FlowQuery &query);
Result<QList<FlowText>> flowTexts(SqlSession &session, qint64 afterId, int limit);
Result<QMap<FlowStatus, qint64>> countByStatus(SqlSession &session);
Result<QList<SignalRecord>> flowSignals(SqlSession &session, qint64 flowId);
Result<QList<StealRecord>> steals(SqlSession &session, int limit);

} // namespace ergon::sqlreads
