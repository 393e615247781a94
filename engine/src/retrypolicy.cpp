#include "ergon/retrypolicy.h"

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
    const double delay = double(initialDelay.count()) * std::pow(multiplier, attempt - 2);
    const double capped = std::min(delay, double(maxDelay.count()));
    return std::chrono::milliseconds(qint64(std::llround(std::max(0.0, capped))));
}

bool RetryPolicy::isRetryable(const QString &errorKind) const
{
    return !nonRetryableErrorKinds.contains(errorKind);
}

} // namespace ergon
