#pragma once

// The kernel heap. Every allocation can fail: `allocate` returns null and `try_make` an error, and
// callers check. Plain `new` is deliberately not defined for the kernel, so an unchecked
// allocation does not link.

#include <base/result.h>
#include <new>

namespace mm {

constexpr usize heap_alignment = 16;

// Null when out of memory (or when `size` is absurd).
void* allocate(usize size);
void free(void* pointer);

// A kernel stack of `size` bytes (whole pages), page-aligned, with stack_guard_size bytes below
// it never mapped: running off its bottom faults. Null when out of memory.
void* allocate_stack(usize size);
void free_stack(void* bottom, usize size);
constexpr u64 stack_guard_size = 4096;
// True if `address` lies in the guard below the stack starting at `stack_bottom`.
inline bool is_stack_guard(u64 address, u64 stack_bottom) {
    return address < stack_bottom && stack_bottom - address <= stack_guard_size;
}

struct HeapStatistics {
    u64 small_pages;  // pages holding small-object slabs
    u64 large_pages;  // pages mapped for large allocations
    u64 stack_pages;  // pages mapped for kernel stacks
    u64 live_allocations;
    u64 bytes_in_use;  // each allocation counted at its size class, or its whole pages; stacks too
    u64 failed_allocations;
};
HeapStatistics heap_statistics();

void initialize_heap();

template <typename T, typename... Args>
base::ErrorOr<T*> try_make(Args&&... args) {
    T* object = new (std::nothrow) T(base::forward<Args>(args)...);
    if (!object) return base::Error::NoMemory;
    return object;
}

}  // namespace mm
