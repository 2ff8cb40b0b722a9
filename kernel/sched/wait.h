#pragma once

// The one place a thread waits. A wait is a prepare/commit protocol (sched/wait_state.h): the
// waiter's observers are put in place, then the condition is checked, then the thread blocks
// unless a wake came in between; a signal raised at any point after the observers are in place
// wakes the thread, so no wake-up is lost. The thread's observers and a job's
// (async::SignalAwaiter) are the same SignalObserver: one waiter interface for both.

#include <base/result.h>
#include <base/span.h>
#include <object/kernel_object.h>
#include <object/thread.h>
#include <sched/scheduler.h>

namespace sched {

// The wait loop. With whatever wakes the current thread already in place, blocks until `ready()`
// holds (ok), the deadline passes (TimedOut; ShouldWait for deadline 0, without blocking) or the
// thread is killed (Cancelled). Interrupts are off.
template <typename Ready>
base::ErrorOr<void> wait_until(Ready ready, u64 deadline) {
    ASSERT(!arch::interrupts_enabled());
    for (;;) {
        prepare_to_block();
        if (ready()) {
            current_thread().wait_state.finish();
            return {};
        }
        if (deadline == poplar::abi::deadline_now) {
            current_thread().wait_state.finish();
            return base::Error::ShouldWait;
        }
        WakeReason reason = block_current(deadline);
        if (ready()) return {};  // a timeout or kill that raced the condition loses to it
        if (reason == WakeReason::Woken) continue;
        return reason == WakeReason::TimedOut ? base::Error::TimedOut : base::Error::Cancelled;
    }
}

struct WaitSource {
    KernelObject* object;
    u32 wanted;
    u32 observed = 0;  // the object's signals when the wait ended
};

// Blocks the current thread until one source shows a wanted signal (its index), the deadline
// passes (TimedOut; ShouldWait for deadline 0, without blocking) or the thread is killed
// (Cancelled). Every source's `observed` is filled in either way.
base::ErrorOr<usize> wait_for_any(base::Span<WaitSource> sources, u64 deadline);

// The same for one source (wait_one, task_wait), without the loops over sources.
base::ErrorOr<void> wait_for(WaitSource& source, u64 deadline);

}  // namespace sched
