#include <arch/arch.h>
#include <arch/timer.h>
#include <base/assert.h>
#include <time/clock.h>
#include <time/timer.h>

namespace time {
namespace {

using TimerList = base::IntrusiveList<Timer, &Timer::node>;

TimerList& pending() {
    static TimerList list;
    return list;
}

void program_hardware() {
    Timer* first = pending().front();
    if (!first) {
        arch::timer_stop();
        return;
    }
    u64 now = monotonic_nanoseconds();
    arch::timer_start_one_shot(first->deadline > now ? first->deadline - now : 1);
}

}  // namespace

void arm(Timer& timer, u64 deadline) {
    ASSERT(!arch::interrupts_enabled() && !timer.is_armed() && timer.callback);
    timer.deadline = deadline;
    Timer* position = pending().front();
    while (position && position->deadline <= deadline) position = pending().next(*position);
    if (position)
        pending().insert_before(*position, timer);
    else
        pending().push_back(timer);
    if (pending().front() == &timer) program_hardware();
}

void cancel(Timer& timer) {
    ASSERT(!arch::interrupts_enabled());
    if (timer.is_armed()) pending().remove(timer);
}

void run_expired_timers() {
    u64 now = monotonic_nanoseconds();
    while (Timer* timer = pending().front()) {
        if (timer->deadline > now) break;
        pending().remove(*timer);
        timer->callback(*timer);
    }
    program_hardware();
}

}  // namespace time
