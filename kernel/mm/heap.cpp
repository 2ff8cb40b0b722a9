// Small objects (<= 1024 bytes) come from per-size-class slabs, one 4 KiB frame each, reached
// through the direct map. Larger ones get whole pages mapped into the heap region, which keeps
// them virtually contiguous without needing physically contiguous memory.

#include <arch/paging.h>
#include <base/intrusive_list.h>
#include <debug/log.h>
#include <mm/heap.h>
#include <mm/physical_memory.h>
#include <sync/spinlock.h>

namespace mm {
namespace {

constexpr u64 heap_region_base = 0xffffc00000000000ull;
constexpr u64 heap_region_pages = (1ull << 30) / page_size;
constexpr u64 header_size = 64;
constexpr u32 slab_magic = 0x51ab51ab;
constexpr u32 large_magic = 0x1a59e000;
constexpr usize size_classes[] = {16, 32, 64, 128, 256, 512, 1024};
constexpr usize class_count = sizeof(size_classes) / sizeof(size_classes[0]);
constexpr usize largest_small = size_classes[class_count - 1];

struct FreeObject {
    FreeObject* next;
};

struct Slab {
    u32 magic;
    u16 size_class;
    u16 free_count;
    FreeObject* free_list;
    base::ListNode partial_node;  // on its class's partial list while it has free objects
};
static_assert(sizeof(Slab) <= header_size);

struct LargeHeader {
    u32 magic;
    u32 reserved;
    u64 page_count;
    u64 requested;
    LargeHeader* next_cached;
};
static_assert(sizeof(LargeHeader) <= header_size);

using SlabList = base::IntrusiveList<Slab, &Slab::partial_node>;

struct SizeClassState {
    SlabList partial;
};

// Guards everything below. An IrqSpinLock: the kernel allocates with interrupts off (under other
// locks). Under it the heap takes frames and maps pages (the frame allocator's lock, a leaf).
IrqSpinLock heap_lock;

// Recently freed large blocks stay mapped, a few per size, so that a steady stream of large
// allocations (channel messages up to 64 KiB) does not map and unmap pages every time.
constexpr u64 cached_block_max_pages = 17;
constexpr u32 cached_blocks_per_size = 4;
struct LargeCache {
    LargeHeader* first = nullptr;
    u32 count = 0;
};
LargeCache large_cache[cached_block_max_pages + 1] GUARDED_BY(heap_lock);

SizeClassState classes[class_count] GUARDED_BY(heap_lock);
HeapStatistics statistics GUARDED_BY(heap_lock);
u64 region_bitmap[heap_region_pages / 64] GUARDED_BY(heap_lock);

usize class_index_for(usize size) {
    for (usize i = 0; i < class_count; ++i)
        if (size <= size_classes[i]) return i;
    VERIFY_NOT_REACHED();
}

usize objects_per_slab(usize class_index) { return (page_size - header_size) / size_classes[class_index]; }

Slab* create_slab(usize class_index) REQUIRES(heap_lock) {
    auto frame = allocate_frame();
    if (frame.is_error()) return nullptr;
    auto* slab = new (physical_to_virtual(frame.value())) Slab{slab_magic, u16(class_index), 0, nullptr, {}};
    auto* base = reinterpret_cast<u8*>(slab) + header_size;
    for (usize i = objects_per_slab(class_index); i > 0; --i) {
        auto* object = reinterpret_cast<FreeObject*>(base + (i - 1) * size_classes[class_index]);
        object->next = slab->free_list;
        slab->free_list = object;
        ++slab->free_count;
    }
    ++statistics.small_pages;
    return slab;
}

void* allocate_small(usize size) REQUIRES(heap_lock) {
    usize index = class_index_for(size);
    SizeClassState& state = classes[index];
    Slab* slab = state.partial.front();
    if (!slab) {
        slab = create_slab(index);
        if (!slab) return nullptr;
        state.partial.push_back(*slab);
    }
    FreeObject* object = slab->free_list;
    slab->free_list = object->next;
    statistics.bytes_in_use += size_classes[index];
    if (--slab->free_count == 0) state.partial.remove(*slab);
    return object;
}

void free_small(void* pointer) REQUIRES(heap_lock) {
    auto* slab = reinterpret_cast<Slab*>(base::align_down(reinterpret_cast<u64>(pointer), page_size));
    ASSERT(slab->magic == slab_magic && slab->size_class < class_count);
    SizeClassState& state = classes[slab->size_class];
    statistics.bytes_in_use -= size_classes[slab->size_class];
    auto* object = static_cast<FreeObject*>(pointer);
    object->next = slab->free_list;
    slab->free_list = object;
    if (++slab->free_count == 1) state.partial.push_back(*slab);
    if (slab->free_count == objects_per_slab(slab->size_class) && state.partial.size() > 1) {
        // Keep one empty slab per class as a cache; give the rest back.
        state.partial.remove(*slab);
        slab->magic = 0;
        free_frame(virtual_to_physical_direct(slab));
        --statistics.small_pages;
    }
}

bool region_page_used(u64 page) REQUIRES(heap_lock) { return region_bitmap[page / 64] & (1ull << (page % 64)); }
void set_region_page(u64 page, bool used) REQUIRES(heap_lock) {
    if (used)
        region_bitmap[page / 64] |= 1ull << (page % 64);
    else
        region_bitmap[page / 64] &= ~(1ull << (page % 64));
}

// First fit over the heap region; returns the first page index or heap_region_pages.
u64 reserve_region(u64 count) REQUIRES(heap_lock) {
    u64 run = 0;
    for (u64 page = 0; page < heap_region_pages; ++page) {
        if (page % 64 == 0 && region_bitmap[page / 64] == ~0ull) {
            run = 0;
            page += 63;
            continue;
        }
        run = region_page_used(page) ? 0 : run + 1;
        if (run == count) {
            u64 first = page + 1 - count;
            for (u64 p = first; p <= page; ++p) set_region_page(p, true);
            return first;
        }
    }
    return heap_region_pages;
}

u64 region_address(u64 page) { return heap_region_base + page * page_size; }

void unmap_region_pages(u64 first, u64 count) {
    for (u64 i = 0; i < count; ++i) free_frame(MUST(arch::unmap_kernel_page(region_address(first + i))));
}

// Maps fresh frames at [first, first + count), or nothing.
bool map_region_pages(u64 first, u64 count) {
    for (u64 i = 0; i < count; ++i) {
        auto frame = allocate_frame_uninitialized();
        if (frame.is_ok() &&
            arch::map_kernel_page(region_address(first + i), frame.value(), arch::page_writable).is_ok())
            continue;
        if (frame.is_ok()) free_frame(frame.value());
        unmap_region_pages(first, i);
        return false;
    }
    return true;
}

void release_region(u64 first, u64 count, u64 mapped) REQUIRES(heap_lock) {
    unmap_region_pages(first, mapped);
    for (u64 i = 0; i < count; ++i) set_region_page(first + i, false);
}

u64 region_index(const void* pointer) { return (reinterpret_cast<u64>(pointer) - heap_region_base) / page_size; }

LargeHeader* take_cached_block(u64 pages) REQUIRES(heap_lock) {
    if (pages > cached_block_max_pages) return nullptr;
    LargeCache& cache = large_cache[pages];
    LargeHeader* block = cache.first;
    if (!block) return nullptr;
    cache.first = block->next_cached;
    --cache.count;
    return block;
}

bool cache_block(LargeHeader* block) REQUIRES(heap_lock) {
    if (block->page_count > cached_block_max_pages) return false;
    LargeCache& cache = large_cache[block->page_count];
    if (cache.count >= cached_blocks_per_size) return false;
    block->next_cached = cache.first;
    cache.first = block;
    ++cache.count;
    return true;
}

// Kernel stacks: whole pages with the page below each reserved but never mapped, so that an
// overflow faults there instead of overwriting what lies below. A few freed stacks stay mapped
// for the next thread; each keeps its size in its lowest bytes while cached.
struct CachedStack {
    CachedStack* next;
    u64 pages;
};
constexpr u32 cached_stacks_max = 8;
constexpr u64 stack_guard_pages = stack_guard_size / page_size;
CachedStack* cached_stacks GUARDED_BY(heap_lock) = nullptr;
u32 cached_stack_count GUARDED_BY(heap_lock) = 0;

void release_stack(void* bottom, u64 pages) REQUIRES(heap_lock) {
    u64 first = region_index(bottom);
    unmap_region_pages(first, pages);
    for (u64 page = first - stack_guard_pages; page < first + pages; ++page) set_region_page(page, false);
}

void* take_cached_stack(u64 pages) REQUIRES(heap_lock) {
    for (CachedStack** link = &cached_stacks; *link; link = &(*link)->next) {
        CachedStack* stack = *link;
        if (stack->pages != pages) continue;
        *link = stack->next;
        --cached_stack_count;
        return stack;
    }
    return nullptr;
}

void* map_new_stack(u64 pages) REQUIRES(heap_lock) {
    u64 guard = reserve_region(stack_guard_pages + pages);
    if (guard == heap_region_pages) return nullptr;
    if (!map_region_pages(guard + stack_guard_pages, pages)) {
        release_region(guard, stack_guard_pages + pages, 0);
        return nullptr;
    }
    return reinterpret_cast<void*>(region_address(guard + stack_guard_pages));
}

// Gives every cached block and stack back, when memory runs short.
bool drain_caches() REQUIRES(heap_lock) {
    bool released = cached_stacks != nullptr;
    while (CachedStack* stack = cached_stacks) {
        cached_stacks = stack->next;
        release_stack(stack, stack->pages);
    }
    cached_stack_count = 0;
    for (LargeCache& cache : large_cache) {
        while (LargeHeader* block = cache.first) {
            cache.first = block->next_cached;
            release_region(region_index(block), block->page_count, block->page_count);
            released = true;
        }
        cache.count = 0;
    }
    return released;
}

LargeHeader* map_new_block(u64 pages) REQUIRES(heap_lock) {
    u64 first = reserve_region(pages);
    if (first == heap_region_pages) return nullptr;
    if (!map_region_pages(first, pages)) {
        release_region(first, pages, 0);
        return nullptr;
    }
    return reinterpret_cast<LargeHeader*>(region_address(first));
}

void* allocate_large(usize size) REQUIRES(heap_lock) {
    u64 pages = (size + header_size + page_size - 1) / page_size;
    if (pages > heap_region_pages) return nullptr;
    LargeHeader* header = take_cached_block(pages);
    if (!header) header = map_new_block(pages);
    if (!header && drain_caches()) header = map_new_block(pages);
    if (!header) return nullptr;
    *header = LargeHeader{large_magic, 0, pages, size, nullptr};
    statistics.large_pages += pages;
    statistics.bytes_in_use += pages * page_size;
    return reinterpret_cast<u8*>(header) + header_size;
}

void free_large(void* pointer) REQUIRES(heap_lock) {
    auto* header = reinterpret_cast<LargeHeader*>(static_cast<u8*>(pointer) - header_size);
    ASSERT(header->magic == large_magic);
    u64 pages = header->page_count;
    statistics.large_pages -= pages;
    statistics.bytes_in_use -= pages * page_size;
    header->magic = 0;
    if (!cache_block(header)) release_region(region_index(header), pages, pages);
}

bool in_heap_region(const void* pointer) {
    auto address = reinterpret_cast<u64>(pointer);
    return address >= heap_region_base && address < heap_region_base + heap_region_pages * page_size;
}

}  // namespace

void initialize_heap() {
    log::info("heap: slabs up to {} bytes, large region at {:#x}", largest_small, heap_region_base);
}

void* allocate(usize size) {
    if (size == 0) size = 1;
    IrqSpinLockGuard guard(heap_lock);
    void* pointer = size <= largest_small ? allocate_small(size) : allocate_large(size);
    if (!pointer) {
        ++statistics.failed_allocations;
        return nullptr;
    }
    ++statistics.live_allocations;
    return pointer;
}

void free(void* pointer) {
    if (!pointer) return;
    IrqSpinLockGuard guard(heap_lock);
    if (in_heap_region(pointer))
        free_large(pointer);
    else
        free_small(pointer);
    --statistics.live_allocations;
}

void* allocate_stack(usize size) {
    ASSERT(size > 0 && size % page_size == 0);
    u64 pages = size / page_size;
    IrqSpinLockGuard guard(heap_lock);
    void* stack = take_cached_stack(pages);
    if (!stack) stack = map_new_stack(pages);
    if (!stack && drain_caches()) stack = map_new_stack(pages);
    if (!stack) {
        ++statistics.failed_allocations;
        return nullptr;
    }
    statistics.stack_pages += pages;
    statistics.bytes_in_use += size;
    return stack;
}

void free_stack(void* bottom, usize size) {
    if (!bottom) return;
    u64 pages = size / page_size;
    IrqSpinLockGuard guard(heap_lock);
    statistics.stack_pages -= pages;
    statistics.bytes_in_use -= size;
    if (cached_stack_count < cached_stacks_max) {
        cached_stacks = new (bottom) CachedStack{cached_stacks, pages};
        ++cached_stack_count;
        return;
    }
    release_stack(bottom, pages);
}

HeapStatistics heap_statistics() {
    IrqSpinLockGuard guard(heap_lock);
    return statistics;
}

}  // namespace mm

// Only the non-throwing forms exist in the kernel (see heap.h).
void* operator new(usize size, const std::nothrow_t&) noexcept { return mm::allocate(size); }
void* operator new[](usize size, const std::nothrow_t&) noexcept { return mm::allocate(size); }
void operator delete(void* pointer) noexcept { mm::free(pointer); }
void operator delete(void* pointer, usize) noexcept { mm::free(pointer); }
void operator delete[](void* pointer) noexcept { mm::free(pointer); }
void operator delete[](void* pointer, usize) noexcept { mm::free(pointer); }
