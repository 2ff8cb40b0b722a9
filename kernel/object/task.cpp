#include <debug/log.h>
#include <mm/heap.h>
#include <object/task.h>
#include <sched/scheduler.h>
#include <time/clock.h>

Task::Task() : KernelObject(object_type) {}

Task::~Task() { ASSERT(threads_.is_empty()); }

base::ErrorOr<base::RefPtr<Task>> Task::create(base::StringView name) {
    auto space = TRY(AddressSpace::create());
    auto* task = new (std::nothrow) Task();
    if (!task) return base::Error::NoMemory;
    usize length = base::min(name.length(), sizeof(task->name_) - 1);
    __builtin_memcpy(task->name_, name.data(), length);
    task->address_space_ = base::move(space);
    return base::adopt_ref(task);
}

void Task::add_thread(Thread& thread) {
    arch::InterruptGuard guard;
    threads_.push_back(thread);
}

void Task::kill(i64 status) {
    arch::InterruptGuard guard;
    if (dying_) return;
    dying_ = true;
    exit_status_ = status;
    for (Thread& thread : threads_) {
        thread.request_kill();
        sched::wake(thread, WakeReason::Killed);
    }
}

void Task::thread_exited(Thread& thread) {
    bool last;
    {
        arch::InterruptGuard guard;
        threads_.remove(thread);
        finished_user_cycles_ += thread.user_cycles;
        finished_kernel_cycles_ += thread.kernel_cycles;
        last = threads_.is_empty();
        dying_ = true;
    }
    if (last) tear_down();
}

void Task::tear_down() {
    handles_.close_all();
    address_space_.clear();
    ended_ = true;
    log::debug("task {} ended with status {}", name_, exit_status_);
    update_signals(poplar::abi::signals::terminated, 0);
}

poplar::abi::CpuTime Task::cpu_time() {
    arch::InterruptGuard guard;
    u64 user = finished_user_cycles_, kernel = finished_kernel_cycles_;
    for (Thread& thread : threads_) {
        user += thread.user_cycles;
        kernel += thread.kernel_cycles;
    }
    return {time::cycles_to_nanoseconds(user), time::cycles_to_nanoseconds(kernel), 0};
}
