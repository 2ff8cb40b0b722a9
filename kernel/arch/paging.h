#pragma once

// The arch interface to page tables. Portable code speaks in these flags; each architecture
// turns them into its own entries.

#include <base/result.h>

namespace arch {

enum PageFlags : u32 {
    page_readable = 0,  // every mapping is readable
    page_writable = 1 << 0,
    page_executable = 1 << 1,
    page_user = 1 << 2,
    page_uncached = 1 << 3,
};

// Builds the kernel's own page tables (direct map, kernel image with per-section rights) and
// switches to them.
void initialize_kernel_page_tables();

// Maps one 4 KiB page in the kernel half shared by every address space.
base::ErrorOr<void> map_kernel_page(u64 virtual_address, u64 physical_address, u32 flags);
// Unmaps one page, returning the frame that was mapped there.
base::ErrorOr<u64> unmap_kernel_page(u64 virtual_address);
// True if a 4 KiB page (as map_kernel_page makes them) is mapped at `virtual_address`.
bool is_kernel_page_mapped(u64 virtual_address);

}  // namespace arch

namespace arch {

// User address spaces: a root table whose kernel half is shared with every other.
base::ErrorOr<u64> create_user_page_tables();
// Frees every table of the user half (not the frames mapped there) and the root.
void destroy_user_page_tables(u64 root);
base::ErrorOr<void> map_user_page(u64 root, u64 virtual_address, u64 physical_address, u32 flags);
base::ErrorOr<u64> unmap_user_page(u64 root, u64 virtual_address);
// Frees the tables under [base, base + length) that no longer map anything, so mapping and
// unmapping here and there cannot pile up page tables.
void release_unused_user_tables(u64 root, u64 base, u64 length);
void switch_page_tables(u64 root);
u64 kernel_page_tables();

}  // namespace arch
