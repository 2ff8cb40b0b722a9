#include <debug/panic.h>
#include <object/service_registry.h>
#include <services/console_service.h>
#include <services/kernel_services.h>
#include <services/log_service.h>
#include <services/services_service.h>
#include <services/tasks_service.h>
#include <services/time_service.h>

namespace services {

void register_kernel_services() {
    ServiceRegistry& registry = ServiceRegistry::the();
    auto entered = registry.add_kernel_service("kernel.time", MUST(TimeService::create()));
    if (entered.is_ok()) entered = registry.add_kernel_service("kernel.log", MUST(LogService::create()));
    if (entered.is_ok()) entered = registry.add_kernel_service("kernel.tasks", MUST(TasksService::create()));
    if (entered.is_ok()) entered = registry.add_kernel_service("kernel.services", MUST(ServicesService::create()));
    if (entered.is_ok()) entered = registry.add_kernel_service("kernel.console", MUST(ConsoleService::create()));
    if (entered.is_error()) panic("cannot register the kernel's services: {}", base::error_name(entered.error()));
}

}  // namespace services
