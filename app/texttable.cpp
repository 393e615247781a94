#include "texttable.h"

#include <QDateTime>
#include <QTextStream>

namespace ergon::cli {

TextTable::TextTable(QList<Align> alignments)
    : m_alignments(std::move(alignments))
{
}

void TextTable::addRow(QStringList cells)
{
    m_rows.append(std::move(cells));
}

void TextTable::print(QTextStream &out) const
{
    QList<qsizetype> widths;
    for (const QStringList &row : m_rows) {
        for (qsizetype column = 0; column < row.size(); ++column) {
            if (column >= widths.size())
                widths.append(0);
            widths[column] = std::max(widths[column], row[column].size());
        }
    }
    for (const QStringList &row : m_rows) {
        QString line;
        for (qsizetype column = 0; column < row.size(); ++column) {
            const bool last = column == row.size() - 1;
            const bool right = column < m_alignments.size() && m_alignments[column] == Align::Right;
            if (column > 0)
                line += QStringLiteral("  ");
            if (right)
                line += row[column].rightJustified(widths[column]);
            else
                line += last ? row[column] : row[column].leftJustified(widths[column]);
        }
        // An empty last cell leaves no trailing blanks.
        while (line.endsWith(QLatin1Char(' ')))
            line.chop(1);
        out << line << '\n';
    }
    out.flush();
}

QString localTime(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QStringLiteral("-");
}

QString truncated(const QString &text, qsizetype width)
{
    const QString trimmed = text.trimmed();
    QString line = trimmed.section(QLatin1Char('\n'), 0, 0).trimmed();
    if (line.size() < trimmed.size() && line.size() < width)
        line += QChar(0x2026); // more lines follow
    else if (line.size() > width)
        line = line.left(std::max<qsizetype>(width - 1, 0)) + QChar(0x2026);
    return line;
}

} // namespace ergon::cli
