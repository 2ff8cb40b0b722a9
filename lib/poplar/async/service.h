#pragma once

// Services on the coroutine runtime (docs/user-runtime.md): a client whose calls are awaited, and
// a host where one task serves many clients at once, each client a job of its own, so a slow
// request holds up only its own client.
//
//   // A provider: handle() may return the Response (or ErrorOr of it) or a Task of ErrorOr of it.
//   auto host = TRY(async::ServiceHost<protocols::KeyValue, Store>::create("demo.kv", store));
//   TRY(executor.block_on(host.serve()));
//
//   // A client, from a job:
//   auto kv = CO_TRY(co_await async::ServiceClient<protocols::KeyValue>::subscribe("demo.kv", deadline));
//   auto reply = CO_TRY(co_await kv.call(kv::Get{"colour"}));
//
// As with the synchronous ServiceHost (poplar/service.h), a client that sends a request that does
// not decode is dropped (it sees peer_closed), and at most MaxClients are served at once: more
// wait in the registration's queue until one leaves.

#include <poplar/async/executor.h>
#include <poplar/async/operations.h>
#include <poplar/ptah_channel.h>
#include <poplar/service.h>
#include <ptah/protocol.h>

namespace poplar::async {

// One message's bytes and handles, as received or about to be sent.
template <usize Capacity>
struct Message {
    u8 bytes[Capacity];
    HandleValue values[abi::max_message_handles];
    ptah::TransferredHandle handles[abi::max_message_handles];
    MessageSizes sizes;
    u64 transaction = 0;  // a received request's: its reply carries it

    base::ReadonlyBytes received_bytes() const { return {bytes, sizes.bytes}; }
    base::Span<const ptah::TransferredHandle> received_handles() const { return {handles, sizes.handles}; }
};

namespace detail {

// Sends `bytes` and the handles of `handles` (given up on success) with `transaction` (the call it
// answers, or 0), waiting for room in the peer's queue if it is full.
Task<base::ErrorOr<void>> send_message(const Channel& channel, base::ReadonlyBytes bytes,
                                       base::Span<const ptah::TransferredHandle> handles, u64 transaction,
                                       u64 deadline);

// The handle values of `handles`, for a system call (InvalidArgument past the limit).
base::ErrorOr<usize> handle_values(base::Span<const ptah::TransferredHandle> handles, HandleValue* values);

}  // namespace detail

// Receives the next message on `channel` into `message` (its handles tagged with their types),
// waiting until `deadline`.
template <usize Capacity>
Task<base::ErrorOr<void>> receive_message(const Channel& channel, Message<Capacity>& message, u64 deadline) {
    auto received =
        CO_TRY(co_await receive(channel, base::Bytes(message.bytes, Capacity),
                                base::Span<HandleValue>(message.values, abi::max_message_handles), deadline));
    message.sizes = received.sizes;
    message.transaction = received.transaction;
    tag_received_handles(message.values, message.sizes.handles,
                         base::Span<ptah::TransferredHandle>(message.handles, abi::max_message_handles));
    co_return {};
}

template <ptah::Protocol P, usize Capacity = ptah::kDefaultMessageCapacity>
class ServiceClient {
public:
    using Request = typename P::Request;
    using Response = typename P::Response;

    // Subscribes to `name`, waiting for a provider until `deadline` (on the ring: the job waits,
    // the others run).
    static Task<base::ErrorOr<ServiceClient>> subscribe(base::StringView name, u64 deadline) {
        auto channel = CO_TRY(co_await async::subscribe(name, deadline));
        co_return ServiceClient(base::move(channel));
    }

    explicit ServiceClient(Channel channel) : channel_(base::move(channel)) {}
    ServiceClient(ServiceClient&& other) : channel_(base::move(other.channel_)) {}

    // Sends `request` and awaits its reply until `deadline`. One call at a time: a second call
    // from another job waits for the first to finish. The reply may borrow from this client:
    // use it before the next call.
    Task<base::ErrorOr<Response>> call(const Request& request,
                                       u64 deadline = abi::deadline_infinite) requires(!ptah::OneWayProtocol<P>) {
        while (busy_) CO_TRY(co_await turn_.wait());
        Turn turn(*this);
        ptah::HandleList handles;
        auto size = CO_TRY(ptah::to_system_result(ptah::encode(request, base::Bytes(message_.bytes), handles)));
        // A ring call: the reply is the one carrying this request's transaction, never a late
        // reply to an earlier call that gave up (that one is queued as an ordinary message).
        HandleValue values[abi::max_message_handles];
        usize count = CO_TRY(detail::handle_values(handles.view(), values));
        for (;;) {
            Call operation(channel_.value(), base::ReadonlyBytes(message_.bytes, size.bytes),
                           base::Span<const HandleValue>(values, count), base::Bytes(message_.bytes),
                           base::Span<HandleValue>(message_.values, abi::max_message_handles), deadline);
            auto sizes = co_await operation;
            if (sizes.is_ok()) {
                message_.sizes = sizes.value();
                break;
            }
            if (!sizes.failed_with(base::Error::ShouldWait) || operation.request_sent()) co_return sizes.error();
            // The peer's queue is full: wait for room (or for the peer to go), then send again.
            CO_TRY(co_await wait(channel_, abi::signals::writable | abi::signals::peer_closed, deadline));
        }
        tag_received_handles(message_.values, message_.sizes.handles,
                             base::Span<ptah::TransferredHandle>(message_.handles, abi::max_message_handles));
        auto reply = ptah::decode<Response>(message_.received_bytes(), message_.received_handles(), {});
        if (reply.is_error()) close_handles(message_.received_handles());
        co_return ptah::to_system_result(base::move(reply));
    }

