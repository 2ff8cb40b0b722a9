#pragma once

// One end of a channel: messages of up to 64 KiB and 64 handles, in order.

#include <base/span.h>
#include <poplar/handle.h>

namespace poplar {

using sys::MessageSizes;

class Channel : public Handle {
public:
    Channel() = default;
    explicit Channel(HandleValue value) : Handle(value) {}

    struct Pair;
    static base::ErrorOr<Pair> create();

    // Sends `bytes` and moves `handles` into the message: on success each of them is released
    // (now owned by the message); on failure they all stay as they were.
    // `transaction`: 0, or the call this answers (the request's MessageSizes::transaction).
    base::ErrorOr<void> send(base::ReadonlyBytes bytes, base::Span<Handle> handles = {}, u64 transaction = 0) const;

    // Receives the next message into `bytes`; its handles are placed in `handles`, in order. On
    // BufferTooSmall the message stays queued and `needed` (when given) tells its sizes.
    base::ErrorOr<MessageSizes> receive(base::Bytes bytes, base::Span<Handle> handles = {},
                                        u64 deadline = abi::deadline_infinite, MessageSizes* needed = nullptr) const;

    // A server's reply to the request whose sizes were `request` (its transaction goes with it),
    // then the next message received, in one system call.
    base::ErrorOr<MessageSizes> reply_and_receive(const MessageSizes& request, base::ReadonlyBytes bytes,
                                                  base::Span<Handle> handles, base::Bytes next,
                                                  base::Span<Handle> next_handles = {},
                                                  u64 deadline = abi::deadline_infinite) const;

    // Sends, then receives the reply (the message that carries the call's transaction).
    base::ErrorOr<MessageSizes> call(base::ReadonlyBytes bytes, base::Span<Handle> handles, base::Bytes reply,
                                     base::Span<Handle> reply_handles = {},
                                     u64 deadline = abi::deadline_infinite) const;
};

struct Channel::Pair {
    Channel first;
    Channel second;
};

}  // namespace poplar
