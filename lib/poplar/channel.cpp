#include <poplar/channel.h>

namespace poplar {

namespace {

// Handle values for the kernel, from owned handles (which keep them until the call succeeds).
bool collect(base::Span<Handle> handles, HandleValue* values) {
    if (handles.size() > abi::max_message_handles) return false;
    for (usize i = 0; i < handles.size(); ++i) values[i] = handles[i].value();
    return true;
}

void release_all(base::Span<Handle> handles) {
    for (auto& handle : handles) (void)handle.release();
}

void adopt_all(base::Span<Handle> handles, const HandleValue* values, u64 count) {
    for (u64 i = 0; i < count; ++i) handles[i].reset(values[i]);
}

}  // namespace

base::ErrorOr<Channel::Pair> Channel::create() {
    auto pair = TRY(sys::channel_create());
    return Pair{Channel(pair.first), Channel(pair.second)};
}

base::ErrorOr<void> Channel::send(base::ReadonlyBytes bytes, base::Span<Handle> handles, u64 transaction) const {
    HandleValue values[abi::max_message_handles];
    if (!collect(handles, values)) return base::Error::InvalidArgument;
    TRY(sys::channel_send(value(), bytes.data(), bytes.size(), values, handles.size(), transaction));
    release_all(handles);
    return {};
}

base::ErrorOr<MessageSizes> Channel::receive(base::Bytes bytes, base::Span<Handle> handles, u64 deadline,
                                             MessageSizes* needed) const {
    HandleValue values[abi::max_message_handles];
    u64 capacity = base::min<u64>(handles.size(), abi::max_message_handles);
    auto sizes = TRY(sys::channel_receive(value(), bytes.data(), bytes.size(), values, capacity, deadline, needed));
    adopt_all(handles, values, sizes.handles);
    return sizes;
}

base::ErrorOr<MessageSizes> Channel::reply_and_receive(const MessageSizes& request, base::ReadonlyBytes bytes,
                                                       base::Span<Handle> handles, base::Bytes next,
                                                       base::Span<Handle> next_handles, u64 deadline) const {
    HandleValue send_values[abi::max_message_handles];
    HandleValue next_values[abi::max_message_handles];
    if (!collect(handles, send_values)) return base::Error::InvalidArgument;
    auto arguments =
        sys::call_arguments(bytes.data(), bytes.size(), send_values, handles.size(), next.data(), next.size(),
                            next_values, base::min<u64>(next_handles.size(), abi::max_message_handles));
    bool reply_sent = false;
    auto result = sys::channel_reply_receive(value(), arguments, deadline, request.transaction, nullptr, &reply_sent);
    if (result.is_error()) {
        if (reply_sent) release_all(handles);
        return result.error();
    }
    release_all(handles);
    adopt_all(next_handles, next_values, result.value().handles);
    return result.release_value();
}

base::ErrorOr<MessageSizes> Channel::call(base::ReadonlyBytes bytes, base::Span<Handle> handles, base::Bytes reply,
                                          base::Span<Handle> reply_handles, u64 deadline) const {
    HandleValue send_values[abi::max_message_handles];
    HandleValue reply_values[abi::max_message_handles];
    if (!collect(handles, send_values)) return base::Error::InvalidArgument;
    auto arguments =
        sys::call_arguments(bytes.data(), bytes.size(), send_values, handles.size(), reply.data(), reply.size(),
                            reply_values, base::min<u64>(reply_handles.size(), abi::max_message_handles));
    bool request_sent = false;
    auto result = sys::channel_call(value(), arguments, deadline, nullptr, &request_sent);
    if (result.is_error()) {
        if (request_sent) release_all(handles);  // they went with the request
        return result.error();
    }
    release_all(handles);
    adopt_all(reply_handles, reply_values, result.value().handles);
    return result.release_value();
}

}  // namespace poplar
