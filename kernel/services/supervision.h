#pragma once

// Kernel -> user: when a user task is killed by a fault, the kernel asks the supervisor service
// (`init.supervisor`, poplar/protocols/supervisor.h) what to do, and restarts the task or lets it
// go. The default, when there is no supervisor, it answers something that does not decode, does
// not answer within its deadline or goes away, or the task was restarted max_restarts times
// already: let it go. Every outcome is one kernel.log record about the task (docs/services.md).

#include <object/task.h>

namespace services {

// What the CPU said about a fault, and the status the task is killed with.
struct FaultReport {
    u8 vector = 0;
    u64 error_code = 0;
    u64 fault_address = 0;
    u64 instruction_pointer = 0;
    u64 stack_pointer = 0;
    i64 exit_status = 0;
    bool exited = false;  // ended itself with exit_status (task_exit), not by a fault
};

// Called on the faulting task's thread before it is killed: has the supervisor consulted once the
// task has ended, by a job on the kernel's work queue. Tasks without a spawner (init) are not
// supervised.
void supervise_fault(Task& task, const FaultReport& fault);

// Called on the task's thread as it ends itself with a status other than 0 (task_exit): the same,
// with TaskExited, but only while a supervisor is registered (an exit is common, a fault is not:
// without a supervisor nothing is done and nothing is logged).
void supervise_exit(Task& task, i64 status);

}  // namespace services
