#pragma once

// The console's keyboard: bytes typed on the serial terminal, put here by the receive interrupt
// (arch code calls console::receive) and taken by kernel.console's Read (services/console_service).
//
// - Back-pressure: the bytes wait in a bounded buffer (input_capacity). Once it is full, newly
//   typed bytes are dropped and counted (the older ones are what the reader is about to read);
//   the next take reports how many went. Nothing else waits on a slow reader.
// - One reader: the session that first reads owns the keyboard until it ends (claim_reader), so a
//   program started from the shell cannot take the shell's keystrokes; a second session's read
//   is refused.
// - Lock: its own, a leaf taken in the interrupt handler (interrupts off while held). Waiting
//   readers are woken after it is released.

#include <async/job.h>
#include <async/wait_list.h>
#include <base/span.h>
#include <console/input_buffer.h>
#include <object/channel.h>
#include <sync/spinlock.h>

namespace console {

inline constexpr usize input_capacity = 1024;

// Called by the arch code, in interrupt context, with the bytes one receive interrupt drained.
void receive(base::ReadonlyBytes bytes);

class Input {
public:
    static Input& the();

    void receive(base::ReadonlyBytes bytes);

    // Moves up to out.size() waiting bytes into `out`; `dropped` gets the bytes lost since the
    // last take that took some (so the count always comes with bytes).
    usize take(base::Bytes out, u64& dropped);
    bool has_bytes() const;

    // The reader role: true if `session` has it or has just taken it.
    bool claim_reader(const void* session);
    void release_reader(const void* session);

    void add_waiter(async::WaitNode& waiter) { waiters_.add(waiter); }
    void remove_waiter(async::WaitNode& waiter) { waiters_.remove(waiter); }

private:
    mutable IrqSpinLock lock_;
    InputBuffer<input_capacity> buffer_ GUARDED_BY(lock_);
    const void* reader_ GUARDED_BY(lock_) = nullptr;
    async::WaitList waiters_;
};

// co_await InputAwaiter(input, channel): once bytes wait, the session's channel (`channel`) has
// lost its client (peer_closed), or the job is cancelled; the caller looks at which.
class InputAwaiter {
public:
    InputAwaiter(Input& input, base::RefPtr<Channel> channel) : input_(input), channel_(base::move(channel)) {}
    ~InputAwaiter() { stop_waiting(); }
    InputAwaiter(const InputAwaiter&) = delete;
    InputAwaiter& operator=(const InputAwaiter&) = delete;

    bool await_ready() const { return async::current_job_cancelled() || ready(); }
    void await_suspend(std::coroutine_handle<> handle);
    void await_resume() { stop_waiting(); }

private:
    bool ready() const;
    void stop_waiting();

    Input& input_;
    base::RefPtr<Channel> channel_;
    async::WaitNode node_;
    SignalObserver channel_observer_;
    bool waiting_ = false;
};

}  // namespace console
