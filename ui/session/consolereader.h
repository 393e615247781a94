#pragma once

#include "session/consolesnapshot.h"
#include "session/logreader.h"

namespace ergon {

class Clock;

/// Reads what the live pages show, in the background: a LogReader (own thread, own connection)
/// that builds a ConsoleSnapshot at every read and reports it by signal. Nothing it does runs
/// on the GUI thread. Its counts by status are the console's one source of counts: the sidebar,
/// the Overview and the Flows page's filters all show the same snapshot's.
class ConsoleReader : public LogReader
{
    Q_OBJECT

public:
    struct Options {
        std::chrono::milliseconds interval{1000}; ///< time between two snapshots
        int timerLimit = 500;                     ///< pending timers per snapshot
        int failureLimit = 25;                    ///< latest failed flows per snapshot
        int stealLimit = 50;                      ///< latest steals per snapshot
    };

    ConsoleReader(Opener opener, Options options, QObject *parent = nullptr);
    explicit ConsoleReader(Opener opener, QObject *parent = nullptr);
    ~ConsoleReader() override;

    /// The clock that stamps snapshots (default: the system clock). Set before start().
    void setClock(const Clock *clock);

Q_SIGNALS:
    void snapshotAvailable(const ergon::ConsoleSnapshot &snapshot);

protected:
    void read() override;

private:
    Result<ConsoleSnapshot> readSnapshot();

    Options m_options;
    const Clock *m_clock = nullptr;
};

} // namespace ergon
