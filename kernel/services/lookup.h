#pragma once

// How kernel code finds a kernel service: by its name in the service registry, checked against
// the type it expects.
//
//   auto log = TRY(services::lookup<LogService>("kernel.log"));
//
// NotFound when no kernel service has the name (a name a user task provides is not one);
// WrongType when the service there is not a T. The caller holds a reference: the service cannot
// go while it is used.

#include <object/service_registry.h>
#include <services/kernel_service.h>

namespace services {

template <typename T>
base::ErrorOr<base::RefPtr<T>> lookup(base::StringView name) {
    base::RefPtr<KernelService> service = ServiceRegistry::the().find_kernel_service(name);
    if (!service) return base::Error::NotFound;
    return service_cast<T>(base::move(service));
}

}  // namespace services
