#include "pipeline.h"

#include <ergon/clock.h>
#include <ergon/flowcontext.h>

#include <QFile>
#include <QJsonArray>

#include <fcntl.h>
#include <unistd.h>

namespace {
// One write(2) on an O_APPEND descriptor: lines from concurrent processes never interleave.
void appendLine(const QString &path, const QByteArray &line)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        throw std::runtime_error("cannot open the witness file " + path.toStdString());
    const ssize_t written = ::write(fd, line.constData(), size_t(line.size()));
    ::close(fd);
    if (written != line.size())
        throw std::runtime_error("cannot write the witness file " + path.toStdString());
}
} // namespace

Pipeline::Pipeline(ergon::FlowArguments &arguments)
    : m_steps(arguments.integer(QStringLiteral("steps"), 3))
    , m_stepMs(arguments.integer(QStringLiteral("step_ms"), 0))
    , m_witness(arguments.string(QStringLiteral("witness"), QString()))
{
}

QCoro::Task<QJsonValue> Pipeline::run(ergon::FlowContext &ctx)
{
    QJsonArray results;
    for (qint64 index = 1; index <= m_steps; ++index) {
        const QString name = QStringLiteral("step-%1").arg(index);
        // The step's name goes to its body as an argument, which step() copies (a lambda that
        // captured it would have to be named first: see FlowContext::step).
        const qint64 value = co_await ctx.step(
            name,
            [this, &ctx, index](const QString &step) -> QCoro::Task<qint64> {
                if (!m_witness.isEmpty())
                    appendLine(m_witness, QStringLiteral("%1 %2\n").arg(ctx.flowId()).arg(step).toUtf8());
                if (m_stepMs > 0)
                    co_await ctx.clock().sleepFor(std::chrono::milliseconds(m_stepMs));
                co_return index;
            },
            name);
        results.append(value);
    }
    co_return results;
}
