// The migrate verb: copies a SQLite database into PostgreSQL (moving up to many hosts).

#include "clicommand.h"
#include "clicontext.h"
#include "texttable.h"

#include <ergon/logmigration.h>
#include <ergon/openexecutionlog.h>

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTextStream>

namespace ergon::cli {

namespace {

void migrateOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("from"), QStringLiteral("The SQLite database to copy (left untouched)."),
                      QStringLiteral("path")});
    parser.addOption({QStringLiteral("to"),
                      QStringLiteral("The PostgreSQL database to copy into: postgresql://user@host:port/dbname."),
                      QStringLiteral("url")});
    parser.addOption({QStringLiteral("force"),
                      QStringLiteral("Replace the records the target already holds (else a target with records is "
                                     "refused).")});
}

Result<void> migrate(Context &context)
{
    const QString from = context.value(QStringLiteral("from"));
    const QString to = context.value(QStringLiteral("to"));
    if (from.isEmpty())
        return usageError(QStringLiteral("migrate needs --from PATH (the SQLite database)"));
    if (to.isEmpty())
        return usageError(QStringLiteral("migrate needs --to URL (the PostgreSQL database)"));
    if (isDatabaseUrl(from))
        return usageError(QStringLiteral("--from: migrate copies a SQLite file, not %1").arg(displayLocation(from)));
    if (!isDatabaseUrl(to))
        return usageError(QStringLiteral("--to: '%1' is not a postgresql:// URL").arg(displayLocation(to)));

    const QString source = QDir::cleanPath(QFileInfo(from).absoluteFilePath());
    LogMigrationOptions options;
    options.replace = context.isSet(QStringLiteral("force"));
    auto copied = migrateSqliteToPostgres(source, to, options);
    if (!copied)
        return copied.error().prefixed(
            QStringLiteral("cannot migrate %1 to %2").arg(QDir::toNativeSeparators(source), displayLocation(to)));
    TextTable table({TextTable::Align::Left, TextTable::Align::Right});
    for (const MigratedTable &migrated : std::as_const(*copied))
        table.addRow({migrated.name, QString::number(migrated.target)});
    table.print(context.out());
    return {};
}

} // namespace

Verb migrateVerb()
{
    return {
        QStringLiteral("migrate"),
        QStringLiteral("Copies a SQLite database into PostgreSQL (--from PATH --to URL)."),
        {},
        {},
        QStringLiteral("Copies every flow, step, attempt, timer, worker and steal record, keeping their ids, in one\n"
                       "transaction; checks that every table holds as many rows as the source, and prints them\n"
                       "(table, rows). The source is opened read-only and left untouched; stop its workers first.\n"
                       "A target that already holds records is refused unless --force, which replaces them.\n"
                       "The password comes from the URL, PGPASSWORD or ~/.pgpass, and is never printed."),
        migrateOptions,
        migrate};
}

} // namespace ergon::cli
