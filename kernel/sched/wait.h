#pragma once

// The one place a thread waits for objects' signals. A wait is a prepare/commit protocol with
// interrupts off: observe every source, check them, block; a signal raised at any point after the
// observers are in place wakes the thread, so no wake-up is lost. The thread's observers and a
// job's (async::SignalAwaiter) are the same SignalObserver: one waiter interface for both.

#include <base/result.h>
#include <base/span.h>
#include <object/kernel_object.h>

namespace sched {

struct WaitSource {
    KernelObject* object;
    u32 wanted;
    u32 observed = 0;  // the object's signals when the wait ended
};

// Blocks the current thread until one source shows a wanted signal (its index), the deadline
// passes (TimedOut; ShouldWait for deadline 0, without blocking) or the thread is killed
// (Cancelled). Every source's `observed` is filled in either way.
base::ErrorOr<usize> wait_for_any(base::Span<WaitSource> sources, u64 deadline);

}  // namespace sched
