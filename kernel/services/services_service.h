#pragma once

// kernel.services: the service registry's listing and watch, for user tasks (docs/services.md,
// "Discovery"; the protocol is poplar/protocols/kernel_services.h). Each session is a coroutine on
// the client's work queue; a Watch with nothing new blocks it (no polling) until the registry
// changes, the client closes its end, or the job is cancelled with the client.

#include <services/kernel_service.h>

namespace services {

class ServicesService final : public KernelService {
public:
    static constexpr ServiceType service_type{"services"};

    static base::ErrorOr<base::RefPtr<ServicesService>> create();

    base::ErrorOr<base::RefPtr<Channel>> open_session(Task& client) override;

private:
    ServicesService() : KernelService(service_type) {}
};

}  // namespace services
