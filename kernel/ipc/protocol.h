#pragma once

// Protocols spoken by kernel coroutines over kernel-held channel ends, on the same dispatch as
// user space's ptah::Server and ptah::Client (lib/ptah/protocol.h): one copy of the protocol
// logic for both sides.

#include <async/executor.h>
#include <async/kernel_awaitables.h>
#include <ipc/ptah_message.h>
#include <ptah/protocol.h>

namespace ipc {

// Serves protocol P on `channel`, one request at a time, until the peer closes (then it returns
// ok) or the job is cancelled. A request that does not decode, or that the handler fails, ends the
// session (MalformedMessage, or the handler's error): the kernel's end is dropped with the job, so
// the client sees peer_closed at once instead of waiting for a reply that will not come.
template <ptah::Protocol P, typename Handler>
async::Task<base::ErrorOr<void>> serve(base::RefPtr<Channel> channel, Handler& handler) {
    for (;;) {
        // One request per turn: a client that keeps the queue full cannot keep the executor.
        CO_TRY(co_await async::yield_now());
        auto request_message = co_await async::receive(channel);
        if (request_message.failed_with(base::Error::PeerClosed)) co_return base::ErrorOr<void>{};
        MessagePointer message = CO_TRY(base::move(request_message));
        BoundedAllocator allocator;
        auto request = decode_message<typename P::Request>(*message.get(), allocator);
        if (request.is_error()) co_return base::Error::MalformedMessage;
        auto reply = ptah::dispatch<P>(request.value(), handler);
        if constexpr (!ptah::OneWayProtocol<P>) {
            CO_TRY(reply);
            MessagePointer reply_message = CO_TRY(encode_message(reply.value()));
            CO_TRY(co_await async::send(channel, base::move(reply_message)));
        } else {
            CO_TRY(reply);
        }
    }
}

// A reply and the message its value may borrow from.
template <typename Response>
struct Reply {
    MessagePointer message;
    Response value;
};

// Sends `request_message` (a P::Request, encoded with encode_message: the form with handles
// when it carries some) and decodes the reply, all before the deadline. MalformedMessage for a
// reply that does not decode.
template <ptah::Protocol P>
async::Task<base::ErrorOr<Reply<typename P::Response>>> call(base::RefPtr<Channel> channel,
                                                             MessagePointer request_message,
                                                             u64 deadline = async::no_deadline) {
    MessagePointer reply = CO_TRY(co_await async::call(base::move(channel), base::move(request_message), deadline));
    BoundedAllocator allocator(0);  // replies the kernel reads own no memory
    auto value = CO_TRY(decode_message<typename P::Response>(*reply.get(), allocator));
    co_return Reply<typename P::Response>{base::move(reply), base::move(value)};
}

// Sends `request` and decodes the reply, all before the deadline.
template <ptah::Protocol P>
async::Task<base::ErrorOr<Reply<typename P::Response>>> call(base::RefPtr<Channel> channel,
                                                             const typename P::Request& request,
                                                             u64 deadline = async::no_deadline) {
    MessagePointer request_message = CO_TRY(encode_message(request));
    co_return co_await call<P>(base::move(channel), base::move(request_message), deadline);
}

}  // namespace ipc
