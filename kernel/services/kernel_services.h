#pragma once

// The kernel's own services, entered in the service registry at boot (before any scenario or
// init runs): kernel.log (LogService), kernel.time (TimeService) and kernel.tasks (TasksService).

namespace services {

void register_kernel_services();

}  // namespace services
