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

namespace ring_op {
constexpr u32 nop = 0;           // completes at once: ok
constexpr u32 channel_send = 1;  // handle: channel (send); address, length: the bytes (no handles)
constexpr u32 wait_signals = 2;  // handle (wait); signals: wanted; deadline. value: signals seen
constexpr u32 timeout = 3;       // deadline: completes ok once it has passed
constexpr u32 cancel = 4;        // target_tag: an operation in flight; ok or NotFound
constexpr u32 count = 5;
}  // namespace ring_op

struct RingSubmission {
    u64 tag;  // copied into the completion
    u32 opcode;
    u32 flags;  // none yet: must be 0
    u32 handle;
    u32 signals;
    u64 address;
    u64 length;
    u64 deadline;
    u64 target_tag;
    u64 reserved;  // must be 0
};
static_assert(sizeof(RingSubmission) == 64);

struct RingCompletion {
    u64 tag;
    u64 value;
    u32 status;  // 0 or a base::Error code
    u32 reserved;
    u64 reserved2;
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
