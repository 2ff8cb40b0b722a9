#include <poplar/handle.h>

namespace poplar {

void Handle::reset(HandleValue value) {
    HandleValue old = base::exchange(value_, value);
    // Closing can only fail for a value we do not own, which would be a bug elsewhere; there is
    // nothing useful to do about it here.
    if (old != abi::invalid_handle) (void)sys::handle_close(old);
}

base::ErrorOr<Handle> Handle::duplicate(u32 rights) const { return Handle(TRY(sys::handle_duplicate(value_, rights))); }

base::ErrorOr<void> Handle::replace(u32 rights) {
    value_ = TRY(sys::handle_replace(value_, rights));
    return {};
}

base::ErrorOr<abi::HandleInfo> Handle::info() const { return sys::handle_info(value_); }

base::ErrorOr<u32> Handle::wait(u32 wanted, u64 deadline) const { return sys::wait_one(value_, wanted, deadline); }

}  // namespace poplar
