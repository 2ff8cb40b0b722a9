#pragma once

// The layout of an asynchronous system-call ring (docs/async-syscalls.md), shared by the kernel
// and user space. ring_create makes a ring and a memory object holding, from offset 0:
//
//   RingHeader                      64 bytes
//   submissions[entries]            RingSubmission, 64 bytes each
//   completions[2 * entries]        RingCompletion, 32 bytes each
//
// User space writes submissions and sq_tail, reads completions and writes cq_head; the kernel
// writes sq_head, completions and cq_tail. The kernel keeps its own copies of every cursor it
// relies on and only checks what it reads from here: corrupt words give errors, never damage.
// Cursors are free-running 32-bit counts; an entry's slot is the cursor masked by (count - 1).
// Entry sizes divide the page size, so no entry straddles a page.

#include <base/types.h>

namespace poplar::abi {

constexpr u32 ring_min_entries = 1;
constexpr u32 ring_max_entries = 1024;
constexpr u32 ring_completion_factor = 2;  // completions per submission slot

struct RingHeader {
    u32 sq_head;  // kernel: submissions consumed
    u32 sq_tail;  // user: submissions written
    u32 cq_head;  // user: completions consumed
    u32 cq_tail;  // kernel: completions written
    u32 sq_entries;
    u32 cq_entries;
    u32 reserved[10];
};
static_assert(sizeof(RingHeader) == 64);

// Each operation's fields (docs/async-syscalls.md); a field an operation does not use must be 0.
namespace ring_op {
constexpr u32 nop = 0;  // completes at once: ok
// handle: channel (send); address, length: the bytes; handles, handle_count: handle values to
// move; transaction: 0, or the call this message answers (a channel_receive's transaction).
constexpr u32 channel_send = 1;
constexpr u32 wait_signals = 2;  // handle (wait); signals: wanted; deadline. value: signals seen
constexpr u32 timeout = 3;       // deadline: completes ok once it has passed
constexpr u32 cancel = 4;        // target_tag: an operation in flight; ok or NotFound
// handle: channel (receive); address, length: the byte buffer; handles, handle_count: the handle
// buffer; deadline. value: pack_message_sizes (the sizes needed, on BufferTooSmall); the
// completion's transaction: the call to answer, or 0.
constexpr u32 channel_receive = 5;
// handle: channel (send, receive); address: a ChannelCallArguments (poplar/abi/syscalls.h);
// deadline. The kernel gives the request a transaction id and completes the call with the reply
// that carries it: several calls may be outstanding on one channel. value: the reply's sizes
// (with call_request_sent set on a failure after the request went).
constexpr u32 channel_call = 6;
// address, length: the service name; deadline. value: the new channel end's handle.
constexpr u32 service_subscribe = 7;
constexpr u32 count = 8;
}  // namespace ring_op

struct RingSubmission {
    u64 tag;  // copied into the completion
    u32 opcode;
    u32 flags;  // none yet: must be 0
    u32 handle;
    union {
        u32 signals;       // wait_signals
        u32 handle_count;  // channel_send, channel_receive
    };
    u64 address;
    u64 length;
    u64 deadline;
    union {
        u64 target_tag;  // cancel
        u64 handles;     // channel_send, channel_receive: a user address of HandleValues
    };
    u64 transaction;  // channel_send: the call it answers, or 0
};
static_assert(sizeof(RingSubmission) == 64);

struct RingCompletion {
    u64 tag;
    u64 value;
    u32 status;  // 0 or a base::Error code
    u32 reserved;
    u64 transaction;  // channel_receive: the call the message asks an answer to, or 0
};
static_assert(sizeof(RingCompletion) == 32);

constexpr u64 ring_submissions_offset = sizeof(RingHeader);
constexpr u64 ring_completions_offset(u32 entries) {
    return ring_submissions_offset + u64(entries) * sizeof(RingSubmission);
}
constexpr u64 ring_memory_size(u32 entries) {
    return ring_completions_offset(entries) + u64(entries) * ring_completion_factor * sizeof(RingCompletion);
}
constexpr bool ring_entries_valid(u64 entries) {
    return entries >= ring_min_entries && entries <= ring_max_entries && (entries & (entries - 1)) == 0;
}

// ring_create's out array: the ring, then the memory object to map (writable).
struct RingHandles {
    u32 ring;
    u32 memory;
};

}  // namespace poplar::abi
