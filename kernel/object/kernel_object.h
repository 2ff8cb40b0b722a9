#pragma once

// The base of every object a handle can name: reference counted, with a global id, a set of
// signals that waiters observe, and a count of the handles that name it (distinct from
// references: a channel end's peer is told when the last *handle* goes, even if the kernel
// still holds references).

#include <arch/arch.h>
#include <base/intrusive_list.h>
#include <base/ref_counted.h>
#include <base/result.h>
#include <base/string_view.h>
#include <poplar/abi/syscalls.h>
#include <sync/spinlock.h>

class Thread;
class KernelObject;
using poplar::ObjectType;

// Somebody waiting for some of an object's signals: a blocked thread (wait_one, wait_many,
// blocking receive) or an async job. `notify` runs, under the object's signal lock (interrupts
// off), when one of the wanted signals is raised; it may only wake.
struct SignalObserver {
    void (*notify)(SignalObserver&) = nullptr;
    void* context = nullptr;
    u32 wanted = 0;
    base::ListNode node;

    // Makes this an observer that wakes `thread` when any of `wanted` is raised.
    void wake_thread_on(Thread& thread, u32 wanted);
};

class KernelObject : public base::RefCounted<KernelObject> {
public:
    virtual ~KernelObject();
    virtual ObjectType type() const = 0;

    u64 id() const { return id_; }
    // The same as type(), without a virtual call (for the hot handle lookups).
    ObjectType object_type() const { return counted_type_; }
    // Without the lock: a waiter that finds nothing looks again after its observer is in place.
    u32 signals() const NO_THREAD_SAFETY_ANALYSIS { return __atomic_load_n(&signals_, __ATOMIC_RELAXED); }

    // Sets and clears signals; when it sets any, wakes every observer whose wanted signals are now
    // present (clearing alone wakes nobody).
    void update_signals(u32 set, u32 clear) EXCLUDES(signal_lock_);

    void add_observer(SignalObserver& observer) EXCLUDES(signal_lock_);
    void remove_observer(SignalObserver& observer) EXCLUDES(signal_lock_);

    // Handles open and close from any task (a message's handles close wherever the message dies),
    // and system calls are preemptible: the count is atomic.
    void handle_opened() { __atomic_fetch_add(&handle_count_, 1, __ATOMIC_RELAXED); }
    void handle_closed();
    u32 handle_count() const { return __atomic_load_n(&handle_count_, __ATOMIC_RELAXED); }

    // Live objects of one type, for debug_object_counts and the teardown tests.
    static u64 live_count(ObjectType type);

protected:
    explicit KernelObject(ObjectType type, u32 initial_signals = 0);
    // Called when the last handle naming this object is closed.
    virtual void on_zero_handles() {}

private:
    using ObserverList = base::IntrusiveList<SignalObserver, &SignalObserver::node>;

    u64 id_;
    ObjectType counted_type_;
    u32 signals_ GUARDED_BY(signal_lock_);
    u32 handle_count_ = 0;
    // Guards the signals and the observers; taken before the scheduler's lock (an observer's
    // notify wakes). An IrqSpinLock, though no interrupt handler raises signals today: a holder
    // must not be preempted, as it is taken inside sections that mask interrupts (the channel's).
    IrqSpinLock signal_lock_;
    ObserverList observers_ GUARDED_BY(signal_lock_);

    friend class TeardownQueue;
    base::ListNode teardown_node_;  // on a thread's TeardownQueue while waiting for on_zero_handles
};

// Objects whose last handle has closed, waiting for their on_zero_handles. Tearing one object
// down can close the last handles of others (a channel's queue holds channel ends, which hold
// queues...): each thread keeps one queue and works through it in a loop, so the depth of the
// kernel stack never depends on how deeply user space nested its objects.
//
// No lock: a queue belongs to one thread, and only that thread, or an interrupt handler running
// on top of it, touches it. Masking interrupts is the whole of the exclusion it needs, on any
// number of CPUs.
class TeardownQueue {
public:
    TeardownQueue() = default;
    TeardownQueue(const TeardownQueue&) = delete;
    TeardownQueue& operator=(const TeardownQueue&) = delete;
    ~TeardownQueue() { ASSERT(pending_.is_empty()); }

    // Runs `object`'s on_zero_handles now, or after the one in progress on this thread.
    void tear_down(KernelObject& object);

private:
    base::IntrusiveList<KernelObject, &KernelObject::teardown_node_> pending_;
    bool running_ = false;
};

// The object as a T, if that is its type.
template <typename T>
base::RefPtr<T> downcast(const base::RefPtr<KernelObject>& object) {
    if (!object || object->object_type() != T::object_type) return nullptr;
    return base::RefPtr<T>(static_cast<T*>(object.get()));
}
