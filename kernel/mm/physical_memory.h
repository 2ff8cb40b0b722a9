#pragma once

// Physical memory: the frame allocator set up from the boot memory map, and the direct map,
// through which the kernel reaches every physical address.

#include <base/result.h>
#include <mm/frame_allocator.h>

namespace mm {

constexpr u64 direct_map_base = 0xffff800000000000ull;

inline void* physical_to_virtual(u64 physical) { return reinterpret_cast<void*>(physical + direct_map_base); }
inline u64 virtual_to_physical_direct(const void* pointer) { return reinterpret_cast<u64>(pointer) - direct_map_base; }

void initialize_physical_memory();

// One zeroed frame.
base::ErrorOr<u64> allocate_frame();
// One frame with whatever it held before: only for memory the kernel fully overwrites and never
// shows to user space (the heap).
base::ErrorOr<u64> allocate_frame_uninitialized();
void free_frame(u64 physical);

struct FrameCounts {
    u64 total = 0, free = 0;
};
FrameCounts frame_counts();

// The end of the highest usable range: the direct map covers at least this much.
u64 physical_memory_end();

}  // namespace mm
