#include <base/assert.h>
#include <ipc/bounded_allocator.h>
#include <mm/heap.h>

namespace ipc {

BoundedAllocator::~BoundedAllocator() { ASSERT(in_use_ == 0); }  // decoded values own their memory

void* BoundedAllocator::allocate(usize size, usize alignment) {
    // The kernel heap aligns every block to mm::heap_alignment.
    if (alignment > mm::heap_alignment || size > budget_ - in_use_) return nullptr;
    void* block = mm::allocate(size ? size : 1);
    if (block) in_use_ += size;
    return block;
}

void BoundedAllocator::deallocate(void* pointer, usize size, usize) {
    ASSERT(size <= in_use_);
    in_use_ -= size;
    mm::free(pointer);
}

}  // namespace ipc
