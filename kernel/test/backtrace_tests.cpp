// The frame-pointer walk (debug/backtrace.cpp): it follows frames on a known stack and stops,
// without reading them, at frames anywhere else.

#include <debug/panic.h>
#include <mm/heap.h>
#include <test/kernel_test.h>

namespace {

u64 text_address() { return reinterpret_cast<u64>(&mm::allocate) + 4; }

// Three frames laid out by hand on this stack (ktests run on the boot stack), each pointing to
// the next one up, the last ending the chain.
struct alignas(16) FakeFrames {
    u64 words[6];

    explicit FakeFrames(u64 last_link = 0) {
        u64 base = address();
        u64 links[3] = {base + 16, base + 32, last_link};
        for (int i = 0; i < 3; ++i) {
            words[2 * i] = links[i];
            words[2 * i + 1] = text_address();
        }
    }
    u64 address() const { return reinterpret_cast<u64>(words); }
};

usize walk(u64 frame_pointer) {
    asm volatile("" : : : "memory");  // the fake frames are in memory before the walk reads them
    u64 found[8];
    return debug::collect_backtrace(frame_pointer, found, 8);
}

}  // namespace

KERNEL_TEST(backtrace, follows_frames_up_the_stack) {
    FakeFrames frames;
    u64 found[8] = {};
    asm volatile("" : : : "memory");
    KEXPECT_EQ(debug::collect_backtrace(frames.address(), found, 8), 3u);
    KEXPECT_EQ(found[0], text_address());
    KEXPECT_EQ(debug::collect_backtrace(frames.address(), found, 2), 2u);
}

KERNEL_TEST(backtrace, stops_at_loops_and_frames_off_the_stack) {
    FakeFrames looping(0);
    looping.words[4] = looping.address();  // the last frame links back to the first
    KEXPECT_EQ(walk(looping.address()), 3u);
    FakeFrames leaving(0xdead000);  // the last frame links to an unmapped page
    KEXPECT_EQ(walk(leaving.address()), 3u);
    KEXPECT_EQ(walk(leaving.address() + 4), 0u);  // misaligned
    KEXPECT_EQ(walk(0), 0u);
    KEXPECT_EQ(walk(0xdead000), 0u);
    KEXPECT_EQ(walk(~u64(0) - 7), 0u);
    auto* heap = static_cast<u64*>(mm::allocate(64));  // a frame-like record, but on no stack
    heap[0] = 0;
    heap[1] = text_address();
    KEXPECT_EQ(walk(reinterpret_cast<u64>(heap)), 0u);
    mm::free(heap);
}
