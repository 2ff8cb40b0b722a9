#include <mm/heap.h>
#include <object/event.h>

base::ErrorOr<base::RefPtr<Event>> Event::create() {
    auto* event = new (std::nothrow) Event();
    if (!event) return base::Error::NoMemory;
    return base::adopt_ref(event);
}
