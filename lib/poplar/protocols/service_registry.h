#pragma once

// The service registry, modelled on Poplar's service_host. A provider registers a name and gets back a
// channel on which the registry forwards each new subscriber as NewClient; a subscriber asks for a name
// and gets back its end of a fresh channel to the provider.
//
// Unlike Poplar, every request gets an answer: a missing name is NoSuchService (Poplar's service_host
// never replied), and a taken name is AlreadyRegistered (Poplar's kernel silently replaced it).
// Variant indices are wire format: append new alternatives, never reorder.

#include <base/string_view.h>
#include <poplar/abi/service_name.h>
#include <poplar/protocols/object_type.h>
#include <ptah/fields.h>
#include <ptah/handle.h>
#include <ptah/protocol.h>
#include <ptah/variant.h>

namespace poplar::protocols {

namespace service_registry {

using ChannelHandle = ptah::Handle<ObjectType::Channel>;

// Names follow the ABI's one rule (poplar/abi/service_name.h): dotted segments of [a-z0-9_-].
inline constexpr usize kMaxNameLength = poplar::abi::max_service_name_bytes;

constexpr bool is_valid_name(base::StringView name) { return poplar::abi::is_valid_service_name(name); }

// Requests, from any task to the registry.
struct RegisterService {
    base::StringView name;
    PTAH_FIELDS(name)
    bool operator==(const RegisterService&) const = default;
};
struct SubscribeService {
    base::StringView name;
    PTAH_FIELDS(name)
    bool operator==(const SubscribeService&) const = default;
};

// Responses.
struct ServiceRegistered {
    ChannelHandle new_clients;  // where NewClient messages for this service will arrive
    PTAH_FIELDS(new_clients)
    bool operator==(const ServiceRegistered&) const = default;
};
struct SubscribedToService {
    ChannelHandle channel;  // the subscriber's end of a channel to the provider
    PTAH_FIELDS(channel)
    bool operator==(const SubscribedToService&) const = default;
};
struct NoSuchService {
    bool operator==(const NoSuchService&) const = default;
};
struct AlreadyRegistered {
    bool operator==(const AlreadyRegistered&) const = default;
};
struct InvalidName {
    bool operator==(const InvalidName&) const = default;
};

// From the registry to a provider, on its new_clients channel (the kernel's registry sends these
// on the channel service_register returns).
struct NewClient {
    base::StringView name;         // the service subscribed to
    ChannelHandle channel;         // the provider's end of the channel to the new client
    u64 client_task_id = 0;        // the subscribing task's kernel object id
    base::StringView client_name;  // the subscribing task's name (its module's)
    PTAH_FIELDS(name, channel, client_task_id, client_name)
    bool operator==(const NewClient&) const = default;
};

}  // namespace service_registry

struct ServiceRegistry {
    static constexpr base::StringView name = "poplar.service_registry";
    using Request = ptah::Variant<service_registry::RegisterService, service_registry::SubscribeService>;
    using Response = ptah::Variant<service_registry::ServiceRegistered, service_registry::SubscribedToService,
                                   service_registry::NoSuchService, service_registry::AlreadyRegistered,
                                   service_registry::InvalidName>;
};

// One-way: the registry tells a provider about its new clients.
struct ServiceProvider {
    static constexpr base::StringView name = "poplar.service_provider";
    using Request = ptah::Variant<service_registry::NewClient>;
    using Response = ptah::NoReply;
};

}  // namespace poplar::protocols
