#include "ergon/steperror.h"

namespace ergon {

StepError::StepError(QString kind, QString message)
    : std::runtime_error(message.toStdString())
    , m_kind(std::move(kind))
    , m_message(std::move(message))
{
}

StepFailed::StepFailed(QString stepName, QString error)
    : std::runtime_error(QStringLiteral("step '%1' failed: %2").arg(stepName, error).toStdString())
    , m_stepName(std::move(stepName))
    , m_error(std::move(error))
{
}

NonDeterminismError::NonDeterminismError(QString message)
    : std::runtime_error(message.toStdString())
    , m_message(std::move(message))
{
}

} // namespace ergon
