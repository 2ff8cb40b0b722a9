#include <base/spinlock.h>
#include <poplar/heap.h>
#include <poplar/heap_allocator.h>
#include <poplar/syscall.h>

namespace poplar {

namespace {

// Each growth maps at least this much, so small allocations do not cost a system call each.
constexpr usize minimum_growth = 256 * 1024;
constexpr usize maximum_growth = usize(1) << 30;  // memory_object_create's limit

HeapAllocator heap;
base::SpinLock heap_lock;

bool grow(usize size) {
    usize wanted = base::max(HeapAllocator::region_size_for(size), minimum_growth);
    u64 length;
    if (!base::align_up(wanted, abi::page_size, length) || length > maximum_growth) return false;
    auto object = sys::memory_object_create(length, abi::memory_flags::writable);
    if (object.is_error()) return false;
    auto address = sys::memory_object_map(object.value(), 0, abi::memory_flags::writable);
    // The mapping keeps the object alive; the heap never gives memory back, so it needs no handle.
    (void)sys::handle_close(object.value());
    if (address.is_error()) return false;
    return heap.add_region(reinterpret_cast<void*>(address.value()), length);
}

}  // namespace

void* allocate(usize size) {
    base::LockGuard guard(heap_lock);
    if (void* pointer = heap.allocate(size)) return pointer;
    if (size > HeapAllocator::max_allocation || !grow(size)) return nullptr;
    return heap.allocate(size);
}

void deallocate(void* pointer) {
    base::LockGuard guard(heap_lock);
    heap.free(pointer);
}

HeapStatistics heap_statistics() {
    base::LockGuard guard(heap_lock);
    return HeapStatistics{heap.used_bytes(), heap.free_bytes(), heap.region_count()};
}

}  // namespace poplar

extern "C" {

void* malloc(usize size) { return poplar::allocate(size); }

void* calloc(usize count, usize size) {
    usize total;
    if (!base::checked_mul(count, size, total)) return nullptr;
    void* pointer = poplar::allocate(total);
    if (pointer) __builtin_memset(pointer, 0, total);
    return pointer;
}

void free(void* pointer) { poplar::deallocate(pointer); }
}

// Only the non-throwing forms of new: a plain `new` must not link.
void* operator new(usize size, const std::nothrow_t&) noexcept { return poplar::allocate(size); }
void* operator new[](usize size, const std::nothrow_t&) noexcept { return poplar::allocate(size); }
void operator delete(void* pointer) noexcept { poplar::deallocate(pointer); }
void operator delete(void* pointer, usize) noexcept { poplar::deallocate(pointer); }
void operator delete[](void* pointer) noexcept { poplar::deallocate(pointer); }
void operator delete[](void* pointer, usize) noexcept { poplar::deallocate(pointer); }
void operator delete(void* pointer, const std::nothrow_t&) noexcept { poplar::deallocate(pointer); }
void operator delete[](void* pointer, const std::nothrow_t&) noexcept { poplar::deallocate(pointer); }
