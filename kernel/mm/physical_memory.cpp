#include <boot/boot_info.h>
#include <debug/log.h>
#include <debug/panic.h>
#include <mm/physical_memory.h>
#include <sync/spinlock.h>

extern "C" char __kernel_physical_start[], __kernel_end[];

namespace mm {
namespace {

constexpr u64 kernel_virtual_offset = 0xffffffff80000000ull;
constexpr u64 low_memory_end = 0x100000;  // BIOS areas and real-mode leftovers: never used

// Guards the frame bitmap. An IrqSpinLock: frames are taken and given back with interrupts off
// (under the heap's lock, among others); a leaf: nothing is called under it.
IrqSpinLock allocator_lock;
FrameAllocator allocator GUARDED_BY(allocator_lock);
u64 memory_end = 0;

// Finds room for the bitmap in usable memory that nothing else claims.
u64 place_bitmap(const boot::BootInfo& info, u64 bytes) {
    for (usize i = 0; i < info.usable_count; ++i) {
        u64 candidate = base::max(base::align_up_unchecked(info.usable[i].base, page_size), low_memory_end);
        bool moved = true;
        while (moved) {
            moved = false;
            auto check = [&](u64 base, u64 length) {
                if (candidate < base + length && base < candidate + bytes) {
                    candidate = base::align_up_unchecked(base + length, page_size);
                    moved = true;
                }
            };
            check(reinterpret_cast<u64>(__kernel_physical_start), reinterpret_cast<u64>(__kernel_end) -
                                                                      kernel_virtual_offset -
                                                                      reinterpret_cast<u64>(__kernel_physical_start));
            for (usize r = 0; r < info.reserved_count; ++r) check(info.reserved[r].base, info.reserved[r].length);
        }
        if (candidate + bytes <= info.usable[i].end() && candidate + bytes <= 0x40000000) return candidate;
    }
    panic("no room for the physical memory bitmap");
}

}  // namespace

void initialize_physical_memory() {
    const boot::BootInfo& info = boot::boot_info();
    for (usize i = 0; i < info.usable_count; ++i) memory_end = base::max(memory_end, info.usable[i].end());

    u64 bitmap_bytes = FrameAllocator::bitmap_words_for(memory_end) * sizeof(u64);
    u64 bitmap_physical = place_bitmap(info, bitmap_bytes);
    IrqSpinLockGuard guard(allocator_lock);  // boot runs alone, but the analysis cannot know that
    allocator.initialize(static_cast<u64*>(physical_to_virtual(bitmap_physical)), memory_end);

    for (usize i = 0; i < info.usable_count; ++i) allocator.add_usable(info.usable[i].base, info.usable[i].length);
    allocator.reserve(0, low_memory_end);
    u64 kernel_start = reinterpret_cast<u64>(__kernel_physical_start);
    allocator.reserve(kernel_start, reinterpret_cast<u64>(__kernel_end) - kernel_virtual_offset - kernel_start);
    allocator.reserve(bitmap_physical, bitmap_bytes);
    for (usize r = 0; r < info.reserved_count; ++r) allocator.reserve(info.reserved[r].base, info.reserved[r].length);

    log::info("memory: {} MiB usable, {} MiB free, top {:#x}", allocator.total_frames() * page_size >> 20,
              allocator.free_frames() * page_size >> 20, memory_end);
}

base::ErrorOr<u64> allocate_frame_uninitialized() {
    IrqSpinLockGuard guard(allocator_lock);
    return allocator.allocate();
}

base::ErrorOr<u64> allocate_frame() {
    u64 frame = TRY(allocate_frame_uninitialized());
    __builtin_memset(physical_to_virtual(frame), 0, page_size);
    return frame;
}

void free_frame(u64 physical) {
    IrqSpinLockGuard guard(allocator_lock);
    allocator.free(physical);
}

FrameCounts frame_counts() {
    IrqSpinLockGuard guard(allocator_lock);
    return {allocator.total_frames(), allocator.free_frames()};
}

u64 physical_memory_end() { return memory_end; }

}  // namespace mm
