#pragma once

#include <object/kernel_object.h>

// A single signal that tasks raise and clear; waiters observe `signaled`. Its only state is that
// signal, so KernelObject's signal lock is its lock: raising and clearing take it.
class Event final : public KernelObject {
public:
    static constexpr ObjectType object_type = ObjectType::Event;

    static base::ErrorOr<base::RefPtr<Event>> create();
    ObjectType type() const override { return object_type; }

    void signal() { update_signals(poplar::abi::signals::signaled, 0); }
    void clear() { update_signals(0, poplar::abi::signals::signaled); }

private:
    Event() : KernelObject(object_type) {}
};
