#include <gtest/gtest.h>
#include <mm/frame_allocator.h>
#include <vector>

using mm::FrameAllocator;
using mm::page_size;

namespace {

struct AllocatorFixture : ::testing::Test {
    static constexpr u64 memory_end = 64 * page_size * 4;  // 256 frames
    std::vector<u64> bitmap = std::vector<u64>(FrameAllocator::bitmap_words_for(memory_end));
    FrameAllocator allocator;

    void SetUp() override { allocator.initialize(bitmap.data(), memory_end); }
};

}  // namespace

TEST_F(AllocatorFixture, StartsWithNothingFree) {
    EXPECT_EQ(allocator.free_frames(), 0u);
    EXPECT_EQ(allocator.allocate().error(), base::Error::NoMemory);
}

TEST_F(AllocatorFixture, HandsOutOnlyUsableUnreservedFrames) {
    allocator.add_usable(page_size * 10, page_size * 4);  // frames 10..13
    allocator.reserve(page_size * 11 + 1, 1);             // touches frame 11
    EXPECT_EQ(allocator.free_frames(), 3u);
    std::vector<u64> frames;
    while (auto frame = allocator.allocate()) frames.push_back(frame.value());
    EXPECT_EQ(frames, (std::vector<u64>{10 * page_size, 12 * page_size, 13 * page_size}));
}

TEST_F(AllocatorFixture, PartialPagesAtRangeEdgesAreNotUsable) {
    allocator.add_usable(page_size + 1, page_size * 2);  // only frame 2 is whole
    EXPECT_EQ(allocator.free_frames(), 1u);
    EXPECT_EQ(allocator.allocate().value(), 2 * page_size);
}

TEST_F(AllocatorFixture, FreedFramesComeBack) {
    allocator.add_usable(0, memory_end);
    u64 total = allocator.free_frames();
    u64 frame = allocator.allocate().value();
    EXPECT_EQ(allocator.free_frames(), total - 1);
    allocator.free(frame);
    EXPECT_EQ(allocator.free_frames(), total);
}

TEST_F(AllocatorFixture, ContiguousRunsSkipHoles) {
    allocator.add_usable(0, 8 * page_size);
    allocator.reserve(2 * page_size, page_size);
    auto run = allocator.allocate_contiguous(4);
    ASSERT_TRUE(run.is_ok());
    EXPECT_EQ(run.value(), 3 * page_size);
    EXPECT_EQ(allocator.allocate_contiguous(4).error(), base::Error::NoMemory);
    EXPECT_EQ(allocator.allocate_contiguous(0).error(), base::Error::InvalidArgument);
}

TEST_F(AllocatorFixture, ReservingTwiceCountsOnce) {
    allocator.add_usable(0, 16 * page_size);
    allocator.reserve(0, 4 * page_size);
    allocator.reserve(0, 4 * page_size);
    EXPECT_EQ(allocator.free_frames(), 12u);
}
