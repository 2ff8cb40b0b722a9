#pragma once

// The scheduler: which thread runs, blocking and waking, preemption. Its state is guarded by the
// scheduler lock, the innermost of the kernel objects' locks (docs/architecture.md, "Locking"):
// every function here may be called with any of them held, except the timer list's.

#include <object/thread.h>

namespace sched {

// Creates the idle thread. `start` then switches from the boot stack to the first thread.
void initialize();
[[noreturn]] void start();

namespace detail {
extern Thread* current;
}
inline Thread& current_thread() { return *detail::current; }
// Null before the scheduler has started (boot code, kernel test scenarios).
inline Thread* current_thread_if_started() { return detail::current; }

// Makes a new or woken thread runnable.
void make_runnable(Thread& thread);

// Gives up the CPU to the next runnable thread, if any.
void yield();

// True when the current thread's slice is over or a woken thread should run: long-running kernel
// work checks this and yields.
bool reschedule_pending();

// Panics when called where blocking is not allowed (interrupt handlers, the idle thread).
void assert_may_block();

// Changes a scheduling group's weight; the policy reads it under the scheduler lock.
void set_weight(SchedulingGroup& group, u32 weight);
// Raises it to `minimum` if it is below.
void raise_weight(SchedulingGroup& group, u32 minimum);

struct Statistics {
    u64 idle_nanoseconds;
    u64 context_switches;
};
Statistics statistics();

// A wait in two steps (sched/wait_state.h): prepare_to_block(), then check the condition, then
// block_current() -- which returns at once if a wake came in between, so none is lost. It blocks
// until `wake`, the deadline (absolute ns; ~0 for none) or a kill. Interrupts must be off; they
// are off again on return. sched::wait_until (sched/wait.h) is the loop every waiting thread
// uses; nothing else calls these.
inline void prepare_to_block() { current_thread().wait_state.prepare(); }
WakeReason block_current(u64 deadline);

// Wakes a thread that waits (from any context, interrupts included); does nothing otherwise.
void wake(Thread& thread, WakeReason reason = WakeReason::Woken);

// For a thread asked to die: wakes it if blocked and, blocked or runnable, runs it ahead of
// everyone, so a kill takes effect promptly whatever the victim's weight or virtual runtime.
void expedite_kill(Thread& thread);

// Asks that the next thread the current one wakes (a user thread in a system call that will
// block right after, waiting for the reply to what it sends: channel_call) run next, on the rest
// of the current slice, without passing through the policy's queue; the slice still ends on
// time, so this cannot be used to starve others. Until the caller blocks the woken thread is
// held, runnable; if the caller goes on instead, it is queued like any woken thread at the
// caller's next switch or return to user mode. (Linux calls this a synchronous wake-up.)
void hand_off_next_wake();
// The same for a kernel thread that blocks as soon as it has nothing left to do (a work queue's
// worker: WorkQueue::hand_off_next_wake): a thread held for it waits at most until its next
// switch, whatever that is, and is then queued unless the worker blocked.
void hand_off_next_wake_from_kernel();

// Ends the current thread; its stack is freed once another thread runs.
[[noreturn]] void exit_current();

// At the end of an interrupt: switches away if the current thread's time is up or a woken thread
// should run.
void preempt_if_needed();

// Called on every way into the kernel from user mode and out again: CPU time accounting, and the
// point where a killed thread stops.
void enter_kernel_from_user();
void leave_kernel_to_user();

// Where every new thread starts (on its own stack, interrupts off).
void thread_first_run(void* thread);

constexpr u64 time_slice_nanoseconds = 10'000'000;

}  // namespace sched
