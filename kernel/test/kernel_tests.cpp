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
    u64 free_before = mm::frame_counts().free;
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
    KEXPECT_EQ(mm::frame_counts().free, free_before);
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

#include <arch/paging.h>
#include <arch/user_copy.h>
#include <object/address_space.h>

namespace {

// Runs `check` with a fresh address space holding one writable page at `base` (the next page is
// unmapped) loaded, then restores the kernel's page tables.
template <typename Check>
void with_one_user_page(u64 base, Check check) {
    auto space = MUST(AddressSpace::create());
    auto page = MUST(MemoryObject::create(4096, poplar::abi::memory_flags::writable));
    MUST(space->map(page, base, poplar::abi::memory_flags::writable));
    arch::InterruptGuard guard;
    arch::switch_page_tables(space->page_table_root());
    check();
    arch::switch_page_tables(arch::kernel_page_tables());
}

}  // namespace

KERNEL_TEST(user_copy, copies_inside_a_mapping) {
    with_one_user_page(0x200000, [&] {
        u8 data[32] = {1, 2, 3};
        u8 back[32] = {};
        KEXPECT(arch::copy_to_user(0x200000 + 100, data, sizeof(data)).is_ok());
        KEXPECT(arch::copy_from_user(back, 0x200000 + 100, sizeof(back)).is_ok());
        KEXPECT(back[0] == 1 && back[2] == 3);
    });
}

KERNEL_TEST(user_copy, a_copy_running_off_a_mapping_fails) {
    with_one_user_page(0x200000, [&] {
        u8 data[32] = {};
        KEXPECT(arch::copy_to_user(0x200000 + 4096 - 16, data, sizeof(data)).error() == base::Error::BadAddress);
        KEXPECT(arch::copy_from_user(data, 0x200000 + 4096 - 16, sizeof(data)).error() == base::Error::BadAddress);
        KEXPECT(arch::copy_to_user(0x201000, data, 1).error() == base::Error::BadAddress);
    });
}

KERNEL_TEST(user_copy, kernel_and_non_canonical_addresses_are_refused) {
    u8 data[8] = {};
    KEXPECT(arch::copy_to_user(0xffffffff80000000ull, data, 8).error() == base::Error::BadAddress);
    KEXPECT(arch::copy_from_user(data, 0x0000800000000000ull, 8).error() == base::Error::BadAddress);
    KEXPECT(arch::copy_from_user(data, poplar::abi::user_space_end - 4, 8).error() == base::Error::BadAddress);
    KEXPECT(arch::copy_from_user(data, 0, 8).error() == base::Error::BadAddress);
}
