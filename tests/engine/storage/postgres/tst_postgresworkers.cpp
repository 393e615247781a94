// Workers on PostgreSQL, in this process: a host clock an hour ahead takes no live lease (the
// server's clock judges), an idle worker is woken by NOTIFY long before its next poll, and
// connections cut under load are reconnected without losing a flow.

#include "ergontest.h"
#include "logfixture.h"
#include "offsetclock.h"

#include <ergon/clock.h>
#include <ergon/flowscheduler.h>
#include <ergon/flowworker.h>
#include <ergon/plugincatalog.h>
#include <ergon/postgresexecutionlog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace ergon;
using namespace ergon::test;

namespace {

QString withQuery(const QString &url, const QString &key, const QString &value)
{
    QUrl parsed(url);
    QUrlQuery query(parsed);
    query.addQueryItem(key, value);
    parsed.setQuery(query);
    return parsed.toString();
}

LogOpener opener(const QString &location)
{
    return [location]() -> Result<std::unique_ptr<ExecutionLog>> {
        if (PostgresExecutionLog::isUrl(location)) {
            auto log = PostgresExecutionLog::open(location);
            if (!log)
                return log.error();
            return std::unique_ptr<ExecutionLog>(log.take());
        }
        auto log = SqliteExecutionLog::open(location);
        if (!log)
            return log.error();
        return std::unique_ptr<ExecutionLog>(log.take());
    };
}

QJsonObject pipeline(int steps, int stepMs)
{
    return {{u"steps"_s, steps}, {u"step_ms"_s, stepMs}};
}

QList<ScheduleRequest> requests(int count, const QJsonObject &arguments)
{
    ScheduleRequest request;
    request.type = u"demo.Pipeline"_s;
    request.arguments = arguments;
    return QList<ScheduleRequest>(count, request);
}

qint64 countOf(ExecutionLog &log, FlowStatus status)
{
    const auto counts = log.countByStatus();
    return counts ? counts->value(status, 0) : -1;
}

/// The lines of a demo.Pipeline witness file ("<flow id> <step name>"), counted.
QHash<QString, int> witnessCounts(const QString &path)
{
    QHash<QString, int> counts;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return counts;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (!line.isEmpty())
            ++counts[QString::fromUtf8(line)];
    }
    return counts;
}

/// Ends every connection whose application name is given, as a server restart would.
bool terminateConnections(const QString &application)
{
    const QString name = u"ergon-test-terminator"_s;
    bool ok = false;
    {
        const QUrl url(postgresTestUrl());
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(url.host());
        db.setPort(url.port());
        db.setUserName(url.userName());
        db.setDatabaseName(url.path().mid(1));
        if (db.open()) {
            QSqlQuery query(db);
            ok = query.exec(
                u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '%1'"_s.arg(
                    application));
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace

class TestPostgresWorkers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void skewedClock_takesNoLiveLease_data();
    void skewedClock_takesNoLiveLease();
    void notify_wakesAnIdleWorker();
    void cutConnections_loseNothing();

private:
    PluginCatalog m_catalog;
    SystemClock m_clock;
};

void TestPostgresWorkers::initTestCase()
{
    m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
    QVERIFY(m_catalog.registry().info(u"demo.Pipeline"_s));
}

void TestPostgresWorkers::skewedClock_takesNoLiveLease_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("postgres") << u"postgres"_s;
    // The contrast: a log without a clock of its own can only trust the worker's, and the
    // skewed worker takes the lease. That is what judging by the server's clock prevents.
    QTest::newRow("sqlite (no server clock)") << u"sqlite"_s;
}

