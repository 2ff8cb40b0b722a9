// Kernel stacks (mm::allocate_stack): page-aligned, with an unmapped guard page below, counted
// in the heap statistics, and the same again when a freed stack is reused. The overflow itself
// is the stack_overflow boot scenario.

#include <arch/paging.h>
#include <mm/heap.h>
#include <mm/physical_memory.h>
#include <object/task.h>
#include <sched/work_queue.h>
#include <test/kernel_test.h>

namespace {

constexpr usize size = Thread::kernel_stack_size;

bool guarded(u64 bottom) {
    return arch::is_kernel_page_mapped(bottom) && arch::is_kernel_page_mapped(bottom + size - mm::page_size) &&
           !arch::is_kernel_page_mapped(bottom - mm::stack_guard_size);
}

}  // namespace

KERNEL_TEST(kernel_stack, has_an_unmapped_guard_page_below) {
    auto before = mm::heap_statistics();
    void* stacks[3];
    for (void*& stack : stacks) {
        stack = mm::allocate_stack(size);
        KEXPECT(stack && reinterpret_cast<u64>(stack) % mm::page_size == 0);
        KEXPECT(guarded(reinterpret_cast<u64>(stack)));
    }
    KEXPECT_EQ(mm::heap_statistics().stack_pages, before.stack_pages + 3 * size / mm::page_size);
    u64 first = reinterpret_cast<u64>(stacks[0]);
    KEXPECT(mm::is_stack_guard(first - 1, first) && mm::is_stack_guard(first - mm::stack_guard_size, first));
    KEXPECT(!mm::is_stack_guard(first, first) && !mm::is_stack_guard(first - mm::stack_guard_size - 1, first));
    for (void* stack : stacks) mm::free_stack(stack, size);
    // Reused from the cache, still guarded.
    void* again = mm::allocate_stack(size);
    KEXPECT(again && guarded(reinterpret_cast<u64>(again)));
    mm::free_stack(again, size);
    auto after = mm::heap_statistics();
    KEXPECT_EQ(after.stack_pages, before.stack_pages);
    KEXPECT_EQ(after.bytes_in_use, before.bytes_in_use);
}

KERNEL_TEST(kernel_stack, every_thread_has_a_guarded_stack) {
    auto thread = Thread::create_kernel(
        "guarded", [](void*) {}, nullptr, sched::kernel_group());
    KEXPECT(thread.is_ok());
    if (thread.is_error()) return;
    arch::StackBounds stack = thread.value()->kernel_stack();
    KEXPECT_EQ(stack.top - stack.bottom, size);
    KEXPECT(guarded(stack.bottom));
}
