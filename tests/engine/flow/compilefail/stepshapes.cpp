// The shapes of FlowContext::step() that must not compile, one per ERGON_SHAPE, and (shape 0)
// the shapes that must. tests/engine/CMakeLists.txt builds shape 0 with everything else, and
// each other shape in a test that expects the build to fail with the named constraint.
//
// Shapes 1-3 are what GCC 12 miscompiles inside a co_await expression (a temporary made by
// aggregate initialisation whose type has a non-trivial destructor: see FlowContext::step).

#include <ergon/flowcontext.h>

#include <QString>

#include <memory>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

struct Order { // an aggregate with a non-trivial member
    QString id;
    double amount = 0;
};

struct NoCodec {
    int value = 0;
};

class Shapes
{
public:
    QCoro::Task<QJsonValue> run(ergon::FlowContext &ctx, const QString &customer)
    {
#if ERGON_SHAPE == 0
        // Accepted: captures of `this`, references and numbers inline; a named body of any
        // kind; values for the body as arguments (named, or made by a call or a constructor);
        // named options; member functions; asynchronous and void bodies.
        const int n = co_await ctx.step(u"inline"_s, [this, &ctx] { return m_base + ctx.attempt(); });
        auto named = [customer, shared = std::make_shared<int>(n)]() -> QString {
            return customer + QString::number(*shared);
        };
        const QString text = co_await ctx.step(u"named"_s, named);
        const QString joined = co_await ctx.step(
            u"arguments"_s,
            [](const QString &a, const QString &b, int k) -> QString { return a + b + QString::number(k); }, text,
            u"order-%1"_s.arg(n), 3);
        const auto options = ergon::StepOptions::withRetry(ergon::RetryPolicy::attempts(2).backoff(10ms));
        const qint64 length = co_await ctx.step(u"member"_s, options, &Shapes::length, this, joined);
        const QString later = co_await ctx.step(
            u"async"_s, [](QString value) -> QCoro::Task<QString> { co_return value; }, joined);
        co_await ctx.step(u"void"_s, [this] { ++m_base; });
        co_return QJsonValue(later + QString::number(length));
#elif ERGON_SHAPE == 1
        // A lambda with a QString capture, written inside the co_await.
        co_return co_await ctx.step(u"greet"_s, [customer]() -> QString { return u"Hello, "_s + customer; });
#elif ERGON_SHAPE == 2
        // A braced StepOptions temporary inside the co_await.
        co_return co_await ctx.step(u"once"_s, ergon::StepOptions{ergon::RetryPolicy::none(), {}},
                                    [this] { return m_base; });
#elif ERGON_SHAPE == 3
        // A braced aggregate with a QString member as an argument inside the co_await.
        co_return co_await ctx.step(
            u"charge"_s, [](const Order &order) { return order.amount; }, Order{customer, 10.0});
#elif ERGON_SHAPE == 4
        // Refused as well, though not miscompiled: step() cannot tell a named body moved in
        // from a temporary. A named body is passed as it is (step() copies it).
        auto named = [customer] { return customer; };
        co_return co_await ctx.step(u"moved"_s, std::move(named));
#elif ERGON_SHAPE == 5
        // A result type without a Codec.
        const NoCodec result = co_await ctx.step(u"opaque"_s, [] { return NoCodec{1}; });
        co_return result.value;
#endif
    }

private:
    qint64 length(const QString &text) const
    {
        return text.size() + m_base;
    }

    int m_base = 1;
};

} // namespace

// Keeps the class and its coroutine instantiated in every shape.
QCoro::Task<QJsonValue> runShapes(ergon::FlowContext &ctx)
{
    Shapes shapes;
    co_return co_await shapes.run(ctx, u"Ada"_s);
}
