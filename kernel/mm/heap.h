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

struct HeapStatistics {
    u64 small_pages;  // pages holding small-object slabs
    u64 large_pages;  // pages mapped for large allocations
    u64 live_allocations;
    u64 bytes_in_use;  // each allocation counted at its size class, or its whole pages
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
