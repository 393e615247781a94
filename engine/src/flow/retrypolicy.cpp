#include "ergon/retrypolicy.h"

#include "ergon/limits.h"

#include <algorithm>
#include <cmath>

namespace ergon {

using namespace std::chrono_literals;

RetryPolicy RetryPolicy::none()
{
    return RetryPolicy{1, 0ms, 1.0, 0ms, {}};
}

RetryPolicy RetryPolicy::standard()
{
    return RetryPolicy{3, 1000ms, 2.0, std::chrono::minutes(5), {}};
}

RetryPolicy RetryPolicy::aggressive()
{
    return RetryPolicy{10, 100ms, 1.5, std::chrono::minutes(1), {}};
}

RetryPolicy RetryPolicy::attempts(int maxAttempts)
{
    RetryPolicy policy = standard();
    policy.maxAttempts = maxAttempts;
    return policy;
}

RetryPolicy RetryPolicy::backoff(std::chrono::milliseconds initialDelay, double multiplier) const
{
    RetryPolicy policy = *this;
    policy.initialDelay = initialDelay;
    policy.multiplier = multiplier;
    return policy;
}

RetryPolicy RetryPolicy::cappedAt(std::chrono::milliseconds maxDelay) const
{
    RetryPolicy policy = *this;
    policy.maxDelay = maxDelay;
    return policy;
}

RetryPolicy RetryPolicy::nonRetryable(QStringList errorKinds) const
{
    RetryPolicy policy = *this;
    policy.nonRetryableErrorKinds = std::move(errorKinds);
    return policy;
}

std::chrono::milliseconds RetryPolicy::delayBefore(int attempt) const
{
    if (attempt <= 1)
        return 0ms;
    // Every input gives a delay within the range: a NaN or an infinity never reaches llround.
    const double factor = std::isfinite(multiplier) ? std::clamp(multiplier, 1.0, limits::maxRetryMultiplier) : 1.0;
    const double cap = double(std::clamp<qint64>(maxDelay.count(), limits::retryDelay.min, limits::retryDelay.max));
    const double first =
        double(std::clamp<qint64>(initialDelay.count(), limits::retryDelay.min, limits::retryDelay.max));
    const double delay = first * std::pow(factor, attempt - 2);
    const double capped = std::isfinite(delay) ? std::min(delay, cap) : cap;
    return std::chrono::milliseconds(qint64(std::llround(std::max(0.0, capped))));
}

Result<void> RetryPolicy::check() const
{
    if (auto attempts = limits::check(maxAttempts, limits::attempts); !attempts)
        return attempts;
    if (auto first = limits::check(initialDelay, limits::retryDelay); !first)
        return first.error().prefixed(QStringLiteral("initial delay"));
    if (auto cap = limits::check(maxDelay, limits::retryDelay); !cap)
        return cap.error().prefixed(QStringLiteral("maximum delay"));
    if (!std::isfinite(multiplier) || multiplier < 1.0 || multiplier > limits::maxRetryMultiplier)
        return Error(QStringLiteral("the multiplier must be between 1 and %1 (got %2)")
                         .arg(limits::maxRetryMultiplier)
                         .arg(multiplier),
                     QStringLiteral("out-of-range"));
    return {};
}

bool RetryPolicy::isRetryable(const QString &errorKind) const
{
    return !nonRetryableErrorKinds.contains(errorKind);
}

} // namespace ergon
