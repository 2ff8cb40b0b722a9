// Four-level x86_64 page tables. The upper half (PML4 slots 256-511) belongs to the kernel: its
// PDPTs are allocated once at boot and shared by every address space, so a kernel mapping made
// later is visible everywhere without touching each address space.

#include <arch/paging.h>
#include <arch/x86_64/cpu.h>
#include <debug/log.h>
#include <debug/panic.h>
#include <mm/physical_memory.h>

extern "C" char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[], __kernel_end[];

namespace x86_64 {
namespace {

using PageTable = u64[512];

namespace entry {
constexpr u64 present = 1ull << 0;
constexpr u64 writable = 1ull << 1;
constexpr u64 user = 1ull << 2;
constexpr u64 write_through = 1ull << 3;
constexpr u64 cache_disable = 1ull << 4;
constexpr u64 huge = 1ull << 7;
constexpr u64 global = 1ull << 8;
constexpr u64 no_execute = 1ull << 63;
constexpr u64 address_mask = 0x000ffffffffff000ull;
}  // namespace entry

constexpr u64 kernel_virtual_offset = 0xffffffff80000000ull;
constexpr u64 two_megabytes = 2ull << 20;

u64 kernel_root_physical = 0;

PageTable& table_at(u64 physical) { return *static_cast<PageTable*>(mm::physical_to_virtual(physical)); }

usize index_at(u64 virtual_address, int level) { return (virtual_address >> (12 + 9 * level)) & 511; }

u64 entry_flags(u32 flags) {
    u64 bits = entry::present;
    if (flags & arch::page_writable) bits |= entry::writable;
    if (!(flags & arch::page_executable)) bits |= entry::no_execute;
    if (flags & arch::page_user)
        bits |= entry::user;
    else
        bits |= entry::global;
    if (flags & arch::page_uncached) bits |= entry::cache_disable | entry::write_through;
    return bits;
}

// The table one level down from `table[index]`, created if `create`.
base::ErrorOr<u64> next_table(PageTable& table, usize index, bool create, bool user) {
    u64 current = table[index];
    if (current & entry::present) {
        if (current & entry::huge) return base::Error::AlreadyExists;
        return current & entry::address_mask;
    }
    if (!create) return base::Error::NotFound;
    u64 frame = TRY(mm::allocate_frame());
    table[index] = frame | entry::present | entry::writable | (user ? entry::user : 0);
    return frame;
}

// The leaf entry for `virtual_address` (4 KiB granularity).
base::ErrorOr<u64*> leaf_entry(u64 root, u64 virtual_address, bool create, bool user) {
    u64 table = root;
    for (int level = 3; level > 0; --level)
        table = TRY(next_table(table_at(table), index_at(virtual_address, level), create, user));
    return &table_at(table)[index_at(virtual_address, 0)];
}

base::ErrorOr<void> map_page(u64 root, u64 virtual_address, u64 physical_address, u32 flags) {
    u64* leaf = TRY(leaf_entry(root, virtual_address, true, flags & arch::page_user));
    if (*leaf & entry::present) return base::Error::AlreadyExists;
    *leaf = (physical_address & entry::address_mask) | entry_flags(flags);
    return {};
}

base::ErrorOr<u64> unmap_page(u64 root, u64 virtual_address) {
    u64* leaf = TRY(leaf_entry(root, virtual_address, false, false));
    if (!(*leaf & entry::present)) return base::Error::NotFound;
    u64 physical = *leaf & entry::address_mask;
    *leaf = 0;
    invlpg(virtual_address);
    return physical;
}

void map_direct_range(u64 root, u64 end) {
    for (u64 physical = 0; physical < end; physical += two_megabytes) {
        u64 virtual_address = mm::direct_map_base + physical;
        PageTable* table = &table_at(root);
        for (int level = 3; level > 1; --level) {
            auto next = next_table(*table, index_at(virtual_address, level), true, false);
            if (next.is_error()) panic("out of memory building the direct map");
            table = &table_at(next.value());
        }
        (*table)[index_at(virtual_address, 1)] =
            physical | entry::present | entry::writable | entry::huge | entry::global | entry::no_execute;
    }
}

void map_kernel_section(u64 root, const char* start, const char* end, u32 flags) {
    for (u64 address = reinterpret_cast<u64>(start); address < reinterpret_cast<u64>(end); address += mm::page_size) {
        if (map_page(root, address, address - kernel_virtual_offset, flags).is_error())
            panic("cannot map the kernel image at {:#x}", address);
    }
}

}  // namespace
}  // namespace x86_64

