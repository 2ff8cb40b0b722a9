#pragma once

// Moving handles out of the caller's table, all or none: first every value is checked (it exists,
// has the transfer right, is listed once, and is not the carrier itself), and only then, when
// nothing can fail, are they taken. Each step holds the table's lock; in between, the checked
// handles stay put because only the task's own thread takes handles out of its table, and a task
// has one thread. (With several, the check and the take become one step under the lock.)

#include <syscall/syscall.h>

class HandleTransfer {
public:
    // Copies `count` handle values in and checks them against `owner`'s table; `carrier` may be
    // null.
    base::ErrorOr<void> check(Task& owner, UserIn<HandleValue> values, u64 count, const KernelObject* carrier);
    // Takes the checked handles out of `owner`'s table into `destination` (cannot fail).
    void take_into(Task& owner, Handle* destination);
    u64 count() const { return count_; }
    // The objects the checked handles name, while they are still in the table.
    base::Span<KernelObject* const> passengers() const { return {passengers_, count_}; }

private:
    HandleValue values_[max_message_handles];
    KernelObject* passengers_[max_message_handles];
    u64 count_ = 0;
};
