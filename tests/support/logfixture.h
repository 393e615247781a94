#pragma once

#include <ergon/executionlog.h>

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace ergon::test {

/// One storage location of one backend, private to a test. open() returns a new connection to
/// the same stored data, as a restarted process would get one.
class LogFixture
{
public:
    virtual ~LogFixture() = default;
    virtual QString backend() const = 0;
    virtual Result<std::unique_ptr<ExecutionLog>> open() = 0;
    /// The database file, for backends that have one (empty otherwise).
    virtual QString filePath() const { return {}; }
};

/// Claims one flow for the owner the way a run does: a FlowClaim in a commit (what the
/// GroupCommitter writes). True when the commit claimed it; false when it was not claimable.
Result<bool> claimInCommit(BatchCommitter &log, qint64 id, const QString &owner, const QDateTime &now,
                           const QDateTime &leaseUntil);

/// A storage backend the suites run against.
struct Backend {
    QString name;
    std::function<std::unique_ptr<LogFixture>()> makeFixture;
};

/// Every backend, in order. Adding a backend here (e.g. PostgreSQL) runs every suite built on
/// addBackendRows() against it as well.
const QList<Backend> &backends();

/// For initTestCase_data(): one global row per backend, column "backend" (QString).
void addBackendRows();

/// A fresh fixture of the named backend; null (with a warning) for an unknown name.
std::unique_ptr<LogFixture> makeLogFixture(const QString &backend);

/// The PostgreSQL server the tests use: the URL in ERGON_TEST_POSTGRES, or empty when it is not
/// set (scripts/ergon.sh test and scripts/ergon.sh postgres start a throwaway server and set it).
QString postgresTestUrl();
/// Why the PostgreSQL tests cannot run here (empty when they can), for QSKIP.
QString postgresSkipReason();
/// With CI set, PostgreSQL tests never skip: a missing server fails them.
bool postgresRequired();

/// A fresh schema on the test server, dropped (with everything in it) on destruction: each test
/// gets empty tables of its own. url() names the server with ?schema=NAME.
class PostgresTestSchema
{
public:
    PostgresTestSchema();
    ~PostgresTestSchema();
    PostgresTestSchema(const PostgresTestSchema &) = delete;
    PostgresTestSchema &operator=(const PostgresTestSchema &) = delete;

    const QString &name() const { return m_name; }
    QString url() const;

private:
    QString m_name;
};

/// In initTestCase() (or a test) of PostgreSQL-only suites: skips without a server, or fails
/// when CI is set (CI never skips them).
#define ERGON_REQUIRE_POSTGRES()                                                                                       \
    do {                                                                                                               \
        if (::ergon::test::postgresTestUrl().isEmpty()) {                                                              \
            if (::ergon::test::postgresRequired())                                                                     \
                QFAIL("CI is set but ERGON_TEST_POSTGRES is not: the PostgreSQL tests must run in CI");                \
            QSKIP(qPrintable(::ergon::test::postgresSkipReason()));                                                    \
        }                                                                                                              \
    } while (false)

/// SHA-256 of a file's bytes: "no stored data changed" checks compare it before and after.
QByteArray fileHash(const QString &path);

/// Every field of a record on one line, so that QCOMPARE shows what differs.
QString describe(const FlowRecord &flow);
QString describe(const StepRecord &step, bool withAttempts = true);
QString describe(const QList<StepRecord> &steps, bool withAttempts = true);

} // namespace ergon::test