namespace arch {

using namespace x86_64;

void initialize_kernel_page_tables() {
    u64 root = MUST(mm::allocate_frame());
    // Every kernel-half PDPT exists from the start, so the kernel half can be shared by copying.
    for (usize slot = 256; slot < 512; ++slot) MUST(next_table(table_at(root), slot, true, false));

    // The direct map covers all RAM and the 32-bit MMIO hole (local APIC, I/O APIC, HPET).
    u64 direct_end = base::align_up_unchecked(base::max(mm::physical_memory_end(), u64(4) << 30), two_megabytes);
    map_direct_range(root, direct_end);

    map_kernel_section(root, __text_start, __text_end, page_executable);
    map_kernel_section(root, __rodata_start, __rodata_end, page_readable);
    map_kernel_section(root, __data_start, __kernel_end, page_writable);

    write_cr4(read_cr4() | (1 << 7));  // global pages
    write_cr3(root);
    kernel_root_physical = root;
    log::info("paging: kernel page tables at {:#x}, direct map of {} MiB", root, direct_end >> 20);
}

base::ErrorOr<void> map_kernel_page(u64 virtual_address, u64 physical_address, u32 flags) {
    ASSERT(virtual_address >= mm::direct_map_base && !(flags & page_user));
    return map_page(kernel_root_physical, virtual_address, physical_address, flags);
}

base::ErrorOr<u64> unmap_kernel_page(u64 virtual_address) {
    ASSERT(virtual_address >= mm::direct_map_base);
    return unmap_page(kernel_root_physical, virtual_address);
}

bool is_kernel_page_mapped(u64 virtual_address) {
    auto leaf = leaf_entry(kernel_root_physical, virtual_address, false, false);
    return leaf.is_ok() && (*leaf.value() & entry::present);
}

}  // namespace arch

namespace arch {

base::ErrorOr<u64> create_user_page_tables() {
    u64 root = TRY(mm::allocate_frame());
    for (usize slot = 256; slot < 512; ++slot) table_at(root)[slot] = table_at(kernel_root_physical)[slot];
    return root;
}

namespace {

void free_table_tree(u64 table, int level) {
    if (level > 0) {
        for (usize i = 0; i < 512; ++i) {
            u64 entry_value = table_at(table)[i];
            if ((entry_value & entry::present) && !(entry_value & entry::huge))
                free_table_tree(entry_value & entry::address_mask, level - 1);
        }
    }
    mm::free_frame(table);
}

// The entry at `level` (3: the root's) on the way to `virtual_address`; null where the way ends.
u64* entry_on_the_way(u64 root, u64 virtual_address, int level) {
    u64 table = root;
    for (int current = 3; current > level; --current) {
        u64 value = table_at(table)[index_at(virtual_address, current)];
        if (!(value & entry::present) || (value & entry::huge)) return nullptr;
        table = value & entry::address_mask;
    }
    return &table_at(table)[index_at(virtual_address, level)];
}

bool is_empty(u64 table) {
    for (u64 value : table_at(table))
        if (value) return false;
    return true;
}

}  // namespace

void release_unused_user_tables(u64 root, u64 start, u64 length) {
    ASSERT(start + length <= mm::direct_map_base);
    // Bottom up, so a table emptied by freeing the ones below it goes too.
    for (int level = 1; level <= 3; ++level) {
        u64 span = 1ull << (12 + 9 * level);  // what one entry at this level maps
        for (u64 address = base::align_down(start, span); address < start + length; address += span) {
            u64* entry_value = entry_on_the_way(root, address, level);
            if (!entry_value || !(*entry_value & entry::present) || (*entry_value & entry::huge)) continue;
            u64 table = *entry_value & entry::address_mask;
            if (!is_empty(table)) continue;
            *entry_value = 0;
            // Cached walks through the table go before the table does (INVLPG drops every cached
            // paging-structure entry; another address space's are dropped when it is loaded).
            if (read_cr3() == root) invlpg(address);
            mm::free_frame(table);
        }
    }
}

void destroy_user_page_tables(u64 root) {
    ASSERT(root != kernel_root_physical && read_cr3() != root);
    for (usize slot = 0; slot < 256; ++slot) {
        u64 entry_value = table_at(root)[slot];
        if (entry_value & entry::present) free_table_tree(entry_value & entry::address_mask, 2);
    }
    mm::free_frame(root);
}

base::ErrorOr<void> map_user_page(u64 root, u64 virtual_address, u64 physical_address, u32 flags) {
    ASSERT(virtual_address < mm::direct_map_base);
    return map_page(root, virtual_address, physical_address, flags | page_user);
}

base::ErrorOr<u64> unmap_user_page(u64 root, u64 virtual_address) {
    ASSERT(virtual_address < mm::direct_map_base);
    return unmap_page(root, virtual_address);
}

void switch_page_tables(u64 root) {
    if (read_cr3() != root) write_cr3(root);
}

u64 kernel_page_tables() { return kernel_root_physical; }

}  // namespace arch
