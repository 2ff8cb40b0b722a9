#pragma once

// A ring (docs/async-syscalls.md) as user space drives it: queue submissions and read completions
// in the shared memory without a system call, and enter the kernel to hand over a batch and
// wait. The executor (poplar/async/executor.h) is its one user; programs rarely need it directly.
//
// Memory order: a submission is written, then sq_tail is stored with release order, so the kernel
// never sees the cursor before the entry; cq_tail is loaded with acquire order before the
// completions it covers are read, and cq_head is stored with release order after they are read.
// Our own cursors (sq_tail, cq_head) are kept here too: the shared words are only written, once
// per ring_enter (the kernel reads them only there), not once per entry.

#include <poplar/abi/ring.h>
#include <poplar/handle.h>
#include <poplar/memory_object.h>

namespace poplar::async {

class Ring {
public:
    // A ring of `entries` submission slots (a power of two, 1 to 1024), mapped.
    static base::ErrorOr<Ring> create(u32 entries);

    Ring() = default;
    Ring(Ring&&) = default;
    Ring& operator=(Ring&&) = default;

    u32 entries() const { return entries_; }
    u32 completion_entries() const { return entries_ * abi::ring_completion_factor; }

    // Submissions written and not yet taken by the kernel.
    u32 unsubmitted() const {
        u32 waiting = sq_tail_ - load_acquire(header().sq_head);
        return waiting > entries_ ? entries_ : waiting;  // a scribbled head: no room, never more
    }
    // Room in the submission queue now.
    u32 submission_room() const { return entries_ - unsubmitted(); }

    // Writes `entry` at the tail (no system call); false when the queue is full.
    bool push(const abi::RingSubmission& entry);

    // ring_enter: shows the kernel our cursors, hands over up to `to_submit` queued entries, then
    // waits for `min_complete` unread completions or the deadline. How many entries it took.
    base::ErrorOr<u64> enter(u64 to_submit, u64 min_complete, u64 deadline = abi::deadline_infinite);

    // The next completion, if there is one (no system call).
    bool pop(abi::RingCompletion& completion);

    const Handle& handle() const { return ring_; }

private:
    static u32 load_acquire(const u32& word) { return __atomic_load_n(&word, __ATOMIC_ACQUIRE); }
    static void store_release(u32& word, u32 value) { __atomic_store_n(&word, value, __ATOMIC_RELEASE); }

    abi::RingHeader& header() const { return *reinterpret_cast<abi::RingHeader*>(mapping_.data()); }
    abi::RingSubmission* submissions() const {
        return reinterpret_cast<abi::RingSubmission*>(mapping_.data() + abi::ring_submissions_offset);
    }
    abi::RingCompletion* completions() const {
        return reinterpret_cast<abi::RingCompletion*>(mapping_.data() + abi::ring_completions_offset(entries_));
    }

    Handle ring_;
    MemoryObject memory_;
    Mapping mapping_;
    u32 entries_ = 0;
    u32 sq_tail_ = 0;  // ours: what we have written
    u32 cq_head_ = 0;  // ours: what we have read
};

}  // namespace poplar::async
