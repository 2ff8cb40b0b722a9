#pragma once

#include <poplar/handle.h>

namespace poplar {

// A signal that stays raised until cleared.
class Event : public Handle {
public:
    Event() = default;
    explicit Event(HandleValue value) : Handle(value) {}

    static base::ErrorOr<Event> create() { return Event(TRY(sys::event_create())); }

    base::ErrorOr<void> signal() const { return sys::event_signal(value()); }
    base::ErrorOr<void> clear() const { return sys::event_clear(value()); }
    base::ErrorOr<bool> is_signaled() const;
};

}  // namespace poplar
