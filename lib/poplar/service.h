#pragma once

// Services from user space (docs/services.md): the client side (subscribe, then call in a
// protocol) and the provider side (register, then accept clients and serve them).
//
//   // A client:
//   auto kv = TRY(poplar::ServiceClient<protocols::KeyValue>::subscribe("demo.kv", deadline));
//   auto reply = TRY(kv.call(kv::Get{"colour"}));
//
//   // A provider (a handler with one handle() per request alternative, as ptah::Server wants):
//   auto host = TRY(poplar::ServiceHost<protocols::KeyValue, Store>::create("demo.kv", store));
//   for (;;) TRY(host.serve(abi::deadline_infinite));
//
// A host serves its clients one request at a time from one thread. A client that sends a
// request that does not decode is dropped (it sees peer_closed), as the kernel's services do.
// To serve clients at once (each a coroutine, a slow request holding up only its own client),
// use poplar::async::ServiceHost and ServiceClient (poplar/async/service.h, docs/user-runtime.md).

#include <base/string_view.h>
#include <poplar/channel.h>
#include <poplar/protocols/service_registry.h>
#include <poplar/ptah_channel.h>
#include <poplar/service_scope.h>
#include <ptah/protocol.h>

namespace poplar {

// The caller's end of a channel to the provider of `name`, waiting for a provider until
// `deadline` (deadline_now: NotFound at once if there is none).
base::ErrorOr<Channel> subscribe(base::StringView name, u64 deadline);

// One subscriber, as its NewClient told it: the provider's end of its channel and who it is.
struct NewClient {
    Channel channel;
    u64 task_id = 0;  // 0: the kernel
    char name[abi::max_name_bytes] = {};
    base::StringView client_name() const { return base::StringView(name); }
};

// Registers `name` with the scope handle `scope`: the registration channel, where each subscriber
// arrives as a NewClient.
base::ErrorOr<Channel> register_service(base::StringView name, HandleValue scope = service_scope());
// The next subscriber at `registration`, waiting until `deadline`. MalformedMessage for a message
// that is not a NewClient (its handles are closed).
base::ErrorOr<NewClient> accept_client(const Channel& registration, u64 deadline);

// A registered name: NewClient messages arrive on its channel.
class ServiceRegistration {
public:
    // Registers `name` with the scope handle `scope` (by default the one this task was started
    // with: poplar/service_scope.h).
    static base::ErrorOr<ServiceRegistration> create(base::StringView name, HandleValue scope = service_scope());

    base::ErrorOr<NewClient> accept(u64 deadline) const { return accept_client(channel_, deadline); }

    const Channel& channel() const { return channel_; }
    // Ends the registration: the name goes, and later subscribers wait for a new provider.
    void close() { channel_.reset(); }

private:
    explicit ServiceRegistration(Channel channel) : channel_(base::move(channel)) {}
    Channel channel_;
};

// A client of protocol P over its own channel, each call bounded by a timeout.
template <ptah::Protocol P>
class ServiceClient {
public:
    static base::ErrorOr<ServiceClient> subscribe(base::StringView name, u64 deadline,
                                                  u64 timeout = abi::deadline_infinite) {
        return ServiceClient(TRY(poplar::subscribe(name, deadline)), timeout);
    }
    ServiceClient(Channel channel, u64 timeout = abi::deadline_infinite)
        : channel_(base::move(channel)), transport_(channel_, timeout), client_(transport_) {}
    ServiceClient(ServiceClient&& other)
        : channel_(base::move(other.channel_)), transport_(channel_, other.timeout_), client_(transport_) {}

    // The reply borrows from this client: use it before the next call.
    base::ErrorOr<typename P::Response> call(const typename P::Request& request) { return client_.call(request); }
    base::ErrorOr<void> send(const typename P::Request& request) { return client_.send(request); }
    void set_timeout(u64 timeout) {
        timeout_ = timeout;
        transport_.set_timeout(timeout);
    }
    const Channel& channel() const { return channel_; }

private:
    Channel channel_;
    u64 timeout_ = abi::deadline_infinite;
    PtahChannel transport_;
    ptah::Client<P, PtahChannel> client_;
};

// Serves protocol P under a name to up to MaxClients clients at once; more wait in the
// registration's queue until one leaves.
template <ptah::Protocol P, typename Handler, usize MaxClients = 32>
class ServiceHost {
public:
    static base::ErrorOr<ServiceHost> create(base::StringView name, Handler& handler,
                                             HandleValue scope = service_scope()) {
        return ServiceHost(TRY(ServiceRegistration::create(name, scope)), handler);
    }
    ServiceHost(ServiceRegistration registration, Handler& handler)
        : registration_(base::move(registration)), server_(handler) {}

    // Waits until `deadline` for a new client or a request, and handles what arrived: accepts
    // clients, answers one request from each client that has one, drops clients that left or
    // sent garbage. TimedOut when nothing came.
    base::ErrorOr<void> serve(u64 deadline) {
        abi::WaitItem items[MaxClients + 1];
        for (usize i = 0; i < client_count_; ++i)
            items[i] = {clients_[i].channel.value(), abi::signals::readable | abi::signals::peer_closed, 0, 0};
        // New clients only while there is room for them.
        bool accepting = client_count_ < MaxClients;
        if (accepting) items[client_count_] = {registration_.channel().value(), abi::signals::readable, 0, 0};
        usize count = client_count_ + (accepting ? 1 : 0);
        TRY(sys::wait_many(items, count, deadline));
        bool new_client = accepting && (items[client_count_].observed & abi::signals::readable);
        // Back to front: dropping a client moves the last one into its place.
        for (usize i = client_count_; i > 0; --i)
            if (items[i - 1].observed & (abi::signals::readable | abi::signals::peer_closed)) serve_client(i - 1);
        if (new_client) {
            auto client = registration_.accept(abi::deadline_now);
            if (client.is_ok()) clients_[client_count_++] = client.release_value();
        }
        return {};
    }

    usize client_count() const { return client_count_; }
    // Who client `index` (0 .. client_count()) is.
    const NewClient& client(usize index) const { return clients_[index]; }
    ServiceRegistration& registration() { return registration_; }

private:
    void serve_client(usize index) {
        PtahChannel transport(clients_[index].channel, abi::deadline_now);
        auto served = server_.serve_one(transport);
        if (served.is_ok() || served.failed_with(base::Error::ShouldWait)) return;
        if (served.failed_with(base::Error::MalformedMessage)) close_handles(server_.last_request().handles().view());
        drop_client(index);
    }
    // Closes client `index`'s channel and moves the last client into its place.
    void drop_client(usize index) {
        NewClient dropped = base::move(clients_[index]);
        usize last = --client_count_;
        if (index != last) clients_[index] = base::move(clients_[last]);
    }

    ServiceRegistration registration_;
    ptah::Server<P, Handler> server_;
    NewClient clients_[MaxClients];
    usize client_count_ = 0;
};

}  // namespace poplar
