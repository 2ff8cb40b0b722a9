#pragma once

// Protocols spoken by kernel coroutines over kernel-held channel ends, on the same codec as user
// space's ptah::Server and ptah::Client (lib/ptah/protocol.h): one copy of the protocol logic for
// both sides. The kernel's end of a session is served by ipc::serve (ipc/session.h).

#include <async/executor.h>
#include <async/kernel_awaitables.h>
#include <ipc/ptah_message.h>
#include <ptah/protocol.h>

namespace ipc {

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
