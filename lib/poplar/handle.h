#pragma once

// Handles owned by value: a Handle closes what it names when it goes away, and moves but never
// copies. The typed handles (Channel, Event, MemoryObject, Task) add their object's calls.

#include <base/result.h>
#include <base/utility.h>
#include <poplar/syscall.h>

namespace poplar {

using abi::HandleValue;

class Handle {
public:
    Handle() = default;
    explicit Handle(HandleValue value) : value_(value) {}
    Handle(Handle&& other) : value_(base::exchange(other.value_, abi::invalid_handle)) {}
    Handle& operator=(Handle&& other) {
        if (this != &other) reset(base::exchange(other.value_, abi::invalid_handle));
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    HandleValue value() const { return value_; }
    bool is_valid() const { return value_ != abi::invalid_handle; }
    explicit operator bool() const { return is_valid(); }

    // Gives up ownership without closing: the caller now owns the value.
    [[nodiscard]] HandleValue release() { return base::exchange(value_, abi::invalid_handle); }

    // Closes the current value (if any) and takes `value`.
    void reset(HandleValue value = abi::invalid_handle);

    // A new handle to the same object with `rights` (a subset of this handle's).
    base::ErrorOr<Handle> duplicate(u32 rights) const;
    // Narrows this handle to `rights` (a subset of its own); it gets a new value, the old one is
    // closed. Works for objects that cannot be duplicated (channel ends). On failure nothing
    // changes.
    base::ErrorOr<void> replace(u32 rights);
    base::ErrorOr<abi::HandleInfo> info() const;

    // Waits until one of `wanted` is raised; returns the observed signals.
    base::ErrorOr<u32> wait(u32 wanted, u64 deadline = abi::deadline_infinite) const;

private:
    HandleValue value_ = abi::invalid_handle;
};

}  // namespace poplar
