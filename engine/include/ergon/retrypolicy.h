#pragma once

#include "result.h"

#include <QStringList>

#include <chrono>

namespace ergon {

/// How a failing step is retried. Attempt n (n ≥ 2) waits
/// min(initialDelay × multiplier^(n-2), maxDelay) after attempt n-1 failed.
/// An error whose kind is listed in nonRetryableErrorKinds fails the step at once.
///
/// The ranges (limits.h): 1 to 1000 attempts, delays of 0 to 30 days, a multiplier of 1 to
/// 1000 (finite). check() names a value out of range; a step whose policy fails the check is
/// not retried, and its error says why. delayBefore() is defined for every value.
struct RetryPolicy {
    int maxAttempts = 3;
    std::chrono::milliseconds initialDelay{1000};
    double multiplier = 2.0;
    std::chrono::milliseconds maxDelay{std::chrono::minutes(5)};
    QStringList nonRetryableErrorKinds;

    /// One attempt, no retry.
    static RetryPolicy none();
    /// 3 attempts, 1 s, ×2: the default of every step.
    static RetryPolicy standard();
    /// 10 attempts, 100 ms, ×1.5.
    static RetryPolicy aggressive();

    /// A readable policy, built up from a number of attempts:
    ///     RetryPolicy::attempts(3).backoff(100ms, 2.0).cappedAt(1min).nonRetryable({"validation"})
    /// attempts(n) keeps the standard delays (1 s, ×2, at most 5 min) until told otherwise.
    static RetryPolicy attempts(int maxAttempts);
    /// The first retry waits `initialDelay`; each later one `multiplier` times the one before.
    RetryPolicy backoff(std::chrono::milliseconds initialDelay, double multiplier = 2.0) const;
    /// No wait longer than `maxDelay`.
    RetryPolicy cappedAt(std::chrono::milliseconds maxDelay) const;
    /// Errors of these kinds (StepError::kind()) fail the step at once.
    RetryPolicy nonRetryable(QStringList errorKinds) const;

    /// The wait before the given attempt (1-based; attempt 1 never waits).
    std::chrono::milliseconds delayBefore(int attempt) const;
    bool isRetryable(const QString &errorKind) const;
    /// The first field out of its range, if any.
    Result<void> check() const;

    bool operator==(const RetryPolicy &) const = default;
};

} // namespace ergon
