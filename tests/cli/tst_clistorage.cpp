// ergon-console's verbs on databases that are not in a good state: damaged, missing, empty, in a
// read-only folder, on a full disk. The real binary in a child process, as a user runs it: each
// verb gives the right answer or exits 1 with one line naming the file; a reading verb never
// creates a database; a worker waits for space instead of exiting.

#include "damagedfile.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace ergon::test;

namespace {

constexpr int processTimeoutMs = 30000;
constexpr int flowCount = 3000;

struct Outcome {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QString stderrText() const { return QString::fromUtf8(err); }
    QJsonDocument json() const { return QJsonDocument::fromJson(out); }
    QString describe() const
    {
        return u"exit %1\nstdout: %2\nstderr: %3"_s.arg(exitCode).arg(QString::fromUtf8(out.left(300)), stderrText());
    }
};

/// A tmpfs of its own, mounted for the test (root only) and unmounted when done.
class SmallDisk
{
public:
    explicit SmallDisk(const QString &path, const QString &size)
        : m_path(path)
    {
        QDir().mkpath(path);
        m_mounted = ::geteuid() == 0 &&
            QProcess::execute(u"mount"_s, {u"-t"_s, u"tmpfs"_s, u"-o"_s, u"size="_s + size, u"tmpfs"_s, path}) == 0;
    }
    ~SmallDisk()
    {
        if (m_mounted)
            QProcess::execute(u"umount"_s, {u"-l"_s, m_path});
    }
    bool isMounted() const { return m_mounted; }
    bool remountReadOnly() const { return QProcess::execute(u"mount"_s, {u"-o"_s, u"remount,ro"_s, m_path}) == 0; }

private:
    QString m_path;
    bool m_mounted = false;
};

/// Fills the disk holding `path` with one file until it is full. The bytes written.
qint64 fillDisk(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return 0;
    const QByteArray chunk(4096, 'x');
    qint64 written = 0;
    while (file.write(chunk) == chunk.size() && file.flush())
        written += chunk.size();
    return written;
}

} // namespace

