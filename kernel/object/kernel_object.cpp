#include <arch/arch.h>
#include <object/kernel_object.h>
#include <sched/scheduler.h>

namespace {

constexpr usize type_slots = 16;
u64 next_object_id = 1;
u64 live_counts[type_slots];

}  // namespace

KernelObject::KernelObject(ObjectType type, u32 initial_signals)
    : id_(__atomic_fetch_add(&next_object_id, 1, __ATOMIC_RELAXED)), counted_type_(type), signals_(initial_signals) {
    __atomic_fetch_add(&live_counts[static_cast<usize>(type) % type_slots], 1, __ATOMIC_RELAXED);
}

KernelObject::~KernelObject() {
    ASSERT(observers_.is_empty() && handle_count_ == 0);
    __atomic_fetch_sub(&live_counts[static_cast<usize>(counted_type_) % type_slots], 1, __ATOMIC_RELAXED);
}

u64 KernelObject::live_count(ObjectType type) {
    return __atomic_load_n(&live_counts[static_cast<usize>(type) % type_slots], __ATOMIC_RELAXED);
}

void KernelObject::update_signals(u32 set, u32 clear) {
    IrqSpinLockGuard guard(signal_lock_);
    u32 signals = (signals_ & ~clear) | set;
    __atomic_store_n(&signals_, signals, __ATOMIC_RELAXED);  // signals() reads it without the lock
    if (!set) return;                                        // clearing raises nothing: nobody is woken for it
    for (SignalObserver& observer : observers_)
        if (signals & observer.wanted) observer.notify(observer);
}

void KernelObject::add_observer(SignalObserver& observer) {
    IrqSpinLockGuard guard(signal_lock_);
    observers_.push_back(observer);
}

void KernelObject::remove_observer(SignalObserver& observer) {
    IrqSpinLockGuard guard(signal_lock_);
    if (observer.node.is_linked()) observers_.remove(observer);
}

void KernelObject::handle_closed() {
    u32 before = __atomic_fetch_sub(&handle_count_, 1, __ATOMIC_ACQ_REL);
    ASSERT(before > 0);
    if (before != 1) return;
    if (Thread* thread = sched::current_thread_if_started())
        thread->teardown.tear_down(*this);
    else
        on_zero_handles();  // start-up: no user objects exist yet
}

void TeardownQueue::tear_down(KernelObject& object) {
    {
        arch::InterruptGuard guard;  // an interrupt handler may close a handle too (no lock: see the class)
        object.ref();                // the queue's reference
        pending_.push_back(object);
        if (running_) return;  // the loop below, further up this thread's stack, will get to it
        running_ = true;
    }
    for (;;) {
        KernelObject* next;
        {
            arch::InterruptGuard guard;
            next = pending_.pop_front();
            if (!next) {
                running_ = false;
                return;
            }
        }
        next->on_zero_handles();
        base::RefPtr<KernelObject>::adopt(next).clear();
    }
}

void SignalObserver::wake_thread_on(Thread& thread, u32 wanted_signals) {
    notify = [](SignalObserver& self) { sched::wake(*static_cast<Thread*>(self.context)); };
    context = &thread;
    wanted = wanted_signals;
}
