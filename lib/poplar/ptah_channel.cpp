#include <poplar/ptah_channel.h>

namespace poplar {

namespace {

// The values to send (the caller's handles keep them until the kernel has taken them).
bool values_of(base::Span<const ptah::TransferredHandle> handles, HandleValue* values) {
    if (handles.size() > abi::max_message_handles) return false;
    for (usize i = 0; i < handles.size(); ++i) values[i] = handles[i].value;
    return true;
}

}  // namespace

u64 PtahChannel::deadline() const {
    return timeout_ == abi::deadline_infinite ? abi::deadline_infinite : sys::deadline_after(timeout_);
}

base::ErrorOr<void> PtahChannel::send(base::ReadonlyBytes bytes, base::Span<const ptah::TransferredHandle> handles) {
    HandleValue values[abi::max_message_handles];
    if (!values_of(handles, values)) return base::Error::InvalidArgument;
    TRY(sys::channel_send(channel_.value(), bytes.data(), bytes.size(), values, handles.size(), reply_transaction_));
    reply_transaction_ = 0;
    return {};
}

base::ErrorOr<ptah::MessageSize> PtahChannel::receive(base::Bytes bytes, base::Span<ptah::TransferredHandle> handles) {
    HandleValue values[abi::max_message_handles];
    u64 capacity = base::min<u64>(handles.size(), abi::max_message_handles);
    auto sizes =
        TRY(sys::channel_receive(channel_.value(), bytes.data(), bytes.size(), values, capacity, deadline(), nullptr));
    tag_received_handles(values, sizes.handles, handles);
    reply_transaction_ = sizes.transaction;
    return ptah::MessageSize{sizes.bytes, sizes.handles};
}

base::ErrorOr<ptah::MessageSize> PtahChannel::call(base::ReadonlyBytes bytes,
                                                   base::Span<const ptah::TransferredHandle> handles, base::Bytes reply,
                                                   base::Span<ptah::TransferredHandle> reply_handles) {
    HandleValue send_values[abi::max_message_handles];
    HandleValue reply_values[abi::max_message_handles];
    if (!values_of(handles, send_values)) return base::Error::InvalidArgument;
    auto arguments =
        sys::call_arguments(bytes.data(), bytes.size(), send_values, handles.size(), reply.data(), reply.size(),
                            reply_values, base::min<u64>(reply_handles.size(), abi::max_message_handles));
    auto sizes = TRY(sys::channel_call(channel_.value(), arguments, deadline(), nullptr, nullptr));
    tag_received_handles(reply_values, sizes.handles, reply_handles);
    return ptah::MessageSize{sizes.bytes, sizes.handles};
}

void tag_received_handles(const HandleValue* values, u64 count, base::Span<ptah::TransferredHandle> handles) {
    for (u64 i = 0; i < count; ++i) {
        auto info = sys::handle_info(values[i]);
        handles[i] = {values[i], info.is_ok() ? static_cast<ptah::ObjectTypeTag>(info.value().object_type) : 0};
    }
}

void close_handles(base::Span<const ptah::TransferredHandle> handles) {
    for (const auto& handle : handles) (void)sys::handle_close(handle.value);
}

}  // namespace poplar
