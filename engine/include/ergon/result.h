#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace ergon {

/// An expected failure, carried as a value: a human-readable message (shown to users as is)
/// and an optional machine-readable kind that callers may branch on.
class Error
{
public:
    Error() = default;
    explicit Error(QString message, QString kind = {})
        : m_message(std::move(message))
        , m_kind(std::move(kind))
    {
    }

    const QString &message() const { return m_message; }
    const QString &kind() const { return m_kind; }

    /// The same error with a context prefix, e.g. "opening orders.db: <message>".
    Error prefixed(const QString &context) const { return Error(context + QStringLiteral(": ") + m_message, m_kind); }

private:
    QString m_message;
    QString m_kind;
};

/// Either a value or an Error (a small std::expected, which C++20 lacks).
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_state(std::in_place_index<0>, std::move(value))
    {
    }
    Result(Error error)
        : m_state(std::in_place_index<1>, std::move(error))
    {
    }

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(m_state); }
    T &value() & { return std::get<0>(m_state); }
    T take() { return std::move(std::get<0>(m_state)); }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }

    T value_or(T fallback) const & { return ok() ? value() : std::move(fallback); }

    const Error &error() const { return std::get<1>(m_state); }
    QString errorString() const { return ok() ? QString() : error().message(); }

private:
    std::variant<T, Error> m_state;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
    {
    }

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }
    QString errorString() const { return ok() ? QString() : m_error->message(); }

private:
    std::optional<Error> m_error;
};

} // namespace ergon
