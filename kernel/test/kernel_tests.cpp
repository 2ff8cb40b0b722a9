// Kernel unit tests that need the real target (run by booting with test=ktest).

#include <base/format.h>
#include <base/intrusive_list.h>
#include <boot/boot_info.h>
#include <debug/symbols.h>
#include <mm/heap.h>
#include <mm/physical_memory.h>
#include <test/kernel_test.h>
#include <time/clock.h>

KERNEL_TEST(frame_allocator, allocates_zeroed_distinct_frames) {
    u64 free_before = mm::frame_allocator().free_frames();
    auto first = mm::allocate_frame();
    auto second = mm::allocate_frame();
    KEXPECT(first.is_ok() && second.is_ok());
    KEXPECT(first.value() != second.value());
    KEXPECT(first.value() % mm::page_size == 0);
    auto* bytes = static_cast<const u8*>(mm::physical_to_virtual(first.value()));
    bool zeroed = true;
    for (usize i = 0; i < mm::page_size; ++i) zeroed &= bytes[i] == 0;
    KEXPECT(zeroed);
    mm::free_frame(first.value());
    mm::free_frame(second.value());
    KEXPECT_EQ(mm::frame_allocator().free_frames(), free_before);
}

KERNEL_TEST(frame_allocator, never_hands_out_the_kernel_image) {
    extern char __text_start[];
    u64 kernel_physical = reinterpret_cast<u64>(__text_start) - 0xffffffff80000000ull;
    auto frame = mm::allocate_frame();
    KEXPECT(frame.is_ok() && frame.value() != kernel_physical && frame.value() >= 0x100000);
    mm::free_frame(frame.value());
}

KERNEL_TEST(heap, small_allocations_are_aligned_and_reused) {
    void* first = mm::allocate(24);
    KEXPECT(first && reinterpret_cast<u64>(first) % mm::heap_alignment == 0);
    mm::free(first);
    void* second = mm::allocate(24);
    KEXPECT_EQ(first, second);
    mm::free(second);
}

KERNEL_TEST(heap, try_make_constructs_objects) {
    struct Point {
        Point(int x, int y) : x(x), y(y) {}
        int x, y;
    };
    auto point = mm::try_make<Point>(3, 4);
    KEXPECT(point.is_ok());
    KEXPECT(point.value()->x == 3 && point.value()->y == 4);
    delete point.value();
}

KERNEL_TEST(heap, absurd_sizes_fail_cleanly) {
    auto before = mm::heap_statistics().failed_allocations;
    KEXPECT(mm::allocate(~usize(0) - 4096) == nullptr);
    KEXPECT_EQ(mm::heap_statistics().failed_allocations, before + 1);
}

KERNEL_TEST(clock, is_monotonic_and_calibrated) {
    u64 a = time::monotonic_nanoseconds();
    u64 b = time::monotonic_nanoseconds();
    KEXPECT(b >= a);
    KEXPECT(time::cycle_frequency() > 1'000'000);
}

KERNEL_TEST(symbols, name_kernel_functions) {
    debug::SymbolLookup symbol;
    KEXPECT(debug::find_symbol(reinterpret_cast<u64>(&mm::allocate) + 1, symbol));
    KEXPECT(symbol.name == "mm::allocate(unsigned long)");
    KEXPECT_EQ(symbol.offset, 1u);
}

KERNEL_TEST(boot, command_line_options_are_parsed) {
    KEXPECT(boot::command_line_option("test") == "ktest");
    KEXPECT(boot::command_line_option("no_such_option").is_empty());
}
