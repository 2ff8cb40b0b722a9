#include <poplar/abi/syscalls.h>
#include <sched/scheduler.h>
#include <sched/wait.h>
#include <new>

namespace sched {
namespace {

constexpr usize max_sources = poplar::abi::max_wait_items;

usize first_ready(base::Span<WaitSource> sources) {
    for (usize i = 0; i < sources.size(); ++i)
        if (sources[i].object->signals() & sources[i].wanted) return i;
    return sources.size();
}

}  // namespace

base::ErrorOr<usize> wait_for_any(base::Span<WaitSource> sources, u64 deadline) {
    ASSERT(!sources.is_empty() && sources.size() <= max_sources);
    // Room for an observer per source, built only for the sources there are and only when the
    // thread has to block (a wait that is already satisfied costs no observer).
    alignas(SignalObserver) u8 observer_storage[max_sources * sizeof(SignalObserver)];
    auto* observers = reinterpret_cast<SignalObserver*>(observer_storage);
    arch::InterruptGuard guard;
    usize ready = first_ready(sources);
    base::Error failure = base::Error::ShouldWait;
    if (ready == sources.size() && deadline != poplar::abi::deadline_now) {
        Thread& thread = current_thread();
        for (usize i = 0; i < sources.size(); ++i) {
            new (&observers[i]) SignalObserver();
            observers[i].wake_thread_on(thread, sources[i].wanted);
            sources[i].object->add_observer(observers[i]);
        }
        for (;;) {
            WakeReason reason = block_current(deadline);
            ready = first_ready(sources);
            if (ready < sources.size()) break;
            if (reason == WakeReason::TimedOut) {
                failure = base::Error::TimedOut;
                break;
            }
            if (reason == WakeReason::Killed) {
                failure = base::Error::Cancelled;
                break;
            }
        }
        for (usize i = 0; i < sources.size(); ++i) {
            sources[i].object->remove_observer(observers[i]);
            observers[i].~SignalObserver();
        }
    }
    for (WaitSource& source : sources) source.observed = source.object->signals();
    if (ready == sources.size()) return failure;
    return ready;
}

}  // namespace sched
