#pragma once

#include <QList>
#include <QString>
#include <QStringList>

class QDateTime;
class QTextStream;

namespace ergon::cli {

/// Rows of text in aligned columns, for the verbs' plain output: no header line (one line per
/// item, for grep and wc), columns separated by two spaces, the last one not padded.
class TextTable
{
public:
    enum class Align { Left, Right };

    /// One alignment per column; columns beyond the list are left-aligned.
    explicit TextTable(QList<Align> alignments = {});

    void addRow(QStringList cells);
    void print(QTextStream &out) const;

private:
    QList<Align> m_alignments;
    QList<QStringList> m_rows;
};

/// A time in local time to the second ("2024-05-01 14:03:07"), or "-" when it is not set.
QString localTime(const QDateTime &time);
/// The first line of a text, cut to at most `width` characters with an ellipsis.
QString truncated(const QString &text, qsizetype width);

} // namespace ergon::cli
