#pragma once

// The user heap: grows by mapping new memory objects and returns null when the kernel has no
// more to give. There is no throwing operator new: an unchecked `new` does not link, so every
// allocation goes through a path that can fail (try_make, `new (std::nothrow)`, allocate).

#include <base/result.h>
#include <base/types.h>
#include <base/utility.h>
#include <new>

namespace poplar {

// 16-byte aligned memory, or null.
void* allocate(usize size);
void deallocate(void* pointer);

struct HeapStatistics {
    usize used_bytes;
    usize free_bytes;
    usize regions;
};
HeapStatistics heap_statistics();

template <typename T, typename... Args>
base::ErrorOr<T*> try_make(Args&&... args) {
    static_assert(alignof(T) <= 16, "the user heap aligns to 16 bytes");
    void* memory = allocate(sizeof(T));
    if (!memory) return base::Error::NoMemory;
    return new (memory) T(base::forward<Args>(args)...);
}

}  // namespace poplar

extern "C" {
void* malloc(usize size);
void* calloc(usize count, usize size);
void free(void* pointer);
}
