#include <arch/arch.h>
#include <arch/timer.h>
#include <base/assert.h>
#include <sync/spinlock.h>
#include <time/clock.h>
#include <time/timer.h>

namespace time {
namespace {

using TimerList = base::IntrusiveList<Timer, &Timer::node>;

// Guards the armed timers and the hardware timer they program. An IrqSpinLock: the timer
// interrupt takes it. A leaf: callbacks run after it is released, so they may arm timers and
// take the scheduler's lock, which itself arms and cancels timers while held.
IrqSpinLock timer_lock;
TimerList pending GUARDED_BY(timer_lock);

void program_hardware() REQUIRES(timer_lock) {
    Timer* first = pending.front();
    if (!first) {
        arch::timer_stop();
        return;
    }
    u64 now = monotonic_nanoseconds();
    arch::timer_start_one_shot(first->deadline > now ? first->deadline - now : 1);
}

}  // namespace

void arm(Timer& timer, u64 deadline) {
    IrqSpinLockGuard guard(timer_lock);
    ASSERT(!timer.is_armed() && timer.callback);
    timer.deadline = deadline;
    Timer* position = pending.front();
    while (position && position->deadline <= deadline) position = pending.next(*position);
    if (position)
        pending.insert_before(*position, timer);
    else
        pending.push_back(timer);
    if (pending.front() == &timer) program_hardware();
}

void cancel(Timer& timer) {
    IrqSpinLockGuard guard(timer_lock);
    if (timer.is_armed()) pending.remove(timer);
}

void run_expired_timers() {
    // A callback runs after its timer has left the list and the lock is released: a cancel() on
    // another CPU would return while the callback still runs, and its owner could free the timer
    // under it. SMP needs cancel() to wait for a running callback (Zircon's timer_cancel does).
    static_assert(arch::max_cpus == 1, "cancel() does not wait for a callback running on another CPU");
    u64 now = monotonic_nanoseconds();
    for (;;) {
        Timer* timer;
        void (*callback)(Timer&);
        {
            IrqSpinLockGuard guard(timer_lock);
            timer = pending.front();
            if (!timer || timer->deadline > now) {
                program_hardware();
                return;
            }
            pending.remove(*timer);
            callback = timer->callback;
        }
        callback(*timer);
    }
}

}  // namespace time
