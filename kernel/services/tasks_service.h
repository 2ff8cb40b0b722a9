#pragma once

// kernel.tasks: user tasks list the tasks below them in the spawn tree, spawn and kill tasks, and
// watch them exit, over KernelTasks (poplar/protocols/kernel_tasks.h). A session is served on the
// client's work queue; what a client may do through it is exactly what its system calls allow
// (task_spawn, task_kill), with the client's quotas and the handles it sends.

#include <services/kernel_service.h>

namespace services {

class TasksService final : public KernelService {
public:
    static constexpr ServiceType service_type{"tasks"};

    static base::ErrorOr<base::RefPtr<TasksService>> create();

    base::ErrorOr<base::RefPtr<Channel>> open_session(Task& client) override;

private:
    TasksService() : KernelService(service_type) {}
};

}  // namespace services