void TestPostgresWorkers::skewedClock_takesNoLiveLease()
{
    QFETCH(QString, backend);
    const bool postgres = backend == u"postgres"_s;
    if (postgres)
        ERGON_REQUIRE_POSTGRES();
    std::unique_ptr<PostgresTestSchema> schema;
    QTemporaryDir dir;
    QString location;
    if (postgres) {
        schema = std::make_unique<PostgresTestSchema>();
        location = schema->url();
    } else {
        location = dir.filePath(u"ergon.db"_s);
    }
    ERGON_TRY(log, opener(location)());

    // A healthy worker holds a flow it has started, its lease live for another minute.
    FlowScheduler scheduler(*log, m_catalog.registry(), m_clock);
    ERGON_TRY(held, scheduler.schedule(requests(1, pipeline(1, 0)).first()));
    const QDateTime now = m_clock.now();
    ERGON_TRY(claimed, claimInCommit(*log, held, u"healthy"_s, now, now.addSecs(60)));
    QVERIFY(claimed);
    // And work for anyone.
    ERGON_TRY(free, scheduler.scheduleMany(requests(20, pipeline(1, 0))));

    // A worker on a host whose clock is an hour ahead.
    OffsetClock ahead(m_clock, 1h);
    auto worker = FlowWorker(opener(location), m_catalog.registry())
                      .withName(u"ahead"_s)
                      .withClock(ahead)
                      .withConcurrency(4)
                      .withPollInterval(50ms)
                      .withLeaseDuration(10s)
                      .start();
    QTRY_COMPARE_WITH_TIMEOUT(countOf(*log, FlowStatus::Completed), qint64(postgres ? free.size() : free.size() + 1),
                              20000);
    QTest::qWait(300); // a few more polls

    ERGON_TRY(flow, log->flow(held));
    QVERIFY(flow.has_value());
    if (postgres) {
        QCOMPARE(flow->leaseOwner, u"healthy"_s);
        QCOMPARE(flow->status, FlowStatus::Running);
        // What the skewed worker wrote is in the server's time, not an hour ahead: its leases
        // expire when the others expect them to.
        ERGON_TRY(workers, log->workers());
        QCOMPARE(workers.size(), 1);
        QVERIFY2(qAbs(workers.first().heartbeat.msecsTo(m_clock.now())) < 5000,
                 qPrintable(workers.first().heartbeat.toString(Qt::ISODateWithMs)));
        ERGON_TRY(done, log->flow(free.first()));
        QVERIFY2(qAbs(done->finished.msecsTo(m_clock.now())) < 20000, qPrintable(done->finished.toString(Qt::ISODate)));
    } else {
        QCOMPARE(flow->status, FlowStatus::Completed); // taken from under the healthy worker
    }
    worker->shutdownAndWait(5s);
}

void TestPostgresWorkers::notify_wakesAnIdleWorker()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    ERGON_TRY(log, opener(schema.url())());
    // Polls and reads due times once an hour: within the test, only a notification can start
    // the flows.
    auto worker = FlowWorker(opener(schema.url()), m_catalog.registry())
                      .withName(u"idle"_s)
                      .withPollInterval(1h)
                      .withTimers(1h)
                      .start();
    QTRY_COMPARE_WITH_TIMEOUT(log->workers().value_or({}).size(), 1, 30000); // started

    FlowScheduler scheduler(*log, m_catalog.registry(), m_clock);
    QElapsedTimer timer;
    timer.start();
    ERGON_TRY(ids, scheduler.scheduleMany(requests(3, pipeline(2, 0))));
    QTRY_COMPARE_WITH_TIMEOUT(countOf(*log, FlowStatus::Completed), qint64(ids.size()), 30000);
    qInfo("3 flows scheduled from another connection completed %lld ms later", qlonglong(timer.elapsed()));

    // A flow due in a second: the notification carries its due time, the worker arms a timer
    // for it (its own refresh is an hour away), and the flow does not start before it is due.
    ScheduleRequest later = requests(1, pipeline(1, 0)).first();
    later.delay = 1s;
    timer.restart();
    ERGON_TRY(delayed, scheduler.schedule(later));
    QTRY_COMPARE_WITH_TIMEOUT(countOf(*log, FlowStatus::Completed), qint64(ids.size() + 1), 30000);
    qInfo("a flow due in 1 s completed after %lld ms", qlonglong(timer.elapsed()));
    ERGON_TRY(flow, log->flow(delayed));
    ERGON_TRY(steps, log->steps(delayed, true));
    QCOMPARE(steps.size(), 1);
    QVERIFY2(steps.first().attemptLog.first().started >= flow->runAt,
             qPrintable(steps.first().attemptLog.first().started.toString(Qt::ISODateWithMs)));
    worker->shutdownAndWait(5s);
}

