#include <base/assert.h>
#include <base/utility.h>
#include <poplar/heap_allocator.h>

namespace poplar {

struct HeapAllocator::Block {
    u64 previous_size;  // 0: first block of its region
    u64 size_and_used;  // size in bytes, header included; bit 0: in use
    // Free blocks only:
    Block* next_free;
    Block* previous_free;

    static constexpr u64 used_bit = 1;

    usize size() const { return size_and_used & ~used_bit; }
    bool is_used() const { return size_and_used & used_bit; }
    void set(usize size, bool used) { size_and_used = size | (used ? used_bit : 0); }

    Block* next() { return reinterpret_cast<Block*>(reinterpret_cast<u8*>(this) + size()); }
    Block* previous() {
        return previous_size ? reinterpret_cast<Block*>(reinterpret_cast<u8*>(this) - previous_size) : nullptr;
    }
    void* payload() { return reinterpret_cast<u8*>(this) + header_size; }
    static Block* of(const void* payload) {
        return reinterpret_cast<Block*>(reinterpret_cast<uptr>(payload) - header_size);
    }
};

struct HeapAllocator::RegionRecord {
    RegionRecord* next;
    u64 size;
};

static_assert(sizeof(void*) == 8, "the block layout assumes 64-bit pointers");

usize HeapAllocator::block_size_for(usize size) {
    usize payload = base::align_up_unchecked(size ? size : 1, alignment);
    return base::max<usize>(payload + header_size, 2 * header_size);
}

bool HeapAllocator::add_region(void* start, usize size) {
    uptr begin = base::align_up_unchecked(reinterpret_cast<uptr>(start), alignment);
    uptr end = base::align_down(reinterpret_cast<uptr>(start) + size, alignment);
    if (end <= begin || end - begin < minimum_region_size) return false;

    auto* record = reinterpret_cast<RegionRecord*>(begin);
    record->next = regions_;
    record->size = end - begin;
    regions_ = record;
    ++region_count_;

    auto* block = reinterpret_cast<Block*>(begin + header_size);
    usize block_size = end - begin - 2 * header_size;
    block->previous_size = 0;
    block->set(block_size, false);
    auto* sentinel = block->next();
    sentinel->previous_size = block_size;
    sentinel->set(0, true);
    insert_free(block);
    return true;
}

void* HeapAllocator::allocate(usize size) {
    if (size > max_allocation) return nullptr;
    usize needed = block_size_for(size);
    Block* block = free_list_;
    while (block && block->size() < needed) block = block->next_free;
    if (!block) return nullptr;

    remove_free(block);
    usize remainder = block->size() - needed;
    if (remainder >= 2 * header_size) {
        block->set(needed, false);
        Block* rest = block->next();
        rest->previous_size = needed;
        rest->set(remainder, false);
        rest->next()->previous_size = remainder;
        insert_free(rest);
    }
    block->set(block->size(), true);
    used_bytes_ += block->size();
    return block->payload();
}

void HeapAllocator::free(void* pointer) {
    if (!pointer) return;
    Block* block = Block::of(pointer);
    ASSERT(block->is_used() && block->size() >= 2 * header_size);
    used_bytes_ -= block->size();
    block->set(block->size(), false);

    Block* next = block->next();
    if (!next->is_used()) {
        remove_free(next);
        block->set(block->size() + next->size(), false);
        block->next()->previous_size = block->size();
    }
    Block* previous = block->previous();
    if (previous && !previous->is_used()) {
        remove_free(previous);
        previous->set(previous->size() + block->size(), false);
        previous->next()->previous_size = previous->size();
        block = previous;
    }
    insert_free(block);
}

usize HeapAllocator::usable_size(const void* pointer) { return Block::of(pointer)->size() - header_size; }

usize HeapAllocator::free_block_count() const {
    usize count = 0;
    for (Block* block = free_list_; block; block = block->next_free) ++count;
    return count;
}

void HeapAllocator::insert_free(Block* block) {
    block->previous_free = nullptr;
    block->next_free = free_list_;
    if (free_list_) free_list_->previous_free = block;
    free_list_ = block;
    free_bytes_ += block->size();
}

void HeapAllocator::remove_free(Block* block) {
    if (block->previous_free)
        block->previous_free->next_free = block->next_free;
    else
        free_list_ = block->next_free;
    if (block->next_free) block->next_free->previous_free = block->previous_free;
    block->next_free = block->previous_free = nullptr;
    free_bytes_ -= block->size();
}

bool HeapAllocator::check_consistency() const {
    usize used = 0, free = 0, free_blocks = 0;
    for (RegionRecord* region = regions_; region; region = region->next) {
        auto* block = reinterpret_cast<Block*>(reinterpret_cast<uptr>(region) + header_size);
        auto* end = reinterpret_cast<Block*>(reinterpret_cast<uptr>(region) + region->size - header_size);
        usize previous_size = 0;
        bool previous_free = false;
        while (block != end) {
            if (block > end || block->size() < 2 * header_size || block->size() % alignment) return false;
            if (block->previous_size != previous_size) return false;
            if (!block->is_used()) {
                if (previous_free) return false;  // two free neighbours were not merged
                free += block->size();
                ++free_blocks;
            } else {
                used += block->size();
            }
            previous_free = !block->is_used();
            previous_size = block->size();
            block = block->next();
        }
        if (!end->is_used() || end->size() != 0 || end->previous_size != previous_size) return false;
    }
    return used == used_bytes_ && free == free_bytes_ && free_blocks == free_block_count();
}

}  // namespace poplar
