#pragma once

#include <QString>

// bench_engine's memory figures: this process's resident set and its peak, per phase.
namespace ergon::bench::memory {

struct Memory {
    qint64 rssKiB = -1;
    qint64 hwmKiB = -1;
};

/// VmRSS and VmHWM of this process (-1 where /proc cannot be read).
Memory readMemory();
/// Trims the heap and resets VmHWM to the current RSS, so that the next phase's peak is its
/// own. False when the kernel refuses the reset (the peak is then the whole process's).
bool startMemoryPhase();
/// The resident set once freed heap went back to the system: what is still held.
qint64 trimmedRss();
QString mib(qint64 kib);

struct PhaseMemory {
    Memory before;
    Memory end;            ///< peak, and RSS once the work is done (heap trimmed, log still open)
    qint64 closedKiB = -1; ///< RSS once the log is closed too
    bool phasePeak = false;
};

/// One line: the phase's RSS before, at its peak and at its end, and the peak per flow.
void printMemory(const PhaseMemory &memory, qint64 flows);

} // namespace ergon::bench::memory
