#pragma once

#include <QString>

#include <stdexcept>

namespace ergon {

/// Thrown by step code to fail an attempt with a kind that a RetryPolicy can match
/// (e.g. "validation" listed as non-retryable). Any other exception fails the attempt with
/// the kind "error" and is retried per the policy.
class StepError : public std::runtime_error
{
public:
    StepError(QString kind, QString message);

    const QString &kind() const { return m_kind; }
    const QString &message() const { return m_message; }

private:
    QString m_kind;
    QString m_message;
};

/// Raised out of FlowContext::step() when a step has failed for good (attempts exhausted or a
/// non-retryable error). Flow code may catch it to compensate; uncaught, it fails the flow.
class StepFailed : public std::runtime_error
{
public:
    StepFailed(QString stepName, QString error);

    const QString &stepName() const { return m_stepName; }
    const QString &error() const { return m_error; }

private:
    QString m_stepName;
    QString m_error;
};

/// Raised when replay asks for a different step than the log recorded at that position.
/// Flow code must not catch it; the flow fails with its message.
class NonDeterminismError : public std::runtime_error
{
public:
    explicit NonDeterminismError(QString message);
    const QString &message() const { return m_message; }

private:
    QString m_message;
};

} // namespace ergon
