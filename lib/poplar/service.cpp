#include <poplar/service.h>

namespace poplar {

namespace {

namespace registry = protocols::service_registry;

}  // namespace

base::ErrorOr<Channel> subscribe(base::StringView name, u64 deadline) {
    return Channel(TRY(sys::service_subscribe(name.data(), name.length(), deadline)));
}

base::ErrorOr<Channel> register_service(base::StringView name, HandleValue scope) {
    return Channel(TRY(sys::service_register(scope, name.data(), name.length())));
}

base::ErrorOr<ServiceRegistration> ServiceRegistration::create(base::StringView name, HandleValue scope) {
    return ServiceRegistration(TRY(register_service(name, scope)));
}

base::ErrorOr<NewClient> accept_client(const Channel& registration, u64 deadline) {
    PtahChannel transport(registration, 0);
    ptah::MessageBuffer<512> message;
    // The deadline is absolute: wait for it here, then take the message without waiting.
    TRY(registration.wait(abi::signals::readable | abi::signals::peer_closed, deadline));
    TRY(message.receive_from(transport));
    auto decoded = message.decode<protocols::ServiceProvider::Request>({});
    if (decoded.is_error()) {
        close_handles(message.handles().view());
        return base::Error::MalformedMessage;
    }
    const auto& new_client = decoded.value().get<registry::NewClient>();
    NewClient client;
    client.channel = Channel(new_client.channel.value);
    client.task_id = new_client.client_task_id;
    usize length = base::min(new_client.client_name.length(), sizeof(client.name) - 1);
    __builtin_memcpy(client.name, new_client.client_name.data(), length);
    return client;
}

}  // namespace poplar
