#include <arch/arch.h>
#include <arch/paging.h>
#include <debug/panic.h>
#include <object/address_space.h>
#include <object/task.h>
#include <sched/scheduler.h>
#include <time/clock.h>

namespace sched {
namespace {

using RunQueue = base::IntrusiveList<Thread, &Thread::run_node>;

RunQueue& run_queue() {
    static RunQueue queue;
    return queue;
}

Thread* current = nullptr;
Thread* idle = nullptr;
Thread* to_reap = nullptr;
bool need_reschedule = false;
u64 last_switch_time = 0;
time::Timer slice_timer;
arch::ThreadContext boot_context;

void slice_expired(time::Timer&) { need_reschedule = true; }

void wake_timer_fired(time::Timer& timer) { wake(*static_cast<Thread*>(timer.context), WakeReason::TimedOut); }

void idle_loop(void*) {
    for (;;) arch::wait_for_interrupt();
}

// Frees a thread that died before the switch, now that nobody runs on its stack.
void reap() {
    if (Thread* dead = base::exchange(to_reap, nullptr)) base::RefPtr<Thread>::adopt(dead).clear();
}

void switch_to(Thread& next) {
    Thread& previous = *current;
    u64 now = time::monotonic_nanoseconds();
    u64 cycles = arch::read_cycle_counter();
    previous.kernel_cycles += cycles - previous.mark;
    next.mark = cycles;
    last_switch_time = now;

    current = &next;
    next.set_state(Thread::State::Running);
    time::cancel(slice_timer);
    if (&next != idle) time::arm(slice_timer, now + time_slice_nanoseconds);
    Task* task = next.task();
    arch::switch_page_tables(task ? task->address_space().page_table_root() : arch::kernel_page_tables());
    arch::switch_threads(previous.context(), next.context());
    reap();
}

// Picks the next thread; the current one has already been queued, blocked or marked dead.
void schedule() {
    ASSERT(!arch::interrupts_enabled());
    need_reschedule = false;
    Thread* next = run_queue().pop_front();
    if (!next) next = idle;
    if (next == current) {
        current->set_state(Thread::State::Running);
        return;
    }
    switch_to(*next);
}

}  // namespace

void initialize() {
    slice_timer.callback = slice_expired;
    idle = MUST(Thread::create_kernel("idle", idle_loop, nullptr)).leak();
}

void start() {
    arch::disable_interrupts();
    time::start_timer_queue();
    Thread* next = run_queue().pop_front();
    if (!next) next = idle;
    current = next;
    next->set_state(Thread::State::Running);
    last_switch_time = time::monotonic_nanoseconds();
    next->mark = arch::read_cycle_counter();
    if (next != idle) time::arm(slice_timer, last_switch_time + time_slice_nanoseconds);
    Task* task = next->task();
    arch::switch_page_tables(task ? task->address_space().page_table_root() : arch::kernel_page_tables());
    arch::switch_threads(boot_context, next->context());
    panic("the boot context was resumed");
}

Thread& current_thread() { return *current; }

void make_runnable(Thread& thread) {
    arch::InterruptGuard guard;
    thread.set_state(Thread::State::Runnable);
    run_queue().push_back(thread);
    if (current == idle) need_reschedule = true;
}

void yield() {
    arch::InterruptGuard guard;
    if (current != idle) {
        current->set_state(Thread::State::Runnable);
        run_queue().push_back(*current);
    }
    schedule();
}

WakeReason block_current(u64 deadline) {
    ASSERT(!arch::interrupts_enabled() && current != idle);
    Thread& thread = *current;
    if (thread.kill_pending()) return WakeReason::Killed;
    if (deadline != ~u64(0)) {
        if (deadline <= time::monotonic_nanoseconds()) return WakeReason::TimedOut;
        thread.wake_timer.callback = wake_timer_fired;
        thread.wake_timer.context = &thread;
        time::arm(thread.wake_timer, deadline);
    }
    thread.wake_reason = WakeReason::Woken;
    thread.set_state(Thread::State::Blocked);
    schedule();
    time::cancel(thread.wake_timer);
    return thread.wake_reason;
}

void wake(Thread& thread, WakeReason reason) {
    arch::InterruptGuard guard;
    if (thread.state() != Thread::State::Blocked) return;
    time::cancel(thread.wake_timer);
    thread.wake_reason = reason;
    thread.set_state(Thread::State::Runnable);
    run_queue().push_back(thread);
    if (current == idle) need_reschedule = true;
}

void exit_current() {
    arch::disable_interrupts();
    Thread& thread = *current;
    ASSERT(&thread != idle && !to_reap);
    if (Task* task = thread.task()) {
        // Off the task's page tables first: the task's teardown may free them.
        arch::switch_page_tables(arch::kernel_page_tables());
        task->thread_exited(thread);  // may tear the task down, which may wake others
    }
    thread.set_state(Thread::State::Dead);
    to_reap = &thread;  // our creation reference, dropped by the next thread
    schedule();
    panic("a dead thread was resumed");
}

void preempt_if_needed() {
    if (!need_reschedule) return;
    yield();
}

void thread_first_run(void*) { reap(); }

void enter_kernel_from_user() {
    u64 cycles = arch::read_cycle_counter();
    current->user_cycles += cycles - current->mark;
    current->mark = cycles;
}

void leave_kernel_to_user() {
    if (current->kill_pending()) exit_current();
    u64 cycles = arch::read_cycle_counter();
    current->kernel_cycles += cycles - current->mark;
    current->mark = cycles;
}

}  // namespace sched
