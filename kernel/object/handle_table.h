#pragma once

// A task's handles. A value is (generation << 10) | slot: when a slot is reused its generation
// moves on, and a slot whose generation is used up is retired, so a stale value gives BadHandle
// instead of naming a newer object, however many handles come and go.

#include <base/result.h>
#include <base/span.h>
#include <object/handle.h>

using poplar::abi::HandleValue;

// What a lookup finds: the object a handle names, with a reference of its own (so it outlives a
// close of the handle that races with its use), and the rights the handle grants.
struct FoundHandle {
    base::RefPtr<KernelObject> object;
    u32 rights;

    bool has_rights(u32 wanted) const { return (rights & wanted) == wanted; }
};

// Every operation takes the table's lock, so a task's threads (and the kernel, filling a new
// task's table) may use it at once; nothing outside the table holds a pointer into it.
class HandleTable {
public:
    static constexpr usize max_handles = 1024;

    HandleTable() = default;
    HandleTable(const HandleTable&) = delete;
    HandleTable& operator=(const HandleTable&) = delete;
    ~HandleTable();

    base::ErrorOr<HandleValue> add(Handle&& handle) EXCLUDES(lock_);
    // Inline, as get_object: every system call on a handle starts with a lookup.
    [[gnu::always_inline]] base::ErrorOr<FoundHandle> look_up(u64 value) const EXCLUDES(lock_) {
        IrqSpinLockGuard guard(lock_);
        const Handle* handle = find(value);
        if (!handle) return base::Error::BadHandle;
        return FoundHandle{handle->object(), handle->rights()};
    }
    base::ErrorOr<Handle> take(u64 value) EXCLUDES(lock_);
    base::ErrorOr<void> close(u64 value) EXCLUDES(lock_);
    // Replaces the handle `value` by one with only `rights` (a subset of its own), under a new
    // value; the old value names nothing afterwards. Needs no right: rights only ever shrink.
    base::ErrorOr<HandleValue> replace(u64 value, u64 rights) EXCLUDES(lock_);

    // Values are taken as u64 (as system calls pass them); above 32 bits they name nothing.
    // The object named by `value` as a T, if the handle has `rights` (T = KernelObject: any type).
    template <typename T>
    [[gnu::always_inline]] base::ErrorOr<base::RefPtr<T>> get_object(u64 value, u32 rights) const EXCLUDES(lock_) {
        IrqSpinLockGuard guard(lock_);
        T* object = TRY(find_object<T>(value, rights));
        return base::RefPtr<T>(object);
    }

    // Runs `use(object)` on the object `value` names, if it is a T and the handle has `rights`,
    // under the table's lock: for a short step that needs no reference of its own (raising an
    // event's signal), the handle in the table keeps the object alive. `use` may take the
    // object's own locks (they come after the table's) but must not block or close a handle.
    template <typename T, typename Use>
    [[gnu::always_inline]] base::ErrorOr<void> with_object(u64 value, u32 rights, Use use) const EXCLUDES(lock_) {
        IrqSpinLockGuard guard(lock_);
        use(*TRY(find_object<T>(value, rights)));
        return {};
    }

    // Calls `visit(i, handle)` for each of `values` in order under one hold of the lock, stopping
    // at the first error (BadHandle for a value that names nothing): for checks that need no
    // reference of their own, such as a transfer's before it takes the handles. `visit` must not
    // block or take the table's lock.
    template <typename Visit>
    base::ErrorOr<void> visit_each(base::Span<const HandleValue> values, Visit visit) const EXCLUDES(lock_) {
        if (values.is_empty()) return {};  // most messages carry none
        IrqSpinLockGuard guard(lock_);
        for (usize i = 0; i < values.size(); ++i) {
            const Handle* handle = find(values[i]);
            if (!handle) return base::Error::BadHandle;
            TRY(visit(i, *handle));
        }
        return {};
    }

    // Makes sure `count` more handles can be added without failing (until someone else adds).
    base::ErrorOr<void> reserve(usize count) EXCLUDES(lock_) {
        if (count == 0) return {};  // most messages carry no handles: no lock
        IrqSpinLockGuard guard(lock_);
        return reserve_locked(count);
    }

    // Closes every handle and frees the table itself (a task that has ended keeps none).
    void release() EXCLUDES(lock_);
    usize count() const EXCLUDES(lock_);

private:
    struct Slot {
        Handle handle;
        u32 generation = 0;
    };

    // The handle `value` names, or null.
    const Handle* find(u64 value) const REQUIRES(lock_) {
        u32 index;
        return slot_index(value, index) ? &slots_[index].handle : nullptr;
    }
    template <typename T>
    base::ErrorOr<T*> find_object(u64 value, u32 rights) const REQUIRES(lock_) {
        const Handle* handle = find(value);
        if (!handle) return base::Error::BadHandle;
        if constexpr (!std::is_same_v<T, KernelObject>)
            if (handle->object()->object_type() != T::object_type) return base::Error::WrongType;
        if (!handle->has_rights(rights)) return base::Error::AccessDenied;
        return static_cast<T*>(handle->object().get());
    }
    bool slot_index(u64 value, u32& index) const REQUIRES(lock_);
    HandleValue insert(Handle&& handle) REQUIRES(lock_);
    Handle remove(u32 index) REQUIRES(lock_);
    base::ErrorOr<void> reserve_locked(usize count) REQUIRES(lock_);
    void close_all() EXCLUDES(lock_);
    base::ErrorOr<void> grow_to(usize capacity) REQUIRES(lock_);

    // An IrqSpinLock although no interrupt handler touches a table: a preempted holder would
    // leave a waiter that spins with interrupts off (the channel code calls in so) waiting forever.
    // Handles are only moved in and out under it; closing one (which can tear objects down)
    // happens after it is released.
    mutable IrqSpinLock lock_;
    Slot* slots_ GUARDED_BY(lock_) = nullptr;
    usize capacity_ GUARDED_BY(lock_) = 0;
    usize used_ GUARDED_BY(lock_) = 0;
    usize retired_ GUARDED_BY(lock_) = 0;  // slots whose generations are used up
};
