// memory_object_create, memory_object_map, memory_unmap.

#include "arena.h"
#include "calls.h"

namespace fuzz {

namespace {

namespace memory_flags = abi::memory_flags;

constexpr u64 max_memory_object_size = 1ull << 30;  // docs/syscalls.md, memory_object_create

}  // namespace

void memory_create_call(Fuzzer& f) {
    constexpr u64 sizes[] = {1, 4095, 4096, 4097, 8192, 65536};
    constexpr u64 hostile_sizes[] = {0, max_memory_object_size + 1, 1ull << 32, 1ull << 63, ~u64(0) - 4095, ~u64(0)};
    constexpr u64 flag_choices[] = {0, memory_flags::writable, memory_flags::executable,
                                    memory_flags::writable | memory_flags::executable};
    constexpr u64 bad_flags[] = {4, 1ull << 31, 1ull << 32, ~u64(0)};
    u64 size = f.random().pick(sizes);
    if (f.enabled(family::sizes) && f.random().one_in(4)) {
        size = f.random().pick(hostile_sizes);
        // The limit itself is more than the machine has: it takes every free frame before
        // failing, which is slow, so it is tried only now and then.
        if (f.random().one_in(1024)) size = max_memory_object_size;
    }
    u64 flags = f.random().one_in(16) ? f.random().pick(bad_flags) : f.random().pick(flag_choices);
    auto result = f.call(Syscall::memory_object_create, size, flags);
    bool invalid = size == 0 || size > max_memory_object_size || flags > 3;
    if (invalid)
        f.expect_status(result, Error::InvalidArgument, "memory_object_create refuses a bad size or flags",
                        rule(Syscall::memory_object_create));
    if (result.is_ok())
        f.adopt(static_cast<HandleValue>(result.value), Kind::memory, static_cast<u32>((size + 4095) / 4096));
}

void map_call(Fuzzer& f) {
    constexpr u64 flag_choices[] = {0, memory_flags::writable, memory_flags::executable,
                                    memory_flags::writable | memory_flags::executable};
    HandleArgument handle = f.handle(Kind::memory);
    u64 address = 0;
    if (f.random().one_in(2))
        address = arena::map_zone + f.random().below(arena::map_zone_slots) * arena::map_zone_slot;
    if (f.enabled(family::pointers) && f.random().one_in(3)) {
        const u64 hostile[] = {arena::map_zone + 1 + f.random().below(4095),  // misaligned
                               arena::scratch,                                // taken
                               0x1000,                                        // below user space
                               abi::user_space_end - abi::page_size,          // runs past the end
                               abi::user_space_end,
                               0x0000800000000000ull,
                               0xffff800000000000ull,
                               ~u64(0) - 4095};
        address = f.random().pick(hostile);
    }
    bool at_the_top = address == abi::user_space_end - abi::page_size;
    if (address != arena::scratch && !at_the_top && arena::protects_own_memory(address)) address = arena::scratch;
    u64 flags = f.random().one_in(16) ? 1ull << f.random().between(2, 63) : f.random().pick(flag_choices);
    auto result = f.call(Syscall::memory_object_map, handle.value, address, flags);
    f.check_handle(result, handle, Syscall::memory_object_map);
    if (!result.is_ok()) return;
    const PoolEntry* entry = f.pool().find(static_cast<HandleValue>(handle.value));
    u64 length = entry && entry->kind == Kind::memory ? u64(entry->pages) * abi::page_size : 0;
    if (result.value % abi::page_size || result.value < abi::user_space_start ||
        result.value + length > abi::user_space_end)
        f.fail("a mapping lies on a page boundary inside user space", rule(Syscall::memory_object_map), 0,
               result.value);
    if (address && result.value != address)
        f.fail("a mapping at a chosen address is made there", rule(Syscall::memory_object_map), 0, result.value);
    // The top of user space stays unmapped for the pointer choosers. (Only a one-page object
    // fits there.)
    if (at_the_top)
        f.expect_ok(f.call(Syscall::memory_unmap, result.value, abi::page_size), "a mapping can be unmapped",
                    rule(Syscall::memory_unmap));
    else
        f.note_mapping(result.value, length);
}

void unmap_call(Fuzzer& f) {
    u64 address = 0, length = 0;
    bool own = f.pick_mapping(address, length) && !f.random().one_in(4);
    if (own && f.random().one_in(4)) length += abi::page_size;  // not the mapping's length
    if (!own) {
        const u64 hostile[] = {arena::never_mapped, arena::map_zone + 8, 0, 0xffff800000000000ull, ~u64(0) - 4095};
        address = f.random().pick(hostile);
        length = f.size(abi::page_size, abi::page_size);
    }
    if (arena::protects_own_memory(address)) address = arena::never_mapped;
    auto result = f.call(Syscall::memory_unmap, address, length);
    if (result.is_ok()) f.mapping_gone(address);
    if (result.is_ok() && (length == 0 || length % abi::page_size || address % abi::page_size))
        f.fail("memory_unmap refuses a misaligned or empty range", rule(Syscall::memory_unmap), 0, length);
}

}  // namespace fuzz
