#include "processmemory.h"

#include "benchoutput.h"

#include <QFile>
#include <QList>

#include <optional>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ergon::bench::memory {

Memory readMemory()
{
    Memory memory;
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly | QIODevice::Text))
        return memory;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const auto field = [&](const char *name) -> std::optional<qint64> {
            if (!line.startsWith(name))
                return std::nullopt;
            return line.mid(qstrlen(name)).trimmed().split(' ').value(0).toLongLong();
        };
        if (auto rss = field("VmRSS:"))
            memory.rssKiB = *rss;
        else if (auto hwm = field("VmHWM:"))
            memory.hwmKiB = *hwm;
    }
    return memory;
}

namespace {

/// Gives freed heap back to the system, so that RSS shows what is still held.
void trimHeap()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

} // namespace

bool startMemoryPhase()
{
    trimHeap();
    QFile clearRefs(QStringLiteral("/proc/self/clear_refs"));
    return clearRefs.open(QIODevice::WriteOnly) && clearRefs.write("5") == 1;
}

QString mib(qint64 kib)
{
    return kib < 0 ? QStringLiteral("?") : bench::fixed(kib / 1024.0, 1) + QStringLiteral(" MiB");
}

void printMemory(const PhaseMemory &memory, qint64 flows)
{
    QString line = QStringLiteral("  rss: before %1, peak %2 (%3), at the end (log open) %4")
                       .arg(mib(memory.before.rssKiB), mib(memory.end.hwmKiB),
                            memory.phasePeak ? QStringLiteral("this phase") : QStringLiteral("whole process so far"),
                            mib(memory.end.rssKiB));
    if (memory.closedKiB >= 0)
        line += QStringLiteral(", after closing the log %1").arg(mib(memory.closedKiB));
    if (flows > 0 && memory.phasePeak) {
        line += QStringLiteral("; peak above the start: %1 B per flow")
                    .arg(bench::fixed((memory.end.hwmKiB - memory.before.rssKiB) * 1024.0 / flows));
    }
    bench::print(line);
}

qint64 trimmedRss()
{
    trimHeap();
    return readMemory().rssKiB;
}

} // namespace ergon::bench::memory
