// Which thread runs on this CPU. Runnable threads wait in the fair policy (sched/fair_policy.h),
// grouped by whom their CPU time is charged to; the idle thread runs when nothing else can.
// All of it runs with interrupts off.

#include <arch/arch.h>
#include <arch/paging.h>
#include <debug/panic.h>
#include <object/address_space.h>
#include <object/task.h>
#include <sched/scheduler.h>
#include <sched/work_queue.h>
#include <time/clock.h>

namespace sched {

namespace detail {
Thread* current = nullptr;  // read inline by current_thread(); per-CPU (GS-relative) with SMP
}

namespace {

// Per-CPU scheduling state (one CPU for now).
struct CpuScheduler {
    FairPolicy policy;
    Thread*& current = detail::current;
    Thread* idle = nullptr;
    Thread* to_reap = nullptr;
    Thread* hand_off_requester = nullptr;  // see hand_off_next_wake
    Thread* hand_off = nullptr;            // held (runnable, in no queue) for it
    bool need_reschedule = false;
    u64 running_since = 0;  // ns: when `current` was last charged
    u64 slice_end = 0;      // ns: when `current` should give way to whoever is due
    time::Timer slice_timer;
    arch::ThreadContext boot_context;
    Statistics statistics{};
};

CpuScheduler cpu;

// The slice timer is re-armed lazily: a switch only moves `slice_end`, and the timer, when it
// fires early, re-arms itself for the new end. That keeps timer programming off the switch path.
void slice_expired(time::Timer& timer) {
    if (cpu.current == cpu.idle) return;
    if (time::monotonic_nanoseconds() >= cpu.slice_end)
        cpu.need_reschedule = true;
    else
        time::arm(timer, cpu.slice_end);
}

void wake_timer_fired(time::Timer& timer) { wake(*static_cast<Thread*>(timer.context), WakeReason::TimedOut); }

void idle_loop(void*) {
    for (;;) arch::wait_for_interrupt();
}

// Frees a thread that died before the switch, now that nobody runs on its stack.
void reap() {
    if (Thread* dead = base::exchange(cpu.to_reap, nullptr)) base::RefPtr<Thread>::adopt(dead).clear();
}

// Charges the running thread for the CPU it used since the last charge.
void charge_current(u64 now) {
    u64 used = now - cpu.running_since;
    cpu.running_since = now;
    if (cpu.current == cpu.idle)
        cpu.statistics.idle_nanoseconds += used;
    else
        cpu.policy.charge(cpu.current->entity, used);
}

void arm_slice(u64 now) {
    if (cpu.current == cpu.idle) return;
    cpu.slice_end = now + time_slice_nanoseconds;
    if (!cpu.slice_timer.is_armed()) time::arm(cpu.slice_timer, cpu.slice_end);
}

void load_address_space(Thread& thread) {
    Task* task = thread.task();
    arch::switch_page_tables(task ? task->address_space().page_table_root() : arch::kernel_page_tables());
}

// `new_slice`: false when the next thread continues the current slice (a hand-off).
void switch_to(Thread& next, u64 cycles, u64 now, bool new_slice = true) {
    Thread& previous = *cpu.current;
    previous.kernel_cycles += cycles - previous.mark;
    next.mark = cycles;
    cpu.current = &next;
    next.set_state(Thread::State::Running);
    ++cpu.statistics.context_switches;
    if (new_slice) arm_slice(now);
    load_address_space(next);
    arch::switch_threads(previous.context(), next.context());
    reap();
}

Thread* thread_of(Entity* entity) { return entity ? static_cast<Thread*>(entity->owner) : nullptr; }

void enqueue(Thread& thread, bool waking);

bool is_held_for_hand_off(const Thread& thread) {
    return thread.state() == Thread::State::Runnable && !thread.entity.node.is_linked();
}

// The thread handed off to, if it is held, and the hand-off is over either way.
Thread* take_hand_off() {
    if (!cpu.hand_off_requester) return nullptr;
    cpu.hand_off_requester->clear_return_work(Thread::hand_off_work);
    cpu.hand_off_requester = nullptr;
    Thread* thread = base::exchange(cpu.hand_off, nullptr);
    return thread && is_held_for_hand_off(*thread) ? thread : nullptr;
}

// The first thread woken after hand_off_next_wake, by the thread that asked, is held.
bool hold_for_hand_off(Thread& thread) {
    if (!cpu.hand_off_requester || cpu.hand_off_requester != cpu.current || cpu.hand_off ||
        arch::in_interrupt_handler())
        return false;
    cpu.hand_off = &thread;
    thread.set_state(Thread::State::Runnable);  // in no queue: the waker's next switch decides
    return true;
}

// The rare things to do on the way back to user mode.
[[gnu::noinline]] void do_return_work(Thread& thread) {
    if (thread.kill_pending()) exit_current();
    arch::InterruptGuard guard;
    if (Thread* held = take_hand_off()) enqueue(*held, true);
}

// Picks the next thread; the current one has already been queued, blocked or marked dead.
void schedule() {
    ASSERT(arch::ready_to_switch());
    cpu.need_reschedule = false;
    u64 cycles = arch::read_cycle_counter();
    u64 now = time::monotonic_nanoseconds_at(cycles);
    charge_current(now);
    if (Thread* hand_off = take_hand_off()) {
        if (cpu.current->state() != Thread::State::Running && cpu.current->state() != Thread::State::Runnable) {
            switch_to(*hand_off, cycles, now, false);
            return;
        }
        enqueue(*hand_off, true);  // the current thread goes on: an ordinary wake-up after all
    }
    Thread* next = thread_of(cpu.policy.pick_next());
    if (!next) next = cpu.idle;
    if (next == cpu.current) {
        cpu.current->set_state(Thread::State::Running);
        arm_slice(now);
        return;
    }
    switch_to(*next, cycles, now);
}

void enqueue(Thread& thread, bool waking) {
    thread.set_state(Thread::State::Runnable);
    // Urgent only on its way out of user mode: its task's teardown, once it has begun (the
    // thread has left user space), runs at the task's own share like any other work.
    if (thread.kill_pending() && thread.task())
        cpu.policy.enqueue_urgent(thread.entity);
    else
        cpu.policy.enqueue(thread.entity, waking);
    if (!cpu.current) return;  // not started yet
    if (cpu.current == cpu.idle || thread.entity.urgent ||
        (waking && cpu.policy.should_preempt(cpu.current->entity, thread.entity)))
        cpu.need_reschedule = true;
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
    Thread* next = thread_of(cpu.policy.pick_next());
    if (!next) next = cpu.idle;
    cpu.current = next;
    next->set_state(Thread::State::Running);
    cpu.running_since = time::monotonic_nanoseconds();
    next->mark = arch::read_cycle_counter();
    arm_slice(cpu.running_since);
    load_address_space(*next);
    arch::switch_threads(cpu.boot_context, next->context());
    panic("the boot context was resumed");
}

void make_runnable(Thread& thread) {
    arch::InterruptGuard guard;
    enqueue(thread, true);
}

void yield() {
    arch::InterruptGuard guard;
    if (cpu.current != cpu.idle) enqueue(*cpu.current, false);
    schedule();
}

bool reschedule_pending() { return cpu.need_reschedule; }

void assert_may_block() {
    if (arch::in_interrupt_handler()) panic("blocking inside an interrupt handler");
    if (cpu.current == cpu.idle) panic("the idle thread must never block");
}

namespace {

WakeReason end_wait(Thread& thread, WakeReason reason) {
    thread.wait_state.finish();
    return reason;
}

}  // namespace

WakeReason block_current(u64 deadline) {
    ASSERT(!arch::interrupts_enabled());
    assert_may_block();
    Thread& thread = *cpu.current;
    if (thread.kill_pending()) return end_wait(thread, WakeReason::Killed);
    if (deadline != ~u64(0)) {
        if (deadline <= time::monotonic_nanoseconds()) return end_wait(thread, WakeReason::TimedOut);
        thread.wake_timer.callback = wake_timer_fired;
        thread.wake_timer.context = &thread;
        time::arm(thread.wake_timer, deadline);
    }
    if (thread.wait_state.commit()) {
        thread.set_state(Thread::State::Blocked);
        schedule();  // whatever wakes it disarms the timer (wake, or the timer firing)
    } else {
        time::cancel(thread.wake_timer);  // woken before it slept
    }
    return end_wait(thread, static_cast<WakeReason>(thread.wait_state.reason()));
}

void wake(Thread& thread, WakeReason reason) {
    arch::InterruptGuard guard;
    if (thread.wait_state.wake(static_cast<u8>(reason)) != WaitState::WakeOutcome::must_run) return;
    ASSERT(thread.state() == Thread::State::Blocked);  // one CPU: a committed waiter has switched away
    time::cancel(thread.wake_timer);
    if (hold_for_hand_off(thread)) return;
    enqueue(thread, true);
}

void hand_off_next_wake() {
    // No guard: a switch in between (a preemption) just ends the request (take_hand_off), and a
    // wake from an interrupt handler is never held.
    Thread& current = *cpu.current;
    if (!current.task()) return;
    current.add_return_work(Thread::hand_off_work);
    cpu.hand_off_requester = &current;
}

void expedite_kill(Thread& thread) {
    arch::InterruptGuard guard;
    ASSERT(thread.kill_pending());
    if (thread.wait_state.is_waiting()) {
        wake(thread, WakeReason::Killed);
    } else if (thread.state() == Thread::State::Runnable && thread.entity.node.is_linked() && !thread.entity.urgent) {
        cpu.policy.remove(thread.entity);
        enqueue(thread, false);
    }
}

void exit_current() {
    arch::disable_interrupts();
    Thread& thread = *cpu.current;
    ASSERT(&thread != cpu.idle && !cpu.to_reap);
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
    thread.set_state(Thread::State::Dead);
    cpu.to_reap = &thread;  // its own reference, dropped by the next thread to run
    schedule();
    panic("a dead thread was resumed");
}


void preempt_if_needed() {
    if (cpu.need_reschedule) yield();
}

void thread_first_run(void*) {
    reap();
    // Killed before it ever ran (its spawner died at once, say): it must not run user code.
    if (cpu.current->kill_pending()) exit_current();
}

void enter_kernel_from_user() {
    u64 cycles = arch::read_cycle_counter();
    Thread& thread = *cpu.current;
    thread.user_cycles += cycles - thread.mark;
    thread.mark = cycles;
}

void leave_kernel_to_user() {
    Thread& thread = *cpu.current;
    if (thread.return_work()) do_return_work(thread);  // one test on the way out for everything rare
    u64 cycles = arch::read_cycle_counter();
    thread.kernel_cycles += cycles - thread.mark;
    thread.mark = cycles;
}

Statistics statistics() {
    arch::InterruptGuard guard;
    return cpu.statistics;
}

}  // namespace sched
