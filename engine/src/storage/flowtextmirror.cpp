#include "ergon/flowtextmirror.h"

#include "ergon/executionlog.h"
#include "ergon/jsontext.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace ergon {

namespace {

// SQLite's LIKE folds ASCII letters only; bytes of other characters compare as they are.
char foldAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// The first occurrence of the needle in [from, end), or null. glibc's memmem (two-way, with a
// vectorised first-byte scan) measured 2.5-7x faster than std::boyer_moore_horspool_searcher
// on a million flows' arguments (3 ms against 8 ms for an order id, 2 ms against 18 ms for a
// term found nowhere), where it exists.
const char *findBytes(const char *from, const char *end, const QByteArray &needle)
{
#if defined(__GLIBC__) || defined(__APPLE__) || defined(__FreeBSD__)
    return static_cast<const char *>(memmem(from, size_t(end - from), needle.constData(), size_t(needle.size())));
#else
    const char *hit = std::search(from, end, std::boyer_moore_horspool_searcher(needle.cbegin(), needle.cend()));
    return hit == end ? nullptr : hit;
#endif
}

} // namespace

Result<qsizetype> FlowTextMirror::load(FlowReader &log, qsizetype maxRows, int batchRows)
{
    if (auto late = loadSkipped(log); !late)
        return late.error();
    qsizetype added = 0;
    while (added < maxRows) {
        const int batch = int(std::min<qsizetype>(batchRows, maxRows - added));
        auto texts = log.flowTexts(lastId(), batch);
        if (!texts)
            return texts.error();
        for (const FlowText &text : std::as_const(*texts)) {
            if (!m_ids.empty())
                rememberSkipped(lastId() + 1, text.id - 1);
            append(text.id, text.arguments);
        }
        added += texts->size();
        if (texts->size() < batch)
            break;
    }
    return added;
}

void FlowTextMirror::rememberSkipped(qint64 first, qint64 last)
{
    if (last < first)
        return;
    first = std::max(first, last - maxHoleIds + 1);
    for (qint64 id = first; id <= last; ++id)
        m_holes.push_back({id, holeLoads});
    if (qsizetype(m_holes.size()) > maxHoleIds)
        m_holes.erase(m_holes.begin(), m_holes.end() - maxHoleIds);
}

Result<void> FlowTextMirror::loadSkipped(FlowReader &log)
{
    if (m_holes.empty())
        return {};
    FlowQuery query;
    query.ids = QList<qint64>();
    query.ids->reserve(qsizetype(m_holes.size()));
    for (const Hole &hole : m_holes)
        query.ids->append(hole.id);
    query.limit = int(m_holes.size());
    auto flows = log.flows(query);
    if (!flows)
        return flows.error();
    // The listing parses the arguments: written back compactly, they are the stored text (the
    // engine stores toJsonText() of an object, whose keys are sorted).
    for (const FlowRecord &flow : std::as_const(*flows))
        insert(flow.id, toJsonText(flow.arguments));
    const auto turnedUp = [&flows](const Hole &hole) {
        return std::any_of(flows->cbegin(), flows->cend(),
                           [&hole](const FlowRecord &flow) { return flow.id == hole.id; });
    };
    std::erase_if(m_holes, [&turnedUp](Hole &hole) { return --hole.loadsLeft <= 0 || turnedUp(hole); });
    return {};
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

void FlowTextMirror::insert(qint64 id, QByteArrayView argumentsText)
{
    const auto at = std::lower_bound(m_ids.begin(), m_ids.end(), id);
    if (at != m_ids.end() && *at == id)
        return;
    if (at == m_ids.end()) {
        append(id, argumentsText);
        return;
    }
    // Rare (a late commit): moving everything after it is cheaper than any index kept for it.
    const size_t row = size_t(at - m_ids.begin());
    const qsizetype start = row == 0 ? 0 : m_ends[row - 1] + 1;
    QByteArray folded(argumentsText.size() + 1, '\0');
    std::transform(argumentsText.begin(), argumentsText.end(), folded.begin(), foldAscii);
    m_text.insert(start, folded);
    m_ids.insert(at, id);
    m_ends.insert(m_ends.begin() + qsizetype(row), start + argumentsText.size());
    for (size_t i = row + 1; i < m_ends.size(); ++i)
        m_ends[i] += folded.size();
    ++m_revision;
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
    return findAtMost(term, size(), fromRow).value_or(QList<qint64>());
}

std::optional<QList<qint64>> FlowTextMirror::findAtMost(const QString &term, qsizetype maxHits, qsizetype fromRow) const
{
    fromRow = std::clamp<qsizetype>(fromRow, 0, size());
    if (term.isEmpty() || fromRow == size())
        return QList<qint64>();

    QByteArray needle = term.toUtf8();
    std::transform(needle.begin(), needle.end(), needle.begin(), foldAscii);
    std::vector<qsizetype> rows; // ascending
    if (!needle.contains('\0')) {
        const char *const text = m_text.constData();
        const char *const end = text + m_text.size();
        const char *from = text + (fromRow == 0 ? 0 : m_ends[size_t(fromRow - 1)] + 1);
        auto rowEnd = m_ends.cbegin() + fromRow;
        while (from < end) {
            const char *hit = findBytes(from, end, needle);
            if (!hit)
                break;
            // The flow whose text holds the hit: the first that ends after it.
            rowEnd = std::upper_bound(rowEnd, m_ends.cend(), qsizetype(hit - text));
            rows.push_back(rowEnd - m_ends.cbegin());
            if (qsizetype(rows.size()) > maxHits)
                return std::nullopt;
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
    if (qsizetype(rows.size()) > maxHits)
        return std::nullopt;

    QList<qint64> found;
    found.reserve(qsizetype(rows.size()));
    for (auto row = rows.crbegin(); row != rows.crend(); ++row)
        found.append(m_ids[size_t(*row)]);
    return found;
}

} // namespace ergon