class TestCliStorage : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_pristine;

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_DATA_HOME"_s, m_dir->filePath(u"data"_s));
        env.remove(u"ERGON_PLUGIN_PATH"_s);
        return env;
    }

    Outcome run(const QString &db, const QStringList &arguments, int timeoutMs = processTimeoutMs) const
    {
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(QStringLiteral(ERGON_CONSOLE_PATH),
                      arguments + QStringList{u"--db"_s, db, u"--plugins"_s, QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
        Outcome outcome;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            outcome.err = "the process did not finish in time";
            return outcome;
        }
        outcome.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        outcome.out = process.readAllStandardOutput();
        outcome.err = process.readAllStandardError();
        return outcome;
    }

    /// exit 1, nothing on stdout, one line on stderr that names the file.
    static bool isOneLineRefusal(const Outcome &outcome, const QString &fileName)
    {
        const QString err = outcome.stderrText();
        return outcome.exitCode == 1 && outcome.out.isEmpty() && err.endsWith(u'\n') && err.count(u'\n') == 1 &&
            err.contains(fileName);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_pristine = m_dir->filePath(u"pristine.db"_s);
        QCOMPARE(makeCompletedFlowsDatabase(m_pristine, flowCount), QString());
        const StatusScan scan = scanStatuses(m_pristine);
        QCOMPARE(scan.error, QString());
        QCOMPARE(scan.counts, (QMap<QString, qint64>{{u"completed"_s, flowCount}}));
    }

    // The experiment: 16 bytes flipped in the middle third of a file of 3,000 completed
    // flows, several seeds. What a table scan of the undamaged file says is the only right
    // answer; anything else must be a refusal.
    void damagedFile_data()
    {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed = 1; seed <= 8; ++seed)
            QTest::addRow("seed %u", seed) << seed;
    }

    void damagedFile()
    {
        QFETCH(quint32, seed);
        const QString name = u"damaged-%1.db"_s.arg(seed);
        const QString db = m_dir->filePath(name);
        QVERIFY(QFile::copy(m_pristine, db));
        QVERIFY(flipBytesInMiddleThird(db, seed));

        const auto check = [&](const QStringList &arguments, const std::function<QString(const Outcome &)> &right) {
            const Outcome outcome = run(db, arguments);
            if (outcome.exitCode == 0) {
                const QString wrong = right(outcome);
                QVERIFY2(wrong.isEmpty(), qPrintable(arguments.join(u' ') + u": "_s + wrong));
            } else {
                QVERIFY2(isOneLineRefusal(outcome, name),
                         qPrintable(arguments.join(u' ') + u": "_s + outcome.describe()));
            }
        };
        check({u"stats"_s, u"--json"_s}, [](const Outcome &outcome) {
            const QJsonObject counts = outcome.json().object();
            for (auto it = counts.begin(); it != counts.end(); ++it) {
                if (it.value().toInteger() != (it.key() == u"completed"_s ? flowCount : 0))
                    return u"%1 %2"_s.arg(it.key()).arg(it.value().toInteger());
            }
            return counts.size() == 6 ? QString() : u"not six statuses"_s;
        });
        const auto allCompleted = [](const Outcome &outcome) {
            const QJsonArray flows = outcome.json().array();
            if (flows.size() != flowCount)
                return u"%1 flows"_s.arg(flows.size());
            for (const QJsonValue &flow : flows) {
                if (flow[u"status"_s].toString() != u"completed"_s)
                    return u"flow %1 is %2"_s.arg(flow[u"id"_s].toInteger()).arg(flow[u"status"_s].toString());
            }
            return QString();
        };
        check({u"list"_s, u"--json"_s, u"--limit"_s, u"100000"_s}, allCompleted);
        check({u"list"_s, u"--json"_s, u"--status"_s, u"completed"_s, u"--limit"_s, u"100000"_s}, allCompleted);
        check({u"show"_s, u"1500"_s, u"--json"_s}, [](const Outcome &outcome) {
            const QJsonObject flow = outcome.json().object();
            if (flow[u"status"_s].toString() != u"completed"_s || flow[u"steps"_s].toArray().size() != 2)
                return QString::fromUtf8(outcome.out.left(200));
            return QString();
        });
        check({u"timers"_s, u"--json"_s},
              [](const Outcome &outcome) { return outcome.json().array().isEmpty() ? QString() : u"timers"_s; });
        const Outcome checked = run(db, {u"check"_s});
        QVERIFY2(checked.exitCode == 0 ? checked.out == "ok\n" : isOneLineRefusal(checked, name),
                 qPrintable(checked.describe()));
        if (checked.exitCode == 0)
            return; // bytes SQLite has no way to tell (inside a stored value, or in free space)

        // A worker refuses it too, at once, changing nothing.
        const QByteArray before = [&] {
            QFile file(db);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        const Outcome worker = run(db, {u"worker"_s});
        QVERIFY2(isOneLineRefusal(worker, name), qPrintable(worker.describe()));
        QFile after(db);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QVERIFY(after.readAll() == before);
    }

    void missingDatabase_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("list") << QStringList{u"list"_s};
        QTest::newRow("stats") << QStringList{u"stats"_s, u"--json"_s};
        QTest::newRow("show") << QStringList{u"show"_s, u"1"_s};
        QTest::newRow("timers") << QStringList{u"timers"_s};
        QTest::newRow("workers") << QStringList{u"workers"_s};
        QTest::newRow("check") << QStringList{u"check"_s};
        QTest::newRow("retry") << QStringList{u"retry"_s, u"1"_s};
        QTest::newRow("cancel") << QStringList{u"cancel"_s, u"1"_s};
    }

    // A mistyped path is not made a database by a verb that reads it.
    void missingDatabase()
    {
        QFETCH(QStringList, arguments);
        const QString db = m_dir->filePath(u"mistyped.db"_s);
        const Outcome outcome = run(db, arguments);
        QVERIFY2(outcome.exitCode == 1, qPrintable(outcome.describe()));
        QCOMPARE(outcome.stderrText(), u"ergon-console: no such database: %1\n"_s.arg(QDir::toNativeSeparators(db)));
        QVERIFY(outcome.out.isEmpty());
        QVERIFY(!QFile::exists(db));
        QVERIFY(!QFile::exists(db + u"-wal"_s));
    }

    void scheduleCreatesAMissingDatabase()
    {
        const QString db = m_dir->filePath(u"new.db"_s);
        const Outcome outcome = run(db, {u"schedule"_s, u"demo.Pipeline"_s});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.describe()));
        QCOMPARE(run(db, {u"stats"_s, u"--json"_s}).json().object().value(u"pending"_s).toInt(), 1);
    }

    // SQLite takes an empty file for an empty database: a verb that reads refuses it instead,
    // and leaves it empty.
    void emptyFile()
    {
        const QString db = m_dir->filePath(u"empty.db"_s);
        QFile file(db);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        for (const QStringList &arguments : {QStringList{u"stats"_s}, QStringList{u"list"_s},
                                             QStringList{u"show"_s, u"1"_s}, QStringList{u"workers"_s}}) {
            const Outcome outcome = run(db, arguments);
            QVERIFY2(isOneLineRefusal(outcome, u"empty.db"_s), qPrintable(outcome.describe()));
            QVERIFY2(outcome.stderrText().contains(u"not an SQLite database"_s), qPrintable(outcome.describe()));
        }
        QCOMPARE(QFileInfo(db).size(), 0);
    }

    // A clean database in a folder nobody may write: the reading verbs work (SQLite could not
    // make the -shm file a WAL database needs), a writing verb says the folder is read-only.
    void readOnlyFolder()
    {
        const QString folder = m_dir->filePath(u"ro"_s);
        SmallDisk disk(folder, u"16m"_s);
        if (::geteuid() == 0 && !disk.isMounted())
            QSKIP("cannot mount a tmpfs here (root is not allowed to): a read-only folder cannot be made for root");
        const QString db = folder + u"/flows.db"_s;
        const Outcome scheduled = run(db, {u"schedule"_s, u"demo.Pipeline"_s, u"--count"_s, u"3"_s});
        QVERIFY2(scheduled.exitCode == 0, qPrintable(scheduled.describe()));
        QVERIFY(!QFile::exists(db + u"-wal"_s)); // a clean close: no write-ahead log left
        if (disk.isMounted())
            QVERIFY(disk.remountReadOnly());
        else
            QVERIFY(QFile::setPermissions(folder, QFile::ReadOwner | QFile::ExeOwner));

        const Outcome stats = run(db, {u"stats"_s, u"--json"_s});
        QVERIFY2(stats.exitCode == 0, qPrintable(stats.describe()));
        QCOMPARE(stats.json().object().value(u"pending"_s).toInt(), 3);
        const Outcome list = run(db, {u"list"_s, u"--json"_s});
        QVERIFY2(list.exitCode == 0, qPrintable(list.describe()));
        QCOMPARE(list.json().array().size(), 3);
        const Outcome show = run(db, {u"show"_s, u"2"_s, u"--json"_s});
        QVERIFY2(show.exitCode == 0, qPrintable(show.describe()));

        const Outcome schedule = run(db, {u"schedule"_s, u"demo.Pipeline"_s});
        QVERIFY2(isOneLineRefusal(schedule, u"flows.db"_s), qPrintable(schedule.describe()));
        QVERIFY2(schedule.stderrText().contains(u"the folder %1 is read-only"_s.arg(folder)),
                 qPrintable(schedule.describe()));
        if (!disk.isMounted())
            QFile::setPermissions(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    // The full disk: a worker started on a disk with no room waits (one line, then
    // quiet retries), and once a little space is freed every flow completes.
    void fullDisk()
    {
        const QString folder = m_dir->filePath(u"small"_s);
        SmallDisk disk(folder, u"3m"_s);
        if (!disk.isMounted())
            QSKIP("needs a 3 MB tmpfs, which only root can mount (mount -t tmpfs -o size=3m): skipped");
        const QString db = folder + u"/flows.db"_s;
        constexpr int flows = 400;
        const Outcome scheduled = run(db, {u"schedule"_s, u"demo.Pipeline"_s, u"--count"_s, QString::number(flows)});
        QVERIFY2(scheduled.exitCode == 0, qPrintable(scheduled.describe()));
        const QString filler = folder + u"/filler"_s;
        QVERIFY(fillDisk(filler) > 0);

        QProcess worker;
        worker.setProcessEnvironment(environment());
        const QString errors = m_dir->filePath(u"worker.err"_s);
        worker.setStandardErrorFile(errors);
        worker.start(QStringLiteral(ERGON_CONSOLE_PATH),
                     {u"worker"_s, u"--db"_s, db, u"--plugins"_s, QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
        QVERIFY(worker.waitForStarted());
        const auto stderrOfWorker = [&] {
            QFile file(errors);
            return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(stderrOfWorker().contains(u"disk is full"_s), processTimeoutMs);
        QTest::qWait(3000); // retries, quietly
        QCOMPARE(worker.state(), QProcess::Running);
        QCOMPARE(stderrOfWorker().count(u'\n'), 1);

        // A little space: a megabyte (the WAL alone grew to 4 MB before its checkpoint).
        QFile fill(filler);
        QVERIFY(fill.resize(std::max<qint64>(0, fill.size() - 1024 * 1024)));
        const auto completed = [&] {
            return run(db, {u"stats"_s, u"--json"_s}).json().object().value(u"completed"_s).toInt();
        };
        QTRY_COMPARE_WITH_TIMEOUT(completed(), flows, 120000);
        worker.terminate();
        QVERIFY(worker.waitForFinished(processTimeoutMs));
        QCOMPARE(worker.exitCode(), 0);
        QVERIFY2(stderrOfWorker().count(u'\n') <= 2, qPrintable(stderrOfWorker()));
        const QJsonObject counts = run(db, {u"stats"_s, u"--json"_s}).json().object();
        QCOMPARE(counts.value(u"completed"_s).toInt(), flows);
        QCOMPARE(counts.value(u"pending"_s).toInt() + counts.value(u"running"_s).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCliStorage)
#include "tst_clistorage.moc"
