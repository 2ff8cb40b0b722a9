#include <syscall/transfer.h>

base::ErrorOr<void> HandleTransfer::check(Task& owner, UserIn<HandleValue> values, u64 count,
                                          const KernelObject* carrier) {
    if (count > max_message_handles) return base::Error::InvalidArgument;
    TRY(values.read(values_, count));
    auto check_one = [&](usize i, const Handle& handle) -> base::ErrorOr<void> {
        if (!handle.has_rights(rights::transfer)) return base::Error::AccessDenied;
        if (carrier && handle.object().get() == carrier) return base::Error::InvalidArgument;
        passengers_[i] = handle.object().get();  // kept alive by the handle, until take_into
        for (usize j = 0; j < i; ++j)
            if (values_[j] == values_[i]) return base::Error::InvalidArgument;
        return {};
    };
    TRY(owner.handles().visit_each(base::Span<const HandleValue>(values_, count), check_one));
    count_ = count;
    return {};
}

void HandleTransfer::take_into(Task& owner, Handle* destination) {
    HandleTable& handles = owner.handles();
    for (u64 i = 0; i < count_; ++i) destination[i] = MUST(handles.take(values_[i]));
}