void TestPostgresWorkers::cutConnections_loseNothing()
{
    ERGON_REQUIRE_POSTGRES();
    PostgresTestSchema schema;
    const QString application = u"ergon-test-cut-%1"_s.arg(QCoreApplication::applicationPid());
    const QString url = withQuery(schema.url(), u"application_name"_s, application);
    QTemporaryDir dir;
    const QString witness = dir.filePath(u"witness.txt"_s);
    ERGON_TRY(log, opener(schema.url())());
    FlowScheduler scheduler(*log, m_catalog.registry(), m_clock);
    constexpr int flows = 300;
    constexpr int workerCount = 2;
    constexpr int concurrency = 8;
    constexpr int cuts = 2;
    QJsonObject arguments = pipeline(3, 10);
    arguments.insert(u"witness"_s, witness);
    ERGON_TRY(ids, scheduler.scheduleMany(requests(flows, arguments)));

    QStringList problems;
    std::vector<std::unique_ptr<WorkerHandle>> workers;
    for (int i = 1; i <= workerCount; ++i) {
        workers.push_back(FlowWorker(opener(url), m_catalog.registry())
                              .withName(u"cut-%1"_s.arg(i))
                              .withConcurrency(concurrency)
                              .withPollInterval(50ms)
                              .withLeaseDuration(5s)
                              .start());
        connect(workers.back().get(), &WorkerHandle::problem, this,
                [&problems](const QString &problem) { problems.append(problem); });
    }
    // Cut every worker connection twice while they work.
    for (int cut = 0; cut < cuts; ++cut) {
        QTRY_VERIFY_WITH_TIMEOUT(countOf(*log, FlowStatus::Completed) > (cut + 1) * flows / 4, 30000);
        QVERIFY(terminateConnections(application));
    }
    QTRY_COMPARE_WITH_TIMEOUT(countOf(*log, FlowStatus::Completed), qint64(flows), 60000);
    for (const auto &worker : workers)
        QVERIFY(worker->isRunning());
    for (const auto &worker : workers)
        worker->shutdownAndWait(5s);
    // Every problem was the lost connection, named as such: nothing else went wrong (no refused
    // write, no lease taken twice). A cut need not be reported at all: a worker that sees it
    // while it waits for notifications connects again before any of its calls fails.
    qInfo("%lld problems reported, e.g. %s", qlonglong(problems.size()), qPrintable(problems.value(0)));
    const QRegularExpression aboutTheConnection(u"connect|unreachable|could not send"_s);
    for (const QString &problem : std::as_const(problems))
        QVERIFY2(problem.contains(aboutTheConnection), qPrintable(problem));
    // Nothing left behind: no lease, nothing running.
    ERGON_TRY(counts, log->countByStatus());
    QCOMPARE(counts.value(FlowStatus::Running), 0);
    QCOMPARE(counts.value(FlowStatus::Completed), qint64(flows));

    // Lose nothing: every step is stored once and its body ran. A body ran again only when the
    // commit of its result was cut off: at most one step per flow in flight at a cut.
    const QHash<QString, int> ran = witnessCounts(witness);
    int reruns = 0;
    for (const qint64 id : std::as_const(ids)) {
        ERGON_TRY(steps, log->steps(id, false));
        QCOMPARE(steps.size(), 3);
        for (const StepRecord &step : std::as_const(steps)) {
            QCOMPARE(step.status, StepStatus::Completed);
            const int times = ran.value(u"%1 %2"_s.arg(id).arg(step.name));
            QVERIFY2(times >= 1, qPrintable(u"flow %1 %2 is stored but never ran"_s.arg(id).arg(step.name)));
            reruns += times - 1;
        }
    }
    qInfo("%d step bodies ran again after the cuts", reruns);
    QVERIFY2(reruns <= cuts * workerCount * concurrency, qPrintable(u"%1 step bodies ran again"_s.arg(reruns)));
    int lines = 0;
    for (const int times : ran)
        lines += times;
    QCOMPARE(lines, flows * 3 + reruns); // no body ran for a step that is not stored
}

QTEST_GUILESS_MAIN(TestPostgresWorkers)
#include "tst_postgresworkers.moc"
