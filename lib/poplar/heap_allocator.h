#pragma once

// A first-fit free-list allocator over regions it is given. Portable (no system calls), so it
// is unit-tested on the host; the user heap (heap.h) feeds it memory objects.
//
// Every block starts with a 16-byte header: the size of the block before it (0 for the first
// block of a region) and its own size with a "used" bit. A region ends with a used, empty
// sentinel block, so merging with the next block never leaves the region. Free blocks keep
// their free-list links in their payload, so a block is at least 32 bytes. Payloads are
// 16-byte aligned.

#include <base/types.h>

namespace poplar {

class HeapAllocator {
public:
    static constexpr usize alignment = 16;
    static constexpr usize header_size = 16;
    static constexpr usize minimum_region_size = 4 * header_size;
    // Requests above this fail at once, so size arithmetic never overflows.
    static constexpr usize max_allocation = usize(1) << 40;

    HeapAllocator() = default;
    HeapAllocator(const HeapAllocator&) = delete;
    HeapAllocator& operator=(const HeapAllocator&) = delete;

    // Hands [start, start + size) to the allocator for good. Returns false if it is too small.
    bool add_region(void* start, usize size);

    // Null when no free block is large enough (the caller may add a region and retry).
    void* allocate(usize size);
    void free(void* pointer);

    // The payload size of an allocated block (at least what was asked for).
    static usize usable_size(const void* pointer);

    // Bytes in blocks that are in use, headers included; and in free blocks.
    usize used_bytes() const { return used_bytes_; }
    usize free_bytes() const { return free_bytes_; }
    usize free_block_count() const;
    usize region_count() const { return region_count_; }

    // Walks every region and free list and checks their invariants (for tests).
    bool check_consistency() const;

    // The region size needed to satisfy an allocation of `size` bytes.
    static usize region_size_for(usize size) { return block_size_for(size) + 3 * header_size; }

private:
    struct Block;

    static usize block_size_for(usize size);
    void insert_free(Block* block);
    void remove_free(Block* block);

    struct RegionRecord;
    Block* free_list_ = nullptr;
    usize used_bytes_ = 0;
    usize free_bytes_ = 0;
    usize region_count_ = 0;
    // Regions are chained through their first 16 bytes so the consistency check can walk them.
    RegionRecord* regions_ = nullptr;
};

}  // namespace poplar
