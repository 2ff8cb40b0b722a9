#pragma once

// A task's handles. A value is (generation << 10) | slot: when a slot is reused its generation
// moves on, and a slot whose generation is used up is retired, so a stale value gives BadHandle
// instead of naming a newer object, however many handles come and go.

#include <base/result.h>
#include <base/span.h>
#include <object/handle.h>

using poplar::abi::HandleValue;

class HandleTable {
public:
    static constexpr usize max_handles = 1024;

    HandleTable() = default;
    HandleTable(const HandleTable&) = delete;
    HandleTable& operator=(const HandleTable&) = delete;
    ~HandleTable();

    base::ErrorOr<HandleValue> add(Handle&& handle);
    base::ErrorOr<const Handle*> get(u64 value) const;
    base::ErrorOr<Handle> take(u64 value);
    base::ErrorOr<void> close(u64 value);
    // Replaces the handle `value` by one with only `rights` (a subset of its own), under a new
    // value; the old value names nothing afterwards. Needs no right: rights only ever shrink.
    base::ErrorOr<HandleValue> replace(u64 value, u64 rights);

    // Values are taken as u64 (as system calls pass them); above 32 bits they name nothing.
    // The object named by `value` as a T, if the handle has `rights`.
    template <typename T>
    base::ErrorOr<base::RefPtr<T>> get_object(u64 value, u32 rights) const {
        const Handle* handle = TRY(get(value));
        auto object = downcast<T>(handle->object());
        if (!object) return base::Error::WrongType;
        if (!handle->has_rights(rights)) return base::Error::AccessDenied;
        return object;
    }

    // Makes sure `count` more handles can be added without failing.
    base::ErrorOr<void> reserve(usize count);

    // Closes every handle and frees the table itself (a task that has ended keeps none).
    void release();
    usize count() const { return used_; }

private:
    struct Slot {
        Handle handle;
        u32 generation = 0;
    };

    base::ErrorOr<u32> slot_index(u64 value) const;
    void close_all();
    base::ErrorOr<void> grow_to(usize capacity);

    Slot* slots_ = nullptr;
    usize capacity_ = 0;
    usize used_ = 0;
    usize retired_ = 0;  // slots whose generations are used up
};
