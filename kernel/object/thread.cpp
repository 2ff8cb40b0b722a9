#include <mm/heap.h>
#include <object/task.h>
#include <object/thread.h>
#include <sched/scheduler.h>

namespace {

u64 next_thread_id = 1;
u64 live_threads = 0;

// With an unmapped guard page below: an overflow faults (a double fault, reported as a kernel
// stack overflow) instead of overwriting whatever lies below.
u8* allocate_stack() { return static_cast<u8*>(mm::allocate_stack(Thread::kernel_stack_size)); }
void free_stack(u8* stack) { mm::free_stack(stack, Thread::kernel_stack_size); }

u64 stack_top(u8* stack) { return reinterpret_cast<u64>(stack + Thread::kernel_stack_size); }

}  // namespace

Thread::Thread(base::RefPtr<Task> task, bool runs_user_code, const char* name, u8* stack, sched::SchedulingGroup& group)
    : task_(base::move(task)),
      user_task_(runs_user_code ? task_.get() : nullptr),
      name_(name),
      id_(__atomic_fetch_add(&next_thread_id, 1, __ATOMIC_RELAXED)),
      kernel_stack_(stack) {
    entity.group = &group;
    entity.owner = this;
    __atomic_fetch_add(&live_threads, 1, __ATOMIC_RELAXED);
}

Thread::~Thread() {
    ASSERT(!entity.node.is_linked() && !task_node.is_linked() && !wake_timer.is_armed());
    free_stack(kernel_stack_);
    __atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
}

u64 Thread::settle_kernel_cycles() {
    // The running thread's own counters, which only a switch on this CPU also updates: masking
    // interrupts (preemption) is all the exclusion they need.
    arch::InterruptGuard guard;
    u64 now = arch::read_cycle_counter();
    kernel_cycles += now - mark;
    mark = now;
    return kernel_cycles;
}

u64 Thread::live_count() { return __atomic_load_n(&live_threads, __ATOMIC_RELAXED); }

base::ErrorOr<base::RefPtr<Thread>> Thread::create_user(Task& task, u64 entry, u64 user_stack, u64 start_argument) {
    u8* stack = allocate_stack();
    if (!stack) return base::Error::NoMemory;
    auto* thread =
        new (std::nothrow) Thread(base::RefPtr<Task>(&task), true, task.name(), stack, task.scheduling_group());
    if (!thread) {
        free_stack(stack);
        return base::Error::NoMemory;
    }
    arch::prepare_user_thread(thread->context_, stack_top(stack), entry, user_stack, start_argument,
                              sched::thread_first_run, thread);
    return base::adopt_ref(thread);
}

base::ErrorOr<base::RefPtr<Thread>> Thread::create_kernel(const char* name, void (*function)(void*), void* argument,
                                                          sched::SchedulingGroup& group, base::RefPtr<Task> owner) {
    u8* stack = allocate_stack();
    if (!stack) return base::Error::NoMemory;
    auto* thread = new (std::nothrow) Thread(base::move(owner), false, name, stack, group);
    if (!thread) {
        free_stack(stack);
        return base::Error::NoMemory;
    }
    thread->kernel_function_ = function;
    thread->kernel_argument_ = argument;
    arch::prepare_kernel_thread(thread->context_, stack_top(stack), kernel_entry, thread);
    return base::adopt_ref(thread);
}

// Every kernel thread starts here, interrupts off, on its own stack.
void Thread::kernel_entry(void* thread_pointer) {
    sched::thread_first_run(nullptr);
    arch::enable_interrupts();
    auto* thread = static_cast<Thread*>(thread_pointer);
    thread->kernel_function_(thread->kernel_argument_);
    sched::exit_current();
}
