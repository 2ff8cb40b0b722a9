#pragma once

// A test's view of an asynchronous system-call ring (poplar/abi/ring.h): it writes submissions and
// reads completions by hand, so that tests can also write what a well-behaved runtime never would.

#include <poplar/memory_object.h>
#include <poplar/syscall.h>

namespace usertest {

struct TestRing {
    poplar::Handle ring;
    poplar::MemoryObject memory;
    poplar::Mapping mapping;
    u32 entries = 0;

    static base::ErrorOr<TestRing> create(u32 entries) {
        poplar::abi::RingHandles handles{};
        TRY(poplar::sys::ring_create(entries, &handles));
        TestRing ring;
        ring.ring = poplar::Handle(handles.ring);
        u64 size =
            (poplar::abi::ring_memory_size(entries) + poplar::abi::page_size - 1) & ~(poplar::abi::page_size - 1);
        ring.memory = poplar::MemoryObject(handles.memory, size);
        ring.mapping = TRY(ring.memory.map());
        ring.entries = entries;
        return ring;
    }

    volatile poplar::abi::RingHeader& header() const {
        return *reinterpret_cast<volatile poplar::abi::RingHeader*>(mapping.data());
    }
    poplar::abi::RingSubmission* submissions() const {
        return reinterpret_cast<poplar::abi::RingSubmission*>(mapping.data() + poplar::abi::ring_submissions_offset);
    }
    poplar::abi::RingCompletion* completions() const {
        return reinterpret_cast<poplar::abi::RingCompletion*>(mapping.data() +
                                                              poplar::abi::ring_completions_offset(entries));
    }

    // Queues `entry` (no system call).
    void push(const poplar::abi::RingSubmission& entry) {
        u32 tail = header().sq_tail;
        submissions()[tail & (entries - 1)] = entry;
        __atomic_thread_fence(__ATOMIC_RELEASE);
        header().sq_tail = tail + 1;
    }

    // Queues `count` entries, entry i being make(i), and shows them to the kernel with one
    // release store of sq_tail, as a runtime that batches does (no system call; the caller
    // leaves room).
    template <typename Make>
    void push_batch(u32 count, Make make) {
        auto& shared = const_cast<poplar::abi::RingHeader&>(header());
        u32 tail = __atomic_load_n(&shared.sq_tail, __ATOMIC_RELAXED);
        poplar::abi::RingSubmission* queue = submissions();
        for (u32 i = 0; i < count; ++i) queue[(tail + i) & (entries - 1)] = make(i);
        __atomic_store_n(&shared.sq_tail, tail + count, __ATOMIC_RELEASE);
    }

    // Reads `count` completions after one acquire load of cq_tail, calling check(completion) on
    // each, then frees their slots with one release store of cq_head. False if fewer than
    // `count` are there (nothing is read then) or a check failed.
    template <typename Check>
    bool pop_batch(u32 count, Check check) {
        auto& shared = const_cast<poplar::abi::RingHeader&>(header());
        u32 head = __atomic_load_n(&shared.cq_head, __ATOMIC_RELAXED);
        if (__atomic_load_n(&shared.cq_tail, __ATOMIC_ACQUIRE) - head < count) return false;
        const poplar::abi::RingCompletion* queue = completions();
        u32 mask = entries * poplar::abi::ring_completion_factor - 1;
        bool ok = true;
        for (u32 i = 0; i < count; ++i) ok = check(queue[(head + i) & mask]) && ok;
        __atomic_store_n(&shared.cq_head, head + count, __ATOMIC_RELEASE);
        return ok;
    }

    base::ErrorOr<u64> enter(u64 to_submit, u64 min_complete = 0, u64 deadline = poplar::abi::deadline_infinite,
                             u64* detail = nullptr) {
        return poplar::sys::ring_enter(ring.value(), to_submit, min_complete, deadline, detail);
    }

    // The next completion, if there is one (no system call).
    bool pop(poplar::abi::RingCompletion& completion) {
        u32 head = header().cq_head;
        if (head == header().cq_tail) return false;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        completion = completions()[head & (entries * poplar::abi::ring_completion_factor - 1)];
        header().cq_head = head + 1;
        return true;
    }
};

// An entry of `opcode`, its other fields 0 (the caller fills what the operation uses).
inline poplar::abi::RingSubmission entry_of(u32 opcode, u64 tag) {
    poplar::abi::RingSubmission entry{};
    entry.tag = tag;
    entry.opcode = opcode;
    return entry;
}

inline poplar::abi::RingSubmission cancel_of(u64 target, u64 tag) {
    auto entry = entry_of(poplar::abi::ring_op::cancel, tag);
    entry.target_tag = target;
    return entry;
}

inline poplar::abi::RingSubmission nop(u64 tag) {
    poplar::abi::RingSubmission entry{};
    entry.tag = tag;
    entry.opcode = poplar::abi::ring_op::nop;
    return entry;
}

}  // namespace usertest
