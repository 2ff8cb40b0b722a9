#pragma once

// A handle: a counted reference to an object plus the rights it grants. Move-only; while it
// exists it counts as one of the object's handles, whether it sits in a task's table or in a
// message in flight.

#include <object/kernel_object.h>

class Handle {
public:
    Handle() = default;
    Handle(base::RefPtr<KernelObject> object, u32 rights) : object_(base::move(object)), rights_(rights) {
        if (object_) object_->handle_opened();
    }
    Handle(Handle&& other) : object_(base::move(other.object_)), rights_(other.rights_) {}
    Handle& operator=(Handle&& other) {
        if (this != &other) {
            reset();
            object_ = base::move(other.object_);
            rights_ = other.rights_;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    void reset() {
        if (object_) close();
    }

    explicit operator bool() const { return static_cast<bool>(object_); }
    const base::RefPtr<KernelObject>& object() const { return object_; }
    u32 rights() const { return rights_; }
    bool has_rights(u32 wanted) const { return (rights_ & wanted) == wanted; }
    // Drops every right not in `kept` (the handle stays the same handle).
    void restrict_rights(u32 kept) { rights_ &= kept; }

private:
    // Out of line, so that moving a handle into an empty one (the common case: into a table slot,
    // a message) stays a few instructions wherever it is inlined.
    [[gnu::noinline]] void close() {
        base::RefPtr<KernelObject> object = base::move(object_);
        object->handle_closed();
    }

    base::RefPtr<KernelObject> object_;
    u32 rights_ = 0;
};
