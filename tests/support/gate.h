#pragma once

#include <coroutine>
#include <utility>
#include <vector>

namespace ergon::test {

/// Holds coroutines until the test opens it: a step body that awaits a gate stays suspended
/// exactly where the test wants it (to destroy the executor under it, for instance). open()
/// resumes the waiters synchronously, inside the call, so the test knows precisely what ran.
class Gate
{
public:
    class Awaiter
    {
    public:
        explicit Awaiter(Gate *gate)
            : m_gate(gate)
        {
        }
        bool await_ready() const noexcept { return !m_gate || m_gate->m_open; }
        void await_suspend(std::coroutine_handle<> handle) { m_gate->m_waiters.push_back(handle); }
        void await_resume() const noexcept { }

    private:
        Gate *m_gate;
    };

    Gate() = default;
    Gate(const Gate &) = delete;
    Gate &operator=(const Gate &) = delete;

    [[nodiscard]] Awaiter wait() { return Awaiter(this); }
    /// An awaiter that does not wait (for code paths without a gate).
    [[nodiscard]] static Awaiter passThrough() { return Awaiter(nullptr); }

    void open()
    {
        m_open = true;
        const auto waiters = std::exchange(m_waiters, {});
        for (std::coroutine_handle<> handle : waiters)
            handle.resume();
    }
    bool isOpen() const { return m_open; }
    int waiting() const { return int(m_waiters.size()); }

private:
    bool m_open = false;
    std::vector<std::coroutine_handle<>> m_waiters;
};

} // namespace ergon::test
