#pragma once

// The memory a worker points the kernel at, at fixed addresses so that "mapped", "unmapped",
// "read-only" and "straddling a page boundary" are known exactly:
//
//   scratch      read-write, 128 KiB, then an unmapped page: buffers the kernel may fill
//   read_only    a read-only view of a memory object holding a known pattern, then an unmapped
//                page: writes through it must fail, and the pattern must stay intact
//   map zone     free, for memory_object_map at chosen addresses
//   never_mapped nothing is ever mapped here (nor at the top of user space)

#include <base/result.h>
#include <base/types.h>
#include <poplar/abi/syscalls.h>

namespace fuzz {

namespace arena {
constexpr u64 scratch = 0x20000000;
constexpr u64 scratch_size = 128 * 1024;
constexpr u64 read_only = 0x20100000;
constexpr u64 read_only_size = 64 * 1024;
constexpr u64 map_zone = 0x30000000;
constexpr u64 map_zone_slot = 128 * 1024;  // room for the largest object the fuzzer maps (64 KiB)
constexpr u64 map_zone_slots = 64;
constexpr u64 never_mapped = 0x50000000;
// The last pages below user_space_end stay unmapped too (pointers there run past the end).
constexpr u64 top = poplar::abi::user_space_end - 16 * poplar::abi::page_size;

// Maps scratch and read_only (and fills the pattern).
base::ErrorOr<void> set_up();

inline u8* scratch_bytes() { return reinterpret_cast<u8*>(scratch); }
inline bool in_scratch(u64 address, u64 length) {
    return address >= scratch && length <= scratch_size && address - scratch <= scratch_size - length;
}

// The byte the pattern holds at `offset` into the read-only view.
inline u8 pattern_byte(u64 offset) { return static_cast<u8>(offset * 131 + 7); }
// Whether [address, address + length) of the read-only view still holds the pattern (parts
// outside the view are ignored).
bool read_only_intact(u64 address, u64 length);

// Whether unmapping at `address`, or mapping over it, could take away memory this task runs on
// (its image, stack or arena): such arguments are replaced before a call is made.
bool protects_own_memory(u64 address);
}  // namespace arena

}  // namespace fuzz
