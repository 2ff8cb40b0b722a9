#pragma once

// The ring operations as awaitables (docs/async-syscalls.md has each operation's rules). Each is
// one entry in the ring; co_await suspends the job until the kernel completes it. Every operation
// that can wait takes a deadline (absolute, as clock_read counts; deadline_now: do not wait,
// ShouldWait at once). A cancelled job's operations end as poplar/async/executor.h says.
//
//   CO_TRY(co_await async::sleep_for(5 * millisecond));
//   u32 seen = CO_TRY(co_await async::wait(task, abi::signals::terminated));
//   CO_TRY(co_await async::send(channel, bytes));

#include <base/span.h>
#include <base/string_view.h>
#include <poplar/async/operation.h>
#include <poplar/channel.h>

namespace poplar::async {

// Ends once `deadline` has passed.
class SleepUntil : public OperationAwaiter {
public:
    explicit SleepUntil(u64 deadline) {
        operation_.entry.opcode = abi::ring_op::timeout;
        operation_.restartable = true;
        operation_.entry.deadline = deadline;
    }
    base::ErrorOr<void> await_resume() const {
        if (operation_.failed()) return operation_.error();
        return {};
    }
};
inline SleepUntil sleep_until(u64 deadline) { return SleepUntil(deadline); }
inline SleepUntil sleep_for(u64 nanoseconds) { return SleepUntil(sys::deadline_after(nanoseconds)); }

// The signals seen once one of `wanted` is raised on `object` (which needs the wait right).
class WaitSignals : public OperationAwaiter {
public:
    WaitSignals(HandleValue object, u32 wanted, u64 deadline) {
        operation_.entry.opcode = abi::ring_op::wait_signals;
        operation_.restartable = true;
        operation_.entry.handle = object;
        operation_.entry.signals = wanted;
        operation_.entry.deadline = deadline;
    }
    base::ErrorOr<u32> await_resume() const {
        if (operation_.failed()) return operation_.error();
        return static_cast<u32>(operation_.completion.value);
    }
};
inline WaitSignals wait(const Handle& object, u32 wanted, u64 deadline = abi::deadline_infinite) {
    return WaitSignals(object.value(), wanted, deadline);
}

// Sends `bytes`, and moves `handles` (values the caller gives up on success), on a channel end;
// `transaction`: the call this message answers (a received message's), or 0. One attempt:
// ShouldWait when the peer's queue is full. The bytes and handle values are read when the kernel
// takes the entry; keep them until the send completes.
class Send : public OperationAwaiter {
public:
    Send(HandleValue channel, base::ReadonlyBytes bytes, base::Span<const HandleValue> handles, u64 transaction) {
        operation_.entry.opcode = abi::ring_op::channel_send;
        operation_.entry.handle = channel;
        operation_.entry.address = reinterpret_cast<u64>(bytes.data());
        operation_.entry.length = bytes.size();
        operation_.entry.handles = handles.size() ? reinterpret_cast<u64>(handles.data()) : 0;
        operation_.entry.handle_count = static_cast<u32>(handles.size());
        operation_.entry.transaction = transaction;
    }
    base::ErrorOr<void> await_resume() const {
        if (operation_.failed()) return operation_.error();
        return {};
    }
};
inline Send send(const Channel& channel, base::ReadonlyBytes bytes, base::Span<const HandleValue> handles = {},
                 u64 transaction = 0) {
    return Send(channel.value(), bytes, handles, transaction);
}

// A message received: its sizes, and the call it asks an answer to (0 for a plain message).
struct Received {
    MessageSizes sizes;
    u64 transaction = 0;
};

// Receives the next message on a channel end into `bytes` and `handles` (values the caller then
// owns). On BufferTooSmall the message stays queued and needed() says its sizes. The kernel writes
// the buffers when the message comes: they must live until the operation completes (they do, in
// the awaiting frame: a cancelled receive is still awaited).
class Receive : public OperationAwaiter {
public:
    Receive(HandleValue channel, base::Bytes bytes, base::Span<HandleValue> handles, u64 deadline) {
        operation_.entry.opcode = abi::ring_op::channel_receive;
        operation_.restartable = true;
        operation_.entry.handle = channel;
        operation_.entry.address = reinterpret_cast<u64>(bytes.data());
        operation_.entry.length = bytes.size();
        operation_.entry.handles = handles.size() ? reinterpret_cast<u64>(handles.data()) : 0;
        operation_.entry.handle_count = static_cast<u32>(handles.size());
        operation_.entry.deadline = deadline;
    }
    base::ErrorOr<Received> await_resume() const {
        if (operation_.failed()) return operation_.error();
        return Received{MessageSizes::unpack(operation_.completion.value), operation_.completion.transaction};
    }
    MessageSizes needed() const { return MessageSizes::unpack(operation_.completion.value); }
};
inline Receive receive(const Channel& channel, base::Bytes bytes, base::Span<HandleValue> handles = {},
                       u64 deadline = abi::deadline_infinite) {
    return Receive(channel.value(), bytes, handles, deadline);
}

// Sends a request and completes with the reply that answers it (matched by a transaction id the
// kernel gives the request), so several calls may be outstanding on one channel. On failure,
// request_sent() says whether the request (and its handles) went before the reply failed.
class Call : public OperationAwaiter {
public:
    Call(HandleValue channel, base::ReadonlyBytes bytes, base::Span<const HandleValue> handles, base::Bytes reply,
         base::Span<HandleValue> reply_handles, u64 deadline)
        : arguments_(sys::call_arguments(bytes.data(), bytes.size(), handles.data(), handles.size(), reply.data(),
                                         reply.size(), reply_handles.data(), reply_handles.size())) {
        operation_.entry.opcode = abi::ring_op::channel_call;
        operation_.entry.handle = channel;
        operation_.entry.address = reinterpret_cast<u64>(&arguments_);
        operation_.entry.deadline = deadline;
    }
    base::ErrorOr<MessageSizes> await_resume() const {
        if (operation_.failed()) return operation_.error();
        return MessageSizes::unpack(operation_.completion.value);
    }
    bool request_sent() const { return operation_.completion.value & abi::call_request_sent; }
    MessageSizes needed() const { return MessageSizes::unpack(operation_.completion.value & ~abi::call_request_sent); }

private:
    abi::ChannelCallArguments arguments_;  // read by the kernel: lives as long as the operation
};
inline Call call(const Channel& channel, base::ReadonlyBytes bytes, base::Span<const HandleValue> handles,
                 base::Bytes reply, base::Span<HandleValue> reply_handles = {}, u64 deadline = abi::deadline_infinite) {
    return Call(channel.value(), bytes, handles, reply, reply_handles, deadline);
}

// The caller's end of a new channel to the provider of `name`, waiting for one until `deadline`.
class Subscribe : public OperationAwaiter {
public:
    Subscribe(base::StringView name, u64 deadline) {
        operation_.entry.opcode = abi::ring_op::service_subscribe;
        operation_.restartable = true;
        operation_.entry.address = reinterpret_cast<u64>(name.data());
        operation_.entry.length = name.length();
        operation_.entry.deadline = deadline;
    }
    base::ErrorOr<Channel> await_resume() const {
        if (operation_.failed()) return operation_.error();
        return Channel(static_cast<HandleValue>(operation_.completion.value));
    }
};
inline Subscribe subscribe(base::StringView name, u64 deadline = abi::deadline_infinite) {
    return Subscribe(name, deadline);
}

}  // namespace poplar::async
