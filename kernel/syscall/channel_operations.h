#pragma once

// The channel system calls' non-blocking attempts (syscall/channel.cpp), shared with the ring's
// channel operations (object/ring.cpp): one implementation for both.
//
// A send reads the sender's memory, so it runs in the sender's address space (a system call, or
// ring_enter). Receiving writes the receiver's memory through `page_table_root` when it is not
// 0 (a job on a kernel worker, which holds the address space), else in the current address
// space.

#include <base/result.h>
#include <object/channel.h>

class Task;

struct OutgoingMessage {
    u64 bytes;  // user addresses in the current address space
    u64 byte_count;
    u64 handles;
    u64 handle_count;
    u64 transaction;  // 0, or the call it answers
};

struct IncomingBuffers {
    u64 page_table_root;  // 0: the current address space
    u64 bytes;
    u64 byte_capacity;
    u64 handles;
    u64 handle_capacity;
};

// A message delivered: its sizes (poplar::abi::pack_message_sizes) and transaction.
struct ReceivedMessage {
    u64 sizes;
    u64 transaction;
};

// Sends `outgoing` from `sender` (its handles move on success). `then_read` as for
// Channel::write: with awaits_reply, this is a call's request. On error nothing was sent.
base::ErrorOr<void> channel_send_message(Task& sender, Channel& channel, const OutgoingMessage& outgoing,
                                         ChannelReader* then_read = nullptr);

// BadAddress unless the buffers as declared (up to the largest message) lie in user space.
// Returns the room for bytes.
base::ErrorOr<u64> check_receive_buffers(const IncomingBuffers& buffers);

// One non-blocking attempt: the head message into `receiver`'s buffers and handle table, or
// ShouldWait / PeerClosed. A message that cannot be delivered (too big: BufferTooSmall with
// the sizes it needs in `needed`; bad memory; a full table) stays queued.
base::ErrorOr<ReceivedMessage> channel_try_receive(Task& receiver, Channel& channel, const IncomingBuffers& buffers,
                                                   u64& needed);

// A call's outcome once `call` (awaits_reply) is off the channel (released, or removed by
// remove_call): its reply delivered, or, with none, `waited`'s error, else PeerClosed. A reply
// that cannot be delivered is queued at the end, like any message, and the error says why.
base::ErrorOr<ReceivedMessage> channel_take_reply(Task& receiver, Channel& channel, ChannelReader& call,
                                                  const IncomingBuffers& buffers, base::ErrorOr<void> waited,
                                                  u64& needed);
