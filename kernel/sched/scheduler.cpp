// Which thread runs on this CPU. Runnable threads wait in the fair policy (sched/fair_policy.h),
// grouped by whom their CPU time is charged to; the idle thread runs when nothing else can.
//
// The CPU's scheduler lock guards its run queue (the policy) and its accounting. It is the
// innermost of the object locks: wakes come from under signal, channel and task locks; inside
// it only the timer list's lock (arming and cancelling) is taken. It is held across a context
// switch: the thread that takes it to switch away is not the one that releases it. The thread
// switched to does, on its way out of schedule() (or in thread_first_run, for a new thread), so
// a thread just queued again cannot be picked to run anywhere before its registers are saved.

#include <arch/arch.h>
#include <arch/paging.h>
#include <debug/panic.h>
#include <object/address_space.h>
#include <object/task.h>
#include <sched/scheduler.h>
#include <sched/work_queue.h>
#include <sync/spinlock.h>
#include <time/clock.h>

namespace sched {

namespace detail {
// Written under the scheduler lock, at a switch; read without it (inline, by current_thread())
// by code running on this CPU, whose own thread it is.
Thread* current = nullptr;
}  // namespace detail
using detail::current;

namespace {

// Per-CPU scheduling state.
struct CpuScheduler {
    IrqSpinLock lock;  // an IrqSpinLock: the timer interrupt wakes threads and ends slices
    FairPolicy policy GUARDED_BY(lock);
    Thread* idle = nullptr;  // set once, at start-up
    Thread* to_reap GUARDED_BY(lock) = nullptr;
    // Touched only on this CPU with interrupts off (the caller that hands off, its wake, and the
    // switch): no lock, so the IPC path pays for none. See hand_off_next_wake.
    Thread* hand_off_requester = nullptr;
    Thread* hand_off = nullptr;  // held (runnable, in no queue) for the requester
    // Set under the lock; polled without it by this CPU's threads and interrupt exits.
    bool need_reschedule = false;
    u64 running_since GUARDED_BY(lock) = 0;  // ns: when `current` was last charged
    u64 slice_end GUARDED_BY(lock) = 0;      // ns: when `current` should give way to whoever is due
    time::Timer slice_timer;
    arch::ThreadContext boot_context;
    Statistics statistics GUARDED_BY(lock){};
};

// One scheduler, reached without asking which CPU this is, and `current` a global: with SMP both
// become per-CPU (GS-relative), a wake takes the target CPU's lock and may need an IPI.
static_assert(arch::max_cpus == 1, "one CpuScheduler, and detail::current is not per-CPU");
CpuScheduler cpu;

// A thread that died before a switch is taken off the CPU's hands under the lock, by the next
// thread to run, and freed once the lock is released (freeing takes the heap's lock and may end
// its task object).
void reap(Thread* dead) {
    if (dead) base::RefPtr<Thread>::adopt(dead).clear();
}

// The slice timer is re-armed lazily: a switch only moves `slice_end`, and the timer, when it
// fires early, re-arms itself for the new end. That keeps timer programming off the switch path.
void slice_expired(time::Timer& timer) {
    IrqSpinLockGuard guard(cpu.lock);
    if (current == cpu.idle) return;
    if (time::monotonic_nanoseconds() >= cpu.slice_end)
        cpu.need_reschedule = true;
    else
        time::arm(timer, cpu.slice_end);
}

void wake_timer_fired(time::Timer& timer) { wake(*static_cast<Thread*>(timer.context), WakeReason::TimedOut); }

void idle_loop(void*) {
    for (;;) arch::wait_for_interrupt();
}

// The thread that died before the switch, now that nobody runs on its stack (see reap).
Thread* take_dead_thread() REQUIRES(cpu.lock) { return base::exchange(cpu.to_reap, nullptr); }

// Charges the running thread for the CPU it used since the last charge.
void charge_current(u64 now) REQUIRES(cpu.lock) {
    u64 used = now - cpu.running_since;
    cpu.running_since = now;
    if (current == cpu.idle)
        cpu.statistics.idle_nanoseconds += used;
    else
        cpu.policy.charge(current->entity, used);
}

void arm_slice(u64 now) REQUIRES(cpu.lock) {
    if (current == cpu.idle) return;
    cpu.slice_end = now + time_slice_nanoseconds;
    if (!cpu.slice_timer.is_armed()) time::arm(cpu.slice_timer, cpu.slice_end);
}

void load_address_space(Thread& thread) {
    Task* task = thread.task();
    arch::switch_page_tables(task ? task->address_space().page_table_root() : arch::kernel_page_tables());
}

// `new_slice`: false when the next thread continues the current slice (a hand-off). Returns, in
// the previous thread, once something switches back to it, with the lock held again.
Thread* switch_to(Thread& next, u64 cycles, u64 now, bool new_slice = true) REQUIRES(cpu.lock) {
    Thread& previous = *current;
    previous.kernel_cycles += cycles - previous.mark;
    next.mark = cycles;
    current = &next;
    next.set_state(Thread::State::Running);
    ++cpu.statistics.context_switches;
    if (new_slice) arm_slice(now);
    load_address_space(next);
    arch::switch_threads(previous.context(), next.context());
    return take_dead_thread();
}

Thread* thread_of(Entity* entity) { return entity ? static_cast<Thread*>(entity->owner) : nullptr; }

void enqueue(Thread& thread, bool waking) REQUIRES(cpu.lock);

bool is_held_for_hand_off(const Thread& thread) {
    return thread.state() == Thread::State::Runnable && !thread.entity.node.is_linked();
}

// The thread held for a hand-off, if one is, and the request is over either way.
Thread* take_hand_off() {
    if (!cpu.hand_off_requester) return nullptr;
    cpu.hand_off_requester->clear_return_work(Thread::hand_off_work);
    cpu.hand_off_requester = nullptr;
    Thread* thread = base::exchange(cpu.hand_off, nullptr);
    return thread && is_held_for_hand_off(*thread) ? thread : nullptr;
}

// The first thread woken after hand_off_next_wake, by the thread that asked, is held.
bool hold_for_hand_off(Thread& thread) REQUIRES(cpu.lock) {
    if (!cpu.hand_off_requester || cpu.hand_off_requester != current || cpu.hand_off || arch::in_interrupt_handler())
        return false;
    cpu.hand_off = &thread;
    thread.set_state(Thread::State::Runnable);  // in no queue: the requester's next switch decides
    return true;
}

// Picks the next thread and switches to it; the current one has already been queued, blocked or
// marked dead. The lock is held on the way in and again on the way out, though in between another
// thread released it (see the top of this file).
[[nodiscard]] Thread* schedule() REQUIRES(cpu.lock) {
    ASSERT(arch::ready_to_switch());
    cpu.need_reschedule = false;
    u64 cycles = arch::read_cycle_counter();  // one clock read per switch
    u64 now = time::monotonic_nanoseconds_at(cycles);
    charge_current(now);
    if (Thread* hand_off = take_hand_off()) {
        if (current->state() == Thread::State::Blocked || current->state() == Thread::State::Dead)
            return switch_to(*hand_off, cycles, now, false);
        enqueue(*hand_off, true);  // the requester goes on: an ordinary wake-up after all
    }
    Thread* next = thread_of(cpu.policy.pick_next());
    if (!next) next = cpu.idle;
    if (next == current) {
        current->set_state(Thread::State::Running);
        arm_slice(now);
        return nullptr;
    }
    return switch_to(*next, cycles, now);
}

void enqueue(Thread& thread, bool waking) REQUIRES(cpu.lock) {
    thread.set_state(Thread::State::Runnable);
    // Urgent only on its way out of user mode: its task's teardown, once it has begun (the
    // thread has left user space), runs at the task's own share like any other work.
    if (thread.kill_pending() && thread.task())
        cpu.policy.enqueue_urgent(thread.entity);
    else
        cpu.policy.enqueue(thread.entity, waking);
    if (!current) return;  // not started yet
    if (current == cpu.idle || thread.entity.urgent ||
        (waking && cpu.policy.should_preempt(current->entity, thread.entity)))
        cpu.need_reschedule = true;
}

void wake_locked(Thread& thread, WakeReason reason) REQUIRES(cpu.lock) {
    // Only the wake that ends a sleep makes the thread runnable (sched/wait_state.h); one that
    // comes between its prepare and commit is recorded, and the thread does not sleep. Its wake
    // timer, if armed, stays so until the thread runs and cancels it: firing meanwhile, it finds
    // the wait over and does nothing.
    if (thread.wait_state.wake(static_cast<u8>(reason)) != WaitState::WakeOutcome::must_run) return;
    ASSERT(thread.state() == Thread::State::Blocked);  // one CPU: a sleeping waiter has switched away
    if (hold_for_hand_off(thread)) return;
    enqueue(thread, true);
}

// A new thread's first act: the lock was taken by whoever switched here, and is released with
// interrupts left off (the thread enables them when it is ready: kernel_entry, or the return to
// user mode).
Thread* finish_first_switch() NO_THREAD_SAFETY_ANALYSIS {
    cpu.lock.assert_held();
    Thread* dead = take_dead_thread();
    cpu.lock.unlock_with_interrupts_off();
    return dead;
}

}  // namespace

void initialize() {
    cpu.slice_timer.callback = slice_expired;
    cpu.idle = MUST(Thread::create_kernel("idle", idle_loop, nullptr, kernel_group())).leak();
    (void)kernel_work_queue();  // the kernel's own work queue and its worker exist from boot
}

void start() {
    arch::disable_interrupts();
    time::start_timer_queue();
    cpu.lock.lock_with_interrupts_off();  // released by the first thread (finish_first_switch)
    Thread* next = thread_of(cpu.policy.pick_next());
    if (!next) next = cpu.idle;
    current = next;
    next->set_state(Thread::State::Running);
    cpu.running_since = time::monotonic_nanoseconds();
    next->mark = arch::read_cycle_counter();
    arm_slice(cpu.running_since);
    load_address_space(*next);
    arch::switch_threads(cpu.boot_context, next->context());
    panic("the boot context was resumed");
}

void make_runnable(Thread& thread) {
    IrqSpinLockGuard guard(cpu.lock);
    enqueue(thread, true);
}

void yield() {
    Thread* dead;
    {
        IrqSpinLockGuard guard(cpu.lock);
        if (current != cpu.idle) enqueue(*current, false);
        dead = schedule();
    }
    reap(dead);
}

bool reschedule_pending() { return cpu.need_reschedule; }

void assert_may_block() {
    if (arch::in_interrupt_handler()) panic("blocking inside an interrupt handler");
    if (current == cpu.idle) panic("the idle thread must never block");
}

WakeReason block_current(u64 deadline) {
    // The caller has prepared the wait (prepare_to_block) and found its condition false; a wake
    // since then is remembered by the thread's WaitState, so none is lost on any CPU. (The
    // scheduler's other state still assumes one CPU: see the top of this file.)
    ASSERT(!arch::interrupts_enabled());
    assert_may_block();
    Thread& thread = *current;
    bool has_deadline = deadline != ~u64(0);
    auto end_wait = [&thread](WakeReason reason) {
        thread.wait_state.finish();
        return reason;
    };
    if (has_deadline && deadline <= time::monotonic_nanoseconds()) return end_wait(WakeReason::TimedOut);
    Thread* dead = nullptr;
    {
        InterruptsOffLockGuard guard(cpu.lock);
        // Under the lock: a kill requested before it is seen here, one requested after it finds
        // the thread waiting and wakes it (expedite_kill).
        if (thread.kill_pending()) return end_wait(WakeReason::Killed);
        if (has_deadline) {
            thread.wake_timer.callback = wake_timer_fired;
            thread.wake_timer.context = &thread;
            time::arm(thread.wake_timer, deadline);
        }
        if (thread.wait_state.commit()) {
            thread.set_state(Thread::State::Blocked);
            dead = schedule();
        }
    }
    reap(dead);
    if (has_deadline) time::cancel(thread.wake_timer);
    return end_wait(static_cast<WakeReason>(thread.wait_state.reason()));
}

void wake(Thread& thread, WakeReason reason) {
    IrqSpinLockGuard guard(cpu.lock);
    wake_locked(thread, reason);
}

void expedite_kill(Thread& thread) {
    IrqSpinLockGuard guard(cpu.lock);
    ASSERT(thread.kill_pending());
    if (thread.wait_state.is_waiting()) {
        wake_locked(thread, WakeReason::Killed);
    } else if (thread.state() == Thread::State::Runnable && thread.entity.node.is_linked() && !thread.entity.urgent) {
        cpu.policy.remove(thread.entity);
        enqueue(thread, false);
    }
}

void exit_current() {
    arch::disable_interrupts();
    Thread& thread = *current;
    ASSERT(&thread != cpu.idle);
    if (Task* task = thread.task()) {
        // Off the task's page tables first, for good: the task's teardown may free them.
        thread.leave_user_space();
        arch::switch_page_tables(arch::kernel_page_tables());
        // Teardown takes as long as the task has handles and memory: it runs preemptibly, so
        // nobody waits for it. (This is reached only from a way back to user mode, so no kernel
        // state is interrupted here.)
        arch::enable_interrupts();
        task->thread_exited(thread);  // may tear the task down, which may wake others
        arch::disable_interrupts();
    }
    cpu.lock.lock_with_interrupts_off();  // released by the next thread to run
    ASSERT(!cpu.to_reap);
    thread.set_state(Thread::State::Dead);
    cpu.to_reap = &thread;  // its own reference, dropped by the next thread to run
    (void)schedule();
    panic("a dead thread was resumed");
}

void hand_off_next_wake() {
    // No guard: a switch in between (a preemption) just ends the request (take_hand_off), and a
    // wake from an interrupt handler is never held.
    Thread& thread = *current;
    if (!thread.task()) return;
    thread.add_return_work(Thread::hand_off_work);
    cpu.hand_off_requester = &thread;
}

void hand_off_next_wake_from_kernel() {
    ASSERT(current && !current->task());
    cpu.hand_off_requester = current;
}

void preempt_if_needed() {
    if (cpu.need_reschedule) yield();
}

void thread_first_run(void*) {
    reap(finish_first_switch());
    // Killed before it ever ran (its spawner died at once, say): it must not run user code.
    if (current->kill_pending()) exit_current();
}

void enter_kernel_from_user() {
    u64 cycles = arch::read_cycle_counter();
    Thread& thread = *current;
    thread.user_cycles += cycles - thread.mark;
    thread.mark = cycles;
}

namespace {

// The rare things to do on the way back to user mode.
[[gnu::noinline]] void do_return_work(Thread& thread) {
    if (thread.kill_pending()) exit_current();
    IrqSpinLockGuard guard(cpu.lock);
    if (Thread* held = take_hand_off()) enqueue(*held, true);
}

}  // namespace

void leave_kernel_to_user() {
    Thread& thread = *current;
    if (thread.return_work()) do_return_work(thread);  // one test on the way out for everything rare
    u64 cycles = arch::read_cycle_counter();
    thread.kernel_cycles += cycles - thread.mark;
    thread.mark = cycles;
}

Statistics statistics() {
    IrqSpinLockGuard guard(cpu.lock);
    return cpu.statistics;
}

void set_weight(SchedulingGroup& group, u32 weight) {
    IrqSpinLockGuard guard(cpu.lock);
    group.weight = weight;
}

void raise_weight(SchedulingGroup& group, u32 minimum) {
    IrqSpinLockGuard guard(cpu.lock);
    group.weight = base::max(group.weight, minimum);
}

}  // namespace sched
