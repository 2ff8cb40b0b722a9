#pragma once

// A poplar::Channel as Ptah's Client and Server want one (ptah/channel.h), with a timeout on each
// receive so that a peer that never answers is TimedOut, not a hang.
//
// Handles: a sent message's handles are moved into it (on success the caller no longer owns
// them; on failure nothing moved). A received message's handles arrive as raw values tagged with
// their object type as the kernel reports it (handle_info), so typed ptah::Handle<> fields are
// checked against the real object; whoever decodes the message owns them and must adopt or close
// each one (close_handles does the latter).
//
// A call goes out as one channel_call system call: send, then receive the reply.
//
// A server's reply answers the request it received: the transaction of the message last received
// (docs/async-syscalls.md, "Transactions") goes with the next message sent, so that a caller with
// several calls outstanding (a ring) gets each reply matched to its call.

#include <base/span.h>
#include <poplar/channel.h>
#include <ptah/channel.h>

namespace poplar {

class PtahChannel {
public:
    explicit PtahChannel(const Channel& channel, u64 timeout = abi::deadline_infinite)
        : channel_(channel), timeout_(timeout) {}

    base::ErrorOr<void> send(base::ReadonlyBytes bytes, base::Span<const ptah::TransferredHandle> handles);
    base::ErrorOr<ptah::MessageSize> receive(base::Bytes bytes, base::Span<ptah::TransferredHandle> handles);
    base::ErrorOr<ptah::MessageSize> call(base::ReadonlyBytes bytes, base::Span<const ptah::TransferredHandle> handles,
                                          base::Bytes reply, base::Span<ptah::TransferredHandle> reply_handles);

    const Channel& channel() const { return channel_; }
    void set_timeout(u64 timeout) { timeout_ = timeout; }

private:
    u64 deadline() const;

    const Channel& channel_;
    u64 timeout_;                // nanoseconds, or deadline_infinite
    u64 reply_transaction_ = 0;  // of the message last received, for the next send (its reply)
};

// Tags each of `count` received handle values with its object's type as the kernel reports it
// (0, which no typed field accepts, if it cannot say), into `handles`.
void tag_received_handles(const HandleValue* values, u64 count, base::Span<ptah::TransferredHandle> handles);

// Closes the handles a received message carried (one that did not decode, or whose handles the
// receiver does not keep).
void close_handles(base::Span<const ptah::TransferredHandle> handles);

}  // namespace poplar