    const Channel& channel() const { return channel_; }

private:
    struct Turn {
        ServiceClient& client;
        explicit Turn(ServiceClient& client) : client(client) { client.busy_ = true; }
        ~Turn() {
            client.busy_ = false;
            client.turn_.notify_one();
        }
    };

    Channel channel_;
    bool busy_ = false;
    WaitQueue turn_;
    Message<Capacity> message_;
};

template <ptah::Protocol P, typename Handler, usize MaxClients = 32, usize Capacity = ptah::kDefaultMessageCapacity>
class ServiceHost {
public:
    static base::ErrorOr<ServiceHost> create(base::StringView name, Handler& handler,
                                             HandleValue scope = service_scope()) {
        return ServiceHost(TRY(ServiceRegistration::create(name, scope)), handler);
    }
    ServiceHost(ServiceRegistration registration, Handler& handler)
        : registration_(base::move(registration)), handler_(handler) {}
    ServiceHost(ServiceHost&& other) : registration_(base::move(other.registration_)), handler_(other.handler_) {}

    // Accepts clients and serves each in a job of its own until cancelled (or the registration
    // fails); then cancels every client's job and waits for them before it returns.
    Task<base::ErrorOr<void>> serve() {
        auto accepted = co_await accept_clients();
        clients_.cancel_members();
        co_await clients_.until_all();
        co_return accepted;
    }

    usize client_count() const { return client_count_; }
    ServiceRegistration& registration() { return registration_; }

private:
    Task<base::ErrorOr<void>> accept_clients() {
        for (;;) {
            while (client_count_ >= MaxClients) CO_TRY(co_await room_.wait());
            CO_TRY(co_await wait(registration_.channel(), abi::signals::readable));
            auto client = registration_.accept(abi::deadline_now);
            if (client.is_error()) continue;  // not a NewClient (its handles are closed), or gone
            auto job = current_loop().spawn(serve_client(client.release_value()), &clients_);
            if (job.is_ok()) ++client_count_;  // else: no memory for it; its channel closed
        }
    }

    // One client's requests in turn, until it leaves, sends garbage or this job is cancelled.
    Task<base::ErrorOr<void>> serve_client(NewClient client) {
        struct Leaving {
            ServiceHost& host;
            ~Leaving() {
                --host.client_count_;
                host.room_.notify_one();
            }
        } leaving{*this};
        Message<Capacity> request;
        u8 reply_bytes[Capacity];
        for (;;) {
            CO_TRY(co_await receive_message(client.channel, request, abi::deadline_infinite));
            auto decoded = ptah::decode<typename P::Request>(request.received_bytes(), request.received_handles(), {});
            if (decoded.is_error()) {
                close_handles(request.received_handles());
                co_return base::Error::MalformedMessage;
            }
            auto reply = co_await answer(decoded.value());
            if constexpr (!ptah::OneWayProtocol<P>) {
                if (reply.is_error()) co_return reply.error();
                ptah::HandleList handles;
                auto size =
                    CO_TRY(ptah::to_system_result(ptah::encode(reply.value(), base::Bytes(reply_bytes), handles)));
                CO_TRY(co_await detail::send_message(client.channel, base::ReadonlyBytes(reply_bytes, size.bytes),
                                                     handles.view(), request.transaction, abi::deadline_infinite));
            }
        }
    }

    // The handler's answer to one request: at once, or awaited when handle() returns a Task.
    Task<base::ErrorOr<typename P::Response>> answer(const typename P::Request& request) {
        using Response = typename P::Response;
        base::ErrorOr<Response> reply = base::Error::Internal;  // every alternative assigns it
        Task<base::ErrorOr<Response>> pending;
        bool awaiting = false;
        request.visit([&](const auto& alternative) {
            using Returned = decltype(handler_.handle(alternative));
            if constexpr (std::is_same_v<Returned, Task<base::ErrorOr<Response>>>) {
                pending = handler_.handle(alternative);
                awaiting = true;
            } else {
                reply = ptah::detail::reply_of<Response>(handler_, alternative);
            }
        });
        if (awaiting) reply = co_await pending;
        co_return reply;
    }

    ServiceRegistration registration_;
    Handler& handler_;
    Group clients_;
    usize client_count_ = 0;
    WaitQueue room_;
};

}  // namespace poplar::async
