#include <gtest/gtest.h>
#include <poplar/heap_allocator.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

using poplar::HeapAllocator;

namespace {

struct Region {
    explicit Region(size_t size) : storage(size + 16) {}
    void* data() { return storage.data(); }
    size_t size() const { return storage.size() - 16; }
    std::vector<unsigned char> storage;
};

TEST(HeapAllocator, EmptyAllocatorReturnsNull) {
    HeapAllocator heap;
    EXPECT_EQ(heap.allocate(1), nullptr);
    EXPECT_TRUE(heap.check_consistency());
}

TEST(HeapAllocator, TooSmallRegionIsRefused) {
    HeapAllocator heap;
    unsigned char tiny[32];
    EXPECT_FALSE(heap.add_region(tiny, sizeof(tiny)));
    EXPECT_EQ(heap.region_count(), 0u);
}

TEST(HeapAllocator, AllocationsAreAlignedDistinctAndUsable) {
    HeapAllocator heap;
    Region region(64 * 1024);
    ASSERT_TRUE(heap.add_region(region.data(), region.size()));
    std::vector<void*> blocks;
    for (size_t size : {1, 7, 16, 17, 100, 1000, 4096}) {
        void* pointer = heap.allocate(size);
        ASSERT_NE(pointer, nullptr);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(pointer) % 16, 0u);
        EXPECT_GE(HeapAllocator::usable_size(pointer), size);
        std::memset(pointer, 0xab, size);
        blocks.push_back(pointer);
    }
    EXPECT_TRUE(heap.check_consistency());
    for (void* pointer : blocks) heap.free(pointer);
    EXPECT_TRUE(heap.check_consistency());
    EXPECT_EQ(heap.used_bytes(), 0u);
    EXPECT_EQ(heap.free_block_count(), 1u);
}

TEST(HeapAllocator, ExhaustionReturnsNullAndFreeingMakesRoom) {
    HeapAllocator heap;
    Region region(4096);
    ASSERT_TRUE(heap.add_region(region.data(), region.size()));
    std::vector<void*> blocks;
    while (void* pointer = heap.allocate(100)) blocks.push_back(pointer);
    EXPECT_GT(blocks.size(), 20u);
    EXPECT_EQ(heap.allocate(100), nullptr);
    heap.free(blocks.back());
    blocks.pop_back();
    EXPECT_NE(heap.allocate(100), nullptr);
    EXPECT_TRUE(heap.check_consistency());
}

TEST(HeapAllocator, NeighboursMergeInAnyOrder) {
    HeapAllocator heap;
    Region region(8192);
    ASSERT_TRUE(heap.add_region(region.data(), region.size()));
    size_t free_at_start = heap.free_bytes();
    void* a = heap.allocate(500);
    void* b = heap.allocate(500);
    void* c = heap.allocate(500);
    heap.free(a);
    heap.free(c);
    EXPECT_TRUE(heap.check_consistency());
    heap.free(b);  // merges with both neighbours and the rest
    EXPECT_TRUE(heap.check_consistency());
    EXPECT_EQ(heap.free_block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), free_at_start);
    // The whole region is one block again.
    EXPECT_NE(heap.allocate(free_at_start - 16), nullptr);
}

TEST(HeapAllocator, HugeRequestsFailWithoutOverflow) {
    HeapAllocator heap;
    Region region(4096);
    ASSERT_TRUE(heap.add_region(region.data(), region.size()));
    EXPECT_EQ(heap.allocate(SIZE_MAX), nullptr);
    EXPECT_EQ(heap.allocate(SIZE_MAX - 8), nullptr);
    EXPECT_EQ(heap.allocate(HeapAllocator::max_allocation + 1), nullptr);
    EXPECT_TRUE(heap.check_consistency());
}

TEST(HeapAllocator, SeveralRegions) {
    HeapAllocator heap;
    Region first(1024), second(HeapAllocator::region_size_for(3000));
    ASSERT_TRUE(heap.add_region(first.data(), first.size()));
    EXPECT_EQ(heap.allocate(3000), nullptr);
    ASSERT_TRUE(heap.add_region(second.data(), second.size()));
    EXPECT_NE(heap.allocate(3000), nullptr);
    EXPECT_EQ(heap.region_count(), 2u);
    EXPECT_TRUE(heap.check_consistency());
}

TEST(HeapAllocator, RandomWorkloadKeepsInvariants) {
    HeapAllocator heap;
    Region region(256 * 1024);
    ASSERT_TRUE(heap.add_region(region.data(), region.size()));
    std::mt19937 random(42);
    std::vector<std::pair<unsigned char*, size_t>> live;
    for (int step = 0; step < 20000; ++step) {
        if (live.empty() || random() % 3 != 0) {
            size_t size = random() % 2000;
            auto* pointer = static_cast<unsigned char*>(heap.allocate(size));
            if (!pointer) continue;
            std::memset(pointer, static_cast<int>(size & 0xff), size);
            live.emplace_back(pointer, size);
        } else {
            size_t index = random() % live.size();
            auto [pointer, size] = live[index];
            for (size_t i = 0; i < size; ++i) ASSERT_EQ(pointer[i], static_cast<unsigned char>(size & 0xff));
            heap.free(pointer);
            live[index] = live.back();
            live.pop_back();
        }
        if (step % 1000 == 0) ASSERT_TRUE(heap.check_consistency());
    }
    for (auto [pointer, size] : live) heap.free(pointer);
    EXPECT_TRUE(heap.check_consistency());
    EXPECT_EQ(heap.used_bytes(), 0u);
    EXPECT_EQ(heap.free_block_count(), 1u);
}

}  // namespace
