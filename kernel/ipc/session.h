#pragma once

// A protocol session whose handler may wait and may move handles: what ipc::serve (protocol.h)
// does for handlers that answer at once from the request's bytes, for handlers that are
// coroutines themselves and see the request's message.
//
//   struct Handler {
//       async::Task<base::ErrorOr<P::Response>> handle(const Request& request, ipc::Exchange& exchange);
//   };
//
// A handler takes the handles its request names out of the message (Exchange::take_handle) and
// hands the ones its reply carries to the exchange (add_reply_handle), in the order of the
// reply's handle fields. Its own error ends the session, as a request that does not decode does.
// A reply may borrow from the request, which lives until it is sent, but not from the handler's
// locals (those that no suspension spans may live on the stack of the poll that ran it).

#include <ipc/protocol.h>

namespace ipc {

class Exchange {
public:
    static constexpr usize max_reply_handles = 4;

    Exchange(Message& request, ResourceAccount* account) : request_(request), account_(account) {}

    // The request's handle that a decoded handle field holds (its value), moved out of the message:
    // empty for a value that names none.
    Handle take_handle(ptah::HandleValue value) {
        if (value == 0 || value > request_.handle_count()) return {};
        return base::move(request_.handles()[value - 1]);
    }

    // A handle for the reply; returns the value its handle field must hold. InvalidArgument once
    // max_reply_handles are there (the handle is closed).
    base::ErrorOr<ptah::HandleValue> add_reply_handle(Handle handle) {
        if (reply_handle_count_ == max_reply_handles) return base::Error::InvalidArgument;
        reply_handles_[reply_handle_count_] = base::move(handle);
        return handle_value_of(reply_handle_count_++);
    }

    // The reply's message, charged to the client's account.
    template <typename Response>
    base::ErrorOr<MessagePointer> encode_reply(const Response& reply) {
        if (reply_handle_count_ == 0) return encode_message(reply);
        return encode_message(reply, base::Span<Handle>(reply_handles_, reply_handle_count_), account_);
    }

private:
    Message& request_;
    ResourceAccount* account_;
    Handle reply_handles_[max_reply_handles];
    u32 reply_handle_count_ = 0;
};

// Serves protocol P on `channel` with a coroutine handler, one request at a time, until the peer
// closes (ok) or the job is cancelled; replies are charged to `account`.
template <ptah::Protocol P, typename Handler>
async::Task<base::ErrorOr<void>> serve_with_waits(base::RefPtr<Channel> channel, Handler& handler,
                                                  ResourceAccount* account) {
    static_assert(!ptah::OneWayProtocol<P>, "a session answers each request");
    for (;;) {
        // One request per turn: a client that keeps the queue full cannot keep the executor.
        CO_TRY(co_await async::yield_now());
        auto request_message = co_await async::receive(channel);
        if (request_message.failed_with(base::Error::PeerClosed)) co_return base::ErrorOr<void>{};
        MessagePointer message = CO_TRY(base::move(request_message));
        BoundedAllocator allocator;
        auto request = decode_message<typename P::Request>(*message.get(), allocator);
        if (request.is_error()) co_return base::Error::MalformedMessage;
        Exchange exchange(*message.get(), account);
        async::Task<base::ErrorOr<typename P::Response>> pending;
        request.value().visit([&](const auto& alternative) { pending = handler.handle(alternative, exchange); });
        auto reply = CO_TRY(co_await base::move(pending));
        MessagePointer reply_message = CO_TRY(exchange.encode_reply(reply));
        CO_TRY(co_await async::send(channel, base::move(reply_message)));
    }
}

}  // namespace ipc
