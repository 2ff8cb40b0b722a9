#pragma once

// The supervisor: kernel -> user (docs/services.md). When a user task is killed by a fault, or
// exits with a status other than 0 (TaskExited; only while a supervisor is registered), the
// kernel subscribes to `init.supervisor` (as client 0, "kernel"), sends TaskFaulted and acts on
// the answer: Restart starts the task again from the same boot module with the same argument
// text, as a child of the same spawner, and then sends TaskRestarted carrying a handle to the new
// task (answered Noted); Release lets it go. With no supervisor, a reply that does not decode, no
// reply within reply_deadline, or a supervisor that goes away, the task is let go (the default),
// and so it is once it has been restarted max_restarts times. One session per fault: the kernel
// closes its end when it is done.
//
// Variant indices are wire format: append new alternatives, never reorder.

#include <base/string_view.h>
#include <poplar/protocols/object_type.h>
#include <ptah/fields.h>
#include <ptah/handle.h>
#include <ptah/protocol.h>
#include <ptah/variant.h>

namespace poplar::protocols {

namespace supervisor {

inline constexpr u64 reply_deadline_nanoseconds = 500'000'000;
inline constexpr u32 max_restarts = 3;

using TaskHandle = ptah::Handle<ObjectType::Task>;

struct TaskFaulted {
    u64 task_id = 0;             // the task's kernel object id (handle_info's object_id)
    base::StringView name;       // the task's name
    base::StringView module;     // the boot module it was started from
    base::StringView arguments;  // its start argument text (StartInfo::arguments)
    u8 vector = 0;               // the CPU exception
    u64 error_code = 0;          // as the CPU pushed it (0 for exceptions without one)
    u64 fault_address = 0;       // cr2 for a page fault, else 0
    u64 instruction_pointer = 0;
    u64 stack_pointer = 0;
    i64 exit_status = 0;  // what task_wait reports: -1000 - vector
    u32 restarts = 0;     // how often this program was restarted before this fault
    PTAH_FIELDS(task_id, name, module, arguments, vector, error_code, fault_address, instruction_pointer, stack_pointer,
                exit_status, restarts)
    bool operator==(const TaskFaulted&) const = default;
};

// After a Restart: the task that replaces `old_task_id` (rights: wait, read, manage, transfer,
// duplicate), so that the supervisor can wait for it.
struct TaskRestarted {
    u64 old_task_id = 0;
    TaskHandle task;
    PTAH_FIELDS(old_task_id, task)
    bool operator==(const TaskRestarted&) const = default;
};

// A task that ended itself with task_exit(status), status not 0.
struct TaskExited {
    u64 task_id = 0;
    base::StringView name;
    base::StringView module;
    base::StringView arguments;
    i64 exit_status = 0;
    u32 restarts = 0;
    PTAH_FIELDS(task_id, name, module, arguments, exit_status, restarts)
    bool operator==(const TaskExited&) const = default;
};

struct Restart {
    bool operator==(const Restart&) const = default;
};
struct Release {
    bool operator==(const Release&) const = default;
};
struct Noted {
    bool operator==(const Noted&) const = default;
};

}  // namespace supervisor

struct Supervisor {
    static constexpr base::StringView name = "init.supervisor";
    using Request = ptah::Variant<supervisor::TaskFaulted, supervisor::TaskRestarted, supervisor::TaskExited>;
    using Response = ptah::Variant<supervisor::Restart, supervisor::Release, supervisor::Noted>;
};

}  // namespace poplar::protocols
