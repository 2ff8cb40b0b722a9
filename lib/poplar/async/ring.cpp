#include <poplar/async/ring.h>

namespace poplar::async {

base::ErrorOr<Ring> Ring::create(u32 entries) {
    if (!abi::ring_entries_valid(entries)) return base::Error::InvalidArgument;
    abi::RingHandles handles{};
    TRY(sys::ring_create(entries, &handles));
    Ring ring;
    ring.ring_ = Handle(handles.ring);
    ring.memory_ =
        MemoryObject(handles.memory, base::align_up_unchecked(abi::ring_memory_size(entries), abi::page_size));
    ring.mapping_ = TRY(ring.memory_.map());
    ring.entries_ = entries;
    return ring;
}

bool Ring::push(const abi::RingSubmission& entry) {
    if (submission_room() == 0) return false;
    submissions()[sq_tail_++ & (entries_ - 1)] = entry;
    return true;
}

base::ErrorOr<u64> Ring::enter(u64 to_submit, u64 min_complete, u64 deadline) {
    // The entries written and the completions read before the cursors that say so.
    store_release(header().sq_tail, sq_tail_);
    store_release(header().cq_head, cq_head_);
    return sys::ring_enter(ring_.value(), to_submit, min_complete, deadline);
}

bool Ring::pop(abi::RingCompletion& completion) {
    if (cq_head_ == load_acquire(header().cq_tail)) return false;
    completion = completions()[cq_head_++ & (completion_entries() - 1)];
    return true;
}

}  // namespace poplar::async
