#pragma once

// kernel.console: the serial terminal for user tasks (docs/console.md; the protocol is
// poplar/protocols/kernel_console.h). Write puts bytes on the terminal; Read waits, as a
// coroutine on the client's work queue, for bytes typed on it (console/console_input.h, filled
// by the receive interrupt).

#include <services/kernel_service.h>

namespace services {

class ConsoleService final : public KernelService {
public:
    static constexpr ServiceType service_type{"console"};

    static base::ErrorOr<base::RefPtr<ConsoleService>> create();

    base::ErrorOr<base::RefPtr<Channel>> open_session(Task& client) override;

private:
    ConsoleService() : KernelService(service_type) {}
};

}  // namespace services
