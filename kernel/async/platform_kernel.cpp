// The kernel's side of async/platform.h.

#include <arch/arch.h>
#include <async/platform.h>
#include <debug/panic.h>
#include <mm/heap.h>
#include <sched/scheduler.h>
#include <time/clock.h>

namespace async::platform {

void* allocate(usize size) { return mm::allocate(size); }
void free(void* pointer) { mm::free(pointer); }
u64 now_nanoseconds() { return time::monotonic_nanoseconds(); }

CriticalSection::CriticalSection() : restore_(arch::interrupts_enabled()) { arch::disable_interrupts(); }
CriticalSection::~CriticalSection() {
    if (restore_) arch::enable_interrupts();
}

void*& current_job_slot() {
    static void* boot_slot = nullptr;  // before the scheduler starts (kernel tests)
    Thread* thread = sched::current_thread_if_started();
    return thread ? thread->async_job : boot_slot;
}

void assert_thread_context() {
    if (arch::in_interrupt_handler()) panic("async: a coroutine would resume inside an interrupt handler");
}

}  // namespace async::platform
