// A worker process for crash tests: runs a "test.pipeline" flow on the SQLite file given as its
// argument, prints "ready" once the flow's second step is under way (the first one committed),
// and waits there for the test to kill it (SIGKILL). It gives up by itself after 30 s.

#include "testflows.h"

#include <ergon/clock.h>
#include <ergon/flowexecutor.h>
#include <ergon/sqliteexecutionlog.h>

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;
using namespace ergon;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (app.arguments().size() != 2) {
        std::fprintf(stderr, "usage: ergon_crash_child DATABASE\n");
        return 2;
    }
    auto log = SqliteExecutionLog::open(app.arguments().at(1));
    if (!log) {
        std::fprintf(stderr, "%s\n", qPrintable(log.errorString()));
        return 1;
    }
    test::Probe probe;
    test::Gate &gate = probe.gate(u"enrich"_s); // never opened: the process dies here
    FlowRegistry registry;
    if (auto added = test::registerPipeline(registry, probe); !added)
        return 1;
    FakeClock clock; // the test's clock starts where this one does
    FlowExecutor executor(**log, registry, clock, u"doomed-worker"_s);
    auto run = executor.runNew(QString::fromLatin1(test::pipelineType), {{u"x"_s, 21}});

    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &app, [&] {
        if (gate.waiting() == 1) {
            std::printf("ready load=%d enrich=%d\n", probe.runs(u"load"_s), probe.runs(u"enrich"_s));
            std::fflush(stdout);
            poll.stop();
        }
    });
    poll.start(1);
    QTimer::singleShot(30000, &app, [] { std::_Exit(3); });
    return app.exec();
}
