#pragma once

// A thread: a kernel stack, saved registers, and its place in the scheduler. User threads
// belong to a task; kernel threads (idle, workers) to none.

#include <arch/arch.h>
#include <arch/thread_context.h>
#include <base/intrusive_list.h>
#include <base/ref_counted.h>
#include <base/result.h>
#include <object/kernel_object.h>
#include <sched/fair_policy.h>
#include <sched/wait_state.h>
#include <time/timer.h>

class Task;

enum class WakeReason { Woken, TimedOut, Killed };

class Thread : public base::RefCounted<Thread> {
public:
    enum class State { Runnable, Running, Blocked, Dead };

    static constexpr usize kernel_stack_size = 16 * 1024;

    static base::ErrorOr<base::RefPtr<Thread>> create_user(Task& task, u64 entry, u64 user_stack, u64 start_argument);
    // A kernel thread in `group` (the kernel's own, or a task's for work done on its behalf).
    // `owner`, if given, is kept alive as long as the thread.
    static base::ErrorOr<base::RefPtr<Thread>> create_kernel(const char* name, void (*function)(void*), void* argument,
                                                             sched::SchedulingGroup& group,
                                                             base::RefPtr<Task> owner = nullptr);
    ~Thread();

    // The task whose user code this thread runs; null for kernel threads, and for a user thread
    // once it is exiting (it then runs on the kernel's page tables while its task is torn down).
    Task* task() const { return user_task_; }
    void leave_user_space() { user_task_ = nullptr; }
    const char* name() const { return name_; }
    // Whether this is a kernel thread running `function` (a work queue's worker, say).
    bool runs(void (*function)(void*)) const { return kernel_function_ == function; }
    u64 id() const { return id_; }

    State state() const { return state_; }
    void set_state(State state) { state_ = state; }

    // Work to do before the thread next returns to user mode, tested once on the way out.
    enum ReturnWork : u8 {
        exit_work = 1,      // it was killed
        hand_off_work = 2,  // it left a woken thread waiting for the CPU (sched::hand_off_next_wake)
    };
    u8 return_work() const { return __atomic_load_n(&return_work_, __ATOMIC_RELAXED); }
    void add_return_work(ReturnWork work) { __atomic_fetch_or(&return_work_, work, __ATOMIC_RELAXED); }
    void clear_return_work(ReturnWork work) { __atomic_fetch_and(&return_work_, u8(~work), __ATOMIC_RELAXED); }

    bool kill_pending() const { return return_work() & exit_work; }
    void request_kill() { add_return_work(exit_work); }

    arch::ThreadContext& context() { return context_; }
    arch::StackBounds kernel_stack() const {
        auto bottom = reinterpret_cast<u64>(kernel_stack_);
        return {bottom, bottom + kernel_stack_size};
    }

    static u64 live_count();

    // The running thread's kernel time up to now (its current stretch charged).
    u64 settle_kernel_cycles();

    // Scheduler bookkeeping: the entity and the state change under the scheduler's
    // lock; the CPU-time counters only on the thread's own CPU (a switch, or the thread itself).
    sched::Entity entity;
    base::ListNode task_node;
    time::Timer wake_timer;
    WaitState wait_state;  // sched/wait_state.h: how a wait and its wake meet
    // CPU time in cycles, split by where it was spent. `mark` is when the current stretch began.
    u64 user_cycles = 0;
    u64 kernel_cycles = 0;
    u64 mark = 0;
    void* async_job = nullptr;  // the job this thread is polling (async/platform.h)
    TeardownQueue teardown;     // objects this thread is tearing down (object/kernel_object.h)

private:
    Thread(base::RefPtr<Task> task, bool runs_user_code, const char* name, u8* stack, sched::SchedulingGroup& group);

    base::RefPtr<Task> task_;
    Task* user_task_;  // task_ while the thread runs its user code (the system-call fast path reads it)
    const char* name_;
    u64 id_;
    u8* kernel_stack_;
    State state_ = State::Runnable;
    u8 return_work_ = 0;
    arch::ThreadContext context_;
    void (*kernel_function_)(void*) = nullptr;
    void* kernel_argument_ = nullptr;

    static void kernel_entry(void* thread);
};
