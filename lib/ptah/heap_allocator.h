#pragma once

// A host-only Allocator over the C library heap, for tests, fuzzers, benchmarks and host tools.

#include <ptah/allocator.h>
#include <stdlib.h>

namespace ptah {

class HeapAllocator final : public Allocator {
public:
    void* allocate(usize size, usize alignment) override {
        if (alignment <= alignof(max_align_t)) return malloc(size ? size : 1);
        return aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
    }
    void deallocate(void* pointer, usize, usize) override { free(pointer); }
};

inline HeapAllocator& heap_allocator() {
    static HeapAllocator allocator;
    return allocator;
}

}  // namespace ptah
