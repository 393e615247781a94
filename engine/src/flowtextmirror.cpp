#include "ergon/flowtextmirror.h"

#include "ergon/executionlog.h"

#include <algorithm>
#include <functional>

namespace ergon {

namespace {

// SQLite's LIKE folds ASCII letters only; bytes of other characters compare as they are.
char foldAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

} // namespace

Result<qsizetype> FlowTextMirror::load(ExecutionLog &log, qsizetype maxRows, int batchRows)
{
    qsizetype added = 0;
    while (added < maxRows) {
        const int batch = int(std::min<qsizetype>(batchRows, maxRows - added));
        auto texts = log.flowTexts(lastId(), batch);
        if (!texts)
            return texts.error();
        for (const FlowText &text : std::as_const(*texts))
            append(text.id, text.arguments);
        added += texts->size();
        if (texts->size() < batch)
            break;
    }
    return added;
}

void FlowTextMirror::append(qint64 id, QByteArrayView argumentsText)
{
    if (id <= lastId())
        return;
    const qsizetype start = m_text.size();
    m_text.resize(start + argumentsText.size() + 1);
    char *out = m_text.data() + start;
    for (const char c : argumentsText)
        *out++ = foldAscii(c);
    // JSON text never holds a raw NUL: it ends a flow's text, and no match can cross it.
    *out = '\0';
    m_ids.push_back(id);
    m_ends.push_back(m_text.size() - 1);
}

qsizetype FlowTextMirror::memoryBytes() const
{
    return m_text.capacity() + qsizetype(m_ids.capacity() * sizeof(qint64)) +
        qsizetype(m_ends.capacity() * sizeof(qsizetype));
}

void FlowTextMirror::squeeze()
{
    m_text.squeeze();
    m_ids.shrink_to_fit();
    m_ends.shrink_to_fit();
}

QList<qint64> FlowTextMirror::find(const QString &term, qsizetype fromRow) const
{
    QList<qint64> found;
    fromRow = std::clamp<qsizetype>(fromRow, 0, size());
    if (term.isEmpty() || fromRow == size())
        return found;

    QByteArray needle = term.toUtf8();
    std::transform(needle.begin(), needle.end(), needle.begin(), foldAscii);
    std::vector<qsizetype> rows; // ascending
    if (!needle.contains('\0')) {
        const char *const text = m_text.constData();
        const char *const end = text + m_text.size();
        const std::boyer_moore_horspool_searcher searcher(needle.cbegin(), needle.cend());
        const char *from = text + (fromRow == 0 ? 0 : m_ends[size_t(fromRow - 1)] + 1);
        auto rowEnd = m_ends.cbegin() + fromRow;
        while (from < end) {
            const char *hit = std::search(from, end, searcher);
            if (hit == end)
                break;
            // The flow whose text holds the hit: the first that ends after it.
            rowEnd = std::upper_bound(rowEnd, m_ends.cend(), qsizetype(hit - text));
            rows.push_back(rowEnd - m_ends.cbegin());
            // One hit per flow: go on at the next flow's text.
            from = text + *rowEnd + 1;
            ++rowEnd;
        }
    }

    // The id as a whole number: the decimal text CAST(id AS TEXT) gives, nothing else.
    bool isNumber = false;
    const qint64 id = term.toLongLong(&isNumber);
    if (isNumber && QString::number(id) == term) {
        const auto first = m_ids.cbegin() + fromRow;
        if (const auto it = std::lower_bound(first, m_ids.cend(), id); it != m_ids.cend() && *it == id) {
            const qsizetype row = it - m_ids.cbegin();
            if (const auto at = std::lower_bound(rows.begin(), rows.end(), row); at == rows.end() || *at != row)
                rows.insert(at, row);
        }
    }

    found.reserve(qsizetype(rows.size()));
    for (auto row = rows.crbegin(); row != rows.crend(); ++row)
        found.append(m_ids[size_t(*row)]);
    return found;
}

} // namespace ergon
