#include "arena.h"

#include <poplar/syscall.h>

namespace fuzz::arena {

namespace sys = poplar::sys;
namespace memory_flags = poplar::abi::memory_flags;

namespace {

// The program image starts here (lib/poplar/user.ld) and the stack ends below this
// (kernel/loader/spawn.cpp), with its guard page under it.
constexpr u64 image_start = 0x400000;
constexpr u64 stack_region_start = 0x00007ffe00000000ull;
constexpr u64 stack_region_end = 0x00007fff00000000ull;

base::ErrorOr<void> map_object(u64 address, u64 size, u32 flags) {
    auto object = TRY(sys::memory_object_create(size, memory_flags::writable));
    auto mapped = sys::memory_object_map(object, address, flags);
    (void)sys::handle_close(object);  // the mapping keeps the memory
    if (mapped.is_error()) return mapped.error();
    return {};
}

}  // namespace

base::ErrorOr<void> set_up() {
    TRY(map_object(scratch, scratch_size, memory_flags::writable));
    // Fill the pattern through a writable view, then keep only a read-only one.
    auto object = TRY(sys::memory_object_create(read_only_size, memory_flags::writable));
    auto filled = [&]() -> base::ErrorOr<void> {
        u64 view = TRY(sys::memory_object_map(object, map_zone, memory_flags::writable));
        for (u64 i = 0; i < read_only_size; ++i) reinterpret_cast<u8*>(view)[i] = pattern_byte(i);
        TRY(sys::memory_unmap(view, read_only_size));
        TRY(sys::memory_object_map(object, read_only, 0));
        return {};
    }();
    (void)sys::handle_close(object);
    return filled;
}

bool read_only_intact(u64 address, u64 length) {
    u64 start = address < read_only ? read_only : address;
    u64 end = address + length < address ? ~u64(0) : address + length;
    if (end > read_only + read_only_size) end = read_only + read_only_size;
    for (u64 at = start; at < end; ++at)
        if (*reinterpret_cast<const volatile u8*>(at) != pattern_byte(at - read_only)) return false;
    return true;
}

bool protects_own_memory(u64 address) {
    bool in_image_or_arena = address >= image_start && address < map_zone;
    bool in_stack = address >= stack_region_start && address <= stack_region_end;
    bool at_never_mapped = address >= never_mapped && address < never_mapped + map_zone_slot;
    bool at_the_top = address >= top && address < poplar::abi::user_space_end;
    return in_image_or_arena || in_stack || at_never_mapped || at_the_top;
}

}  // namespace fuzz::arena
