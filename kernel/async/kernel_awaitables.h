#pragma once

// Awaitables for kernel objects and time. Each works from any job, supports a deadline (~0: none)
// and ends with Cancelled when its job is cancelled; waiting never holds a thread.

#include <async/job.h>
#include <object/channel.h>
#include <time/timer.h>

namespace async {

constexpr u64 no_deadline = ~u64(0);

// co_await sleep_until(deadline): ErrorOr<void>.
class SleepAwaiter {
public:
    explicit SleepAwaiter(u64 deadline) : deadline_(deadline) {}
    ~SleepAwaiter();
    bool await_ready() const;
    void await_suspend(std::coroutine_handle<> handle);
    base::ErrorOr<void> await_resume();

private:
    static void fired(time::Timer& timer);

    u64 deadline_;
    Waker waker_;
    time::Timer timer_;
};
inline SleepAwaiter sleep_until(u64 deadline) { return SleepAwaiter(deadline); }
SleepAwaiter sleep_for(u64 nanoseconds);

// One wait for signals: the signals seen; TimedOut after the deadline, Cancelled; ShouldWait when
// woken with none of them present (raised and cleared again before the job ran).
class SignalAwaiter {
public:
    SignalAwaiter(base::RefPtr<KernelObject> object, u32 wanted, u64 deadline);
    ~SignalAwaiter();
    bool await_ready() const;
    void await_suspend(std::coroutine_handle<> handle);
    base::ErrorOr<u32> await_resume();

private:
    void stop_waiting();

    base::RefPtr<KernelObject> object_;
    u32 wanted_;
    u64 deadline_;
    Waker waker_;
    SignalObserver observer_;
    time::Timer timer_;
};
// co_await wait_signals(object, wanted, deadline): ErrorOr<u32>, the signals seen; TimedOut after
// the deadline, Cancelled if the job is cancelled. A signal raised and cleared before the job
// ran is not an outcome: the wait goes on.
Task<base::ErrorOr<u32>> wait_signals(base::RefPtr<KernelObject> object, u32 wanted, u64 deadline = no_deadline);

// One wait at a kernel-held channel end as its reader (object/channel.h), offering `buffer` (a
// message made for it, or null) for a small message to be copied straight into. Ok once there is
// something to read or a message was delivered; TimedOut, Cancelled.
class ChannelReadAwaiter {
public:
    ChannelReadAwaiter(base::RefPtr<Channel> channel, Message* buffer, u64 deadline);
    // The same with kernel memory the waiter owns for the buffer (a session's frame).
    ChannelReadAwaiter(base::RefPtr<Channel> channel, base::Bytes buffer, u64 deadline);
    ~ChannelReadAwaiter();
    bool await_ready() const;
    void await_suspend(std::coroutine_handle<> handle);
    base::ErrorOr<void> await_resume();
    // The bytes a writer copied into the buffer, if one did.
    bool delivered() const { return reader_.delivered; }
    u64 delivered_bytes() const { return reader_.delivered_bytes; }
    u64 delivered_transaction() const { return reader_.delivered_transaction; }

private:
    static constexpr u32 wanted = poplar::abi::signals::readable | poplar::abi::signals::peer_closed;
    void stop_waiting();

    base::RefPtr<Channel> channel_;
    u64 deadline_;
    Waker waker_;
    ChannelReader reader_;
    bool reading_ = false;
    time::Timer timer_;
};

// A job's wait for the reply to a call it made for a task (the ring's channel_call): `call` (a
// reader with awaits_reply) went into place with the request, before the job ran, with its
// observer's context set to `waker`, which its notify wakes (reply_waker_notify). Ok once the
// channel let the reader go (a reply, or an end closed); TimedOut, Cancelled otherwise, the
// reader then taken off the channel, unless the channel let it go first (then ok: the reply is
// the call's).
class ReplyAwaiter {
public:
    ReplyAwaiter(Channel& channel, ChannelReader& call, Waker& waker, u64 deadline);
    ~ReplyAwaiter();
    bool await_ready() const;
    void await_suspend(std::coroutine_handle<> handle);
    base::ErrorOr<void> await_resume();
    // For the call's observer: wakes the Waker its context names (an empty one does nothing).
    static void reply_waker_notify(SignalObserver& observer);

private:
    Channel& channel_;
    ChannelReader& call_;
    Waker& waker_;
    u64 deadline_;
    bool armed_ = false;
    time::Timer timer_;
};

// The next message on a kernel-held channel end: waits until one arrives, the peer closes
// (PeerClosed) or the deadline passes (TimedOut).
Task<base::ErrorOr<MessagePointer>> receive(base::RefPtr<Channel> channel, u64 deadline = no_deadline);

// Sends `message` on a kernel-held end, waiting while the peer's queue is full (back-pressure)
// until the deadline (TimedOut). PeerClosed once the peer is gone. The message is the channel's
// on success and is destroyed otherwise.
Task<base::ErrorOr<void>> send(base::RefPtr<Channel> channel, MessagePointer message, u64 deadline = no_deadline);

// Sends `request`, then takes the next message on the same end as the reply, all before the
// deadline.
Task<base::ErrorOr<MessagePointer>> call(base::RefPtr<Channel> channel, MessagePointer request,
                                         u64 deadline = no_deadline);

}  // namespace async
