#pragma once

#include <base/types.h>

namespace x86_64 {

// Copies what the loader told us into boot::boot_info(). Runs on the early page tables, which
// direct-map the first 1 GiB, where QEMU places everything it loads.
void read_multiboot_info(u32 magic, u64 info_physical);

}  // namespace x86_64
