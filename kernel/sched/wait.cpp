#include <poplar/abi/syscalls.h>
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
    arch::InterruptGuard guard;
    usize ready = first_ready(sources);
    base::ErrorOr<void> waited;
    if (ready < sources.size()) {
        // Already satisfied: no observer is built.
    } else if (deadline == poplar::abi::deadline_now) {
        waited = base::Error::ShouldWait;
    } else {
        // Room for an observer per source, built only for the sources there are.
        alignas(SignalObserver) u8 observer_storage[max_sources * sizeof(SignalObserver)];
        auto* observers = reinterpret_cast<SignalObserver*>(observer_storage);
        Thread& thread = current_thread();
        for (usize i = 0; i < sources.size(); ++i) {
            new (&observers[i]) SignalObserver();
            observers[i].wake_thread_on(thread, sources[i].wanted);
            sources[i].object->add_observer(observers[i]);
        }
        waited = wait_until([&] { return (ready = first_ready(sources)) < sources.size(); }, deadline);
        for (usize i = 0; i < sources.size(); ++i) {
            sources[i].object->remove_observer(observers[i]);
            observers[i].~SignalObserver();
        }
    }
    for (WaitSource& source : sources) source.observed = source.object->signals();
    TRY(waited);
    return ready;
}

base::ErrorOr<void> wait_for(WaitSource& source, u64 deadline) {
    KernelObject& object = *source.object;
    u32 wanted = source.wanted;
    arch::InterruptGuard guard;
    base::ErrorOr<void> waited;
    if (object.signals() & wanted) {
        // Already satisfied: no observer is built.
    } else if (deadline == poplar::abi::deadline_now) {
        waited = base::Error::ShouldWait;
    } else {
        SignalObserver observer;
        observer.wake_thread_on(current_thread(), wanted);
        object.add_observer(observer);
        waited = wait_until([&] { return object.signals() & wanted; }, deadline);
        object.remove_observer(observer);
    }
    source.observed = object.signals();
    return waited;
}

}  // namespace sched
