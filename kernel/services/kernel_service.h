#pragma once

// A service the kernel provides to itself (docs/services.md). It is entered in the service
// registry under a `kernel.` name at boot and stays there; kernel code finds it by name with
// services::lookup<T> (services/lookup.h), which checks its type.
//
// A service a user task may use as well overrides open_session (kernel.log does).
//
// A service's type is named by the address of a tag that each concrete service declares:
//
//   class LogService final : public services::KernelService {
//   public:
//       static constexpr services::ServiceType service_type{"log"};
//       LogService() : KernelService(service_type) {}
//   };
//
// Not RTTI (the kernel is built without it) and not the ABI's ObjectType (which names what a
// handle can hold): an inline static member has one address in the whole kernel, so two types
// never share an identity, and comparing it is one load and one compare.

#include <base/ref_counted.h>
#include <base/result.h>
#include <object/channel.h>

class Task;

namespace services {

struct ServiceType {
    const char* name;  // for reports only; the identity is the address
};

class KernelService : public base::RefCounted<KernelService> {
public:
    virtual ~KernelService() = default;

    const ServiceType& type() const { return *type_; }
    template <typename T>
    bool is() const {
        return type_ == &T::service_type;
    }

    // A user task's session (service_subscribe): the client's end of a fresh channel whose other
    // end the service serves, as a job on `client`'s work queue (its work is charged to the
    // client, and ends with it). NotSupported for a service that has no user sessions.
    virtual base::ErrorOr<base::RefPtr<Channel>> open_session(Task& client) {
        (void)client;
        return base::Error::NotSupported;
    }

protected:
    explicit KernelService(const ServiceType& type) : type_(&type) {}

private:
    const ServiceType* type_;
};

// `service` as a T: WrongType unless it is one (its type identity is T's, checked before the
// cast).
template <typename T>
base::ErrorOr<base::RefPtr<T>> service_cast(base::RefPtr<KernelService> service) {
    if (!service->is<T>()) return base::Error::WrongType;
    return base::RefPtr<T>::adopt(static_cast<T*>(service.leak()));
}

}  // namespace services
