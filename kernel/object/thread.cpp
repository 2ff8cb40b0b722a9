#include <mm/heap.h>
#include <object/task.h>
#include <object/thread.h>
#include <sched/scheduler.h>

namespace {

u64 next_thread_id = 1;
u64 live_threads = 0;

u8* allocate_stack() { return static_cast<u8*>(mm::allocate(Thread::kernel_stack_size)); }

u64 stack_top(u8* stack) { return base::align_down(reinterpret_cast<u64>(stack + Thread::kernel_stack_size), 16); }

}  // namespace

Thread::Thread(base::RefPtr<Task> task, const char* name, u8* stack)
    : task_(base::move(task)), name_(name), id_(next_thread_id++), kernel_stack_(stack) {
    ++live_threads;
}

Thread::~Thread() {
    ASSERT(!run_node.is_linked() && !task_node.is_linked() && !wake_timer.is_armed());
    mm::free(kernel_stack_);
    --live_threads;
}

u64 Thread::live_count() { return live_threads; }

base::ErrorOr<base::RefPtr<Thread>> Thread::create_user(Task& task, u64 entry, u64 user_stack, u64 start_argument) {
    u8* stack = allocate_stack();
    if (!stack) return base::Error::NoMemory;
    auto* thread = new (std::nothrow) Thread(base::RefPtr<Task>(&task), task.name(), stack);
    if (!thread) {
        mm::free(stack);
        return base::Error::NoMemory;
    }
    arch::prepare_user_thread(thread->context_, stack_top(stack), entry, user_stack, start_argument,
                              sched::thread_first_run, thread);
    return base::adopt_ref(thread);
}

base::ErrorOr<base::RefPtr<Thread>> Thread::create_kernel(const char* name, void (*function)(void*), void* argument) {
    u8* stack = allocate_stack();
    if (!stack) return base::Error::NoMemory;
    auto* thread = new (std::nothrow) Thread(nullptr, name, stack);
    if (!thread) {
        mm::free(stack);
        return base::Error::NoMemory;
    }
    arch::prepare_kernel_thread(thread->context_, stack_top(stack), function, argument);
    return base::adopt_ref(thread);
}
