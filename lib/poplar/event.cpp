#include <poplar/event.h>

namespace poplar {

base::ErrorOr<bool> Event::is_signaled() const {
    auto observed = sys::wait_one(value(), abi::signals::signaled, abi::deadline_now);
    if (observed.is_error()) {
        if (observed.error() == base::Error::ShouldWait || observed.error() == base::Error::TimedOut) return false;
        return observed.error();
    }
    return (observed.value() & abi::signals::signaled) != 0;
}

}  // namespace poplar
