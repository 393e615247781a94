// The console's commands run on their own thread with their own connection: scheduling in
// batches with progress, retry, cancel and firing a timer, each ending in finished or failed;
// the in-process workers are woken through the notifier.

#include "consoletest.h"
#include "ergontest.h"
#include "session/consolecommands.h"
#include "threadrecordinglog.h"

#include <ergon/flowscheduler.h>
#include <ergon/worknotifier.h>

#include <QSignalSpy>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

using Command = ConsoleCommands::Command;

class TestConsoleCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { loadBundledPlugins(m_catalog); }

    void init()
    {
        m_db = std::make_unique<ConsoleDatabase>();
        m_record = std::make_shared<ThreadRecord>();
        m_notifier = std::make_unique<WorkNotifier>();
        m_commands = new ConsoleCommands(ThreadRecordingLog::wrap(m_db->opener(), m_record), m_catalog.registry(),
                                         m_notifier.get());
        m_thread = std::make_unique<QThread>();
        m_commands->moveToThread(m_thread.get());
        connect(m_thread.get(), &QThread::finished, m_commands, &QObject::deleteLater);
        m_thread->start();
        m_log = m_db->open();
        QVERIFY(m_log);
    }

    void cleanup()
    {
        m_thread->quit();
        m_thread->wait();
        // Nothing the commands did ran on the test's (the GUI's) thread.
        QCOMPARE(m_record->callsOn(QThread::currentThread()), QStringList());
        m_log.reset();
        m_thread.reset();
        m_notifier.reset();
        m_db.reset();
    }

    void scheduleInBatchesWithProgress()
    {
        QSignalSpy progress(m_commands, &ConsoleCommands::progress);
        QSignalSpy finished(m_commands, &ConsoleCommands::finished);
        QSignalSpy scheduled(m_commands, &ConsoleCommands::scheduled);
        QSignalSpy woken(m_notifier.get(), &WorkNotifier::workAvailable);
        ScheduleRequest request;
        request.type = u"demo.Pipeline"_s;
        request.arguments = {{u"steps"_s, 2}};
        const int count = 2 * ConsoleCommands::scheduleBatch + 200;
        QMetaObject::invokeMethod(m_commands, [c = m_commands, request, count] { c->schedule(request, count); });
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
        QCOMPARE(finished.first().at(0).value<Command>(), Command::Schedule);
        QVERIFY2(finished.first().at(1).toString().contains(u"demo.Pipeline"_s),
                 qPrintable(finished.first().at(1).toString()));

        QList<int> done;
        for (const QList<QVariant> &signal : std::as_const(progress)) {
            QCOMPARE(signal.at(2).toInt(), count);
            done.append(signal.at(1).toInt());
        }
        QCOMPARE(done, (QList<int>{0, ConsoleCommands::scheduleBatch, 2 * ConsoleCommands::scheduleBatch, count}));
        QCOMPARE(scheduled.size(), 1);
        QCOMPARE(scheduled.first().first().value<QList<qint64>>().size(), count);
        QCOMPARE(statusCount(*m_log, FlowStatus::Pending), count);
        QCOMPARE(woken.size(), 3); // one announcement per batch
    }

    void scheduleRefusesBadArguments()
    {
        QSignalSpy failed(m_commands, &ConsoleCommands::failed);
        ScheduleRequest request;
        request.type = u"orders.OrderProcessor"_s;
        request.arguments = {{u"order_id"_s, u"ORD-1"_s}}; // amount is required
        QMetaObject::invokeMethod(m_commands, [c = m_commands, request] { c->schedule(request, 3); });
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QVERIFY2(failed.first().at(1).toString().contains(u"amount"_s), qPrintable(failed.first().at(1).toString()));
        QCOMPARE(statusCount(*m_log, FlowStatus::Pending), 0);
    }

    void retryCancelAndFireTimer()
    {
        // Two flows that fail for good, a sleeper on a long timer, a pending flow for later.
        SystemClock clock;
        FlowScheduler scheduler(*m_log, m_catalog.registry(), clock);
        ScheduleRequest flaky{u"demo.Flaky"_s, {{u"fail_times"_s, 3}}, 0ms, {}, 0, {}};
        ERGON_TRY(failing, scheduler.scheduleMany(QList<ScheduleRequest>(2, flaky)));
        ERGON_TRY(sleeper, scheduler.schedule({u"demo.Sleeper"_s, {{u"seconds"_s, 600}}, 0ms, {}, 0, {}}));
        ERGON_TRY(later, scheduler.schedule({u"demo.Pipeline"_s, {}, 1h, {}, 0, {}}));
        auto worker = FlowWorker(m_db->opener(), m_catalog.registry())
                          .withName(u"commands-test"_s)
                          .withNotifier(m_notifier.get())
                          .withTimers(100ms)
                          .start();
        QTRY_VERIFY_WITH_TIMEOUT(
            statusCount(*m_log, FlowStatus::Failed) == 2 && statusOf(*m_log, sleeper) == u"waiting"_s, 15000);

        QSignalSpy finished(m_commands, &ConsoleCommands::finished);
        QSignalSpy failed(m_commands, &ConsoleCommands::failed);

        // Retry: the fourth attempt of fail_times = 3 succeeds (three attempts per run).
        QMetaObject::invokeMethod(m_commands, [c = m_commands, failing] { c->retry(failing); });
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(finished.last().at(0).value<Command>(), Command::Retry);
        QVERIFY2(finished.last().at(1).toString().contains(u"2 flows"_s), qPrintable(finished.last().at(1).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(*m_log, failing.first()) == u"completed"_s &&
                                     statusOf(*m_log, failing.last()) == u"completed"_s,
                                 10000);

        // Retrying a flow that has not failed is refused, with the flow named.
        QMetaObject::invokeMethod(m_commands, [c = m_commands, later] { c->retry({later}); });
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QCOMPARE(failed.last().at(0).value<Command>(), Command::Retry);
        QVERIFY2(failed.last().at(1).toString().contains(QString::number(later)),
                 qPrintable(failed.last().at(1).toString()));

        QMetaObject::invokeMethod(m_commands, [c = m_commands, later] { c->cancel({later}); });
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 5000);
        QCOMPARE(finished.last().at(0).value<Command>(), Command::Cancel);
        QCOMPARE(statusOf(*m_log, later), u"cancelled"_s);

        // Fire now: the ten-minute nap ends at once and the flow completes.
        QMetaObject::invokeMethod(m_commands, [c = m_commands, sleeper] { c->fireTimersNow({sleeper}); });
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 5000);
        QCOMPARE(finished.last().at(0).value<Command>(), Command::FireTimer);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(*m_log, sleeper), u"completed"_s, 10000);
        worker->shutdownAndWait(2s);
    }

    void openFailureFailsTheCommand()
    {
        ConsoleCommands commands([]() -> Result<std::unique_ptr<ExecutionLog>> { return Error(u"locked out"_s); },
                                 m_catalog.registry(), nullptr);
        QSignalSpy failed(&commands, &ConsoleCommands::failed);
        commands.cancel({1});
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toString(), u"locked out"_s);
    }

private:
    PluginCatalog m_catalog;
    std::unique_ptr<ConsoleDatabase> m_db;
    std::shared_ptr<ThreadRecord> m_record;
    std::unique_ptr<WorkNotifier> m_notifier;
    std::unique_ptr<QThread> m_thread;
    ConsoleCommands *m_commands = nullptr;
    std::unique_ptr<ExecutionLog> m_log;
};

QTEST_MAIN(TestConsoleCommands)
#include "tst_consolecommands.moc"
