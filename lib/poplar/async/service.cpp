#include <poplar/async/service.h>

namespace poplar::async::detail {

base::ErrorOr<usize> handle_values(base::Span<const ptah::TransferredHandle> handles, HandleValue* values) {
    if (handles.size() > abi::max_message_handles) return base::Error::InvalidArgument;
    for (usize i = 0; i < handles.size(); ++i) values[i] = handles[i].value;
    return handles.size();
}

Task<base::ErrorOr<void>> send_message(const Channel& channel, base::ReadonlyBytes bytes,
                                       base::Span<const ptah::TransferredHandle> handles, u64 transaction,
                                       u64 deadline) {
    HandleValue values[abi::max_message_handles];
    usize count = CO_TRY(handle_values(handles, values));
    for (;;) {
        auto sent = co_await send(channel, bytes, base::Span<const HandleValue>(values, count), transaction);
        if (!sent.failed_with(base::Error::ShouldWait)) co_return sent;
        // The peer's queue is full: wait for room (or for the peer to go).
        CO_TRY(co_await wait(channel, abi::signals::writable | abi::signals::peer_closed, deadline));
    }
}

}  // namespace poplar::async::detail
