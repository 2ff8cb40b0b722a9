#pragma once

// kernel.tasks from user space (docs/services.md): the tasks a client started, directly or
// through its children, and their exits. A session is served by a kernel coroutine on the client's
// own work queue, like kernel.log's.
//
// A client sees its own subtree of the spawn tree: itself and the tasks it spawned, theirs, and so
// on. That is what it could reach already (each of those was started by a handle it or a
// descendant held), so the service grants no ambient authority; init, the root, sees every task.
//
// - List{after_id} answers a Page of the live tasks of the subtree with ids above after_id, in id
//   order, at most max_page_entries, with `more` set if there are others beyond it. Ask again from
//   the last id to page on. The page also gives the exit log's newest sequence, to watch from.
// - Spawn{module, arguments} starts a boot module as the client's child, exactly as task_spawn:
//   its weight limit is the client's (it gets no start handles, so no service scope), it counts against the client's
//   quota of children, and the reply Spawned carries a handle to it with the rights task_spawn gives. `arguments` (at
//   most max_arguments_bytes) is its StartInfo's argument text.
// - Kill{task} kills the task the message's handle names, exactly as task_kill: the handle must be
//   a task's, with the `manage` right (a handle without it is refused: AccessDenied; a handle to
//   anything else: WrongType). Killed once the kill is requested.
// - WatchExits{after_sequence} waits until a task of the subtree has exited with a sequence above
//   after_sequence, then answers Exits: those exits (at most max_exits_per_reply) and up_to, the
//   sequence to watch from next. The kernel keeps a bounded log of recent exits: a client so far
//   behind that exits after its sequence were dropped gets Resync (List again, then watch from
//   the sequence it gives).
//
// Refusals are Refused{error}, a base::Error code as system calls return them: NotFound (no such
// module), InvalidArgument (a bad name, arguments too long, a sequence from the future),
// LimitReached (the client's quota), WrongType, AccessDenied, NoMemory. Nothing changes on a
// refusal. A message that does not decode ends the session (the client sees peer_closed). Variant
// indices are wire format: append new alternatives, never reorder.

#include <base/string_view.h>
#include <poplar/protocols/object_type.h>
#include <ptah/fields.h>
#include <ptah/handle.h>
#include <ptah/protocol.h>
#include <ptah/string.h>
#include <ptah/variant.h>
#include <ptah/vector.h>

namespace poplar::protocols {

namespace kernel_tasks {

inline constexpr usize max_page_entries = 16;
inline constexpr usize max_exits_per_reply = 16;
inline constexpr usize max_arguments_bytes = 255;  // StartInfo's argument text, less its terminator

enum class State : u8 { running = 1, exiting = 2 };

using TaskHandle = ptah::Handle<ObjectType::Task>;

// Requests.
struct List {
    u64 after_id = 0;
    PTAH_FIELDS(after_id)
    bool operator==(const List&) const = default;
};
struct Spawn {
    base::StringView module;
    base::StringView arguments;
    PTAH_FIELDS(module, arguments)
    bool operator==(const Spawn&) const = default;
};
struct Kill {
    ptah::AnyHandle task;  // checked by the kernel, so that a wrong handle is a refusal, not garbage
    PTAH_FIELDS(task)
    bool operator==(const Kill&) const = default;
};
struct WatchExits {
    u64 after_sequence = 0;
    PTAH_FIELDS(after_sequence)
    bool operator==(const WatchExits&) const = default;
};

// Responses.
struct TaskInfo {
    u64 id = 0;
    u64 parent_id = 0;    // 0 for a task without a live spawner
    ptah::String name;    // owned, as ExitInfo's: a reply borrows from nothing kernel-side
    u8 state = 0;         // a State
    i64 exit_status = 0;  // once exiting
    u64 user_nanoseconds = 0;
    u64 kernel_nanoseconds = 0;
    u64 kernel_work_nanoseconds = 0;  // the kernel's async work for it (its work queue)
    PTAH_FIELDS(id, parent_id, name, state, exit_status, user_nanoseconds, kernel_nanoseconds, kernel_work_nanoseconds)
    bool operator==(const TaskInfo&) const = default;
};
struct Page {
    ptah::Vector<TaskInfo> tasks;
    bool more = false;
    u64 exit_sequence = 0;  // the exit log's newest sequence when the page was taken
    PTAH_FIELDS(tasks, more, exit_sequence)
};
struct Spawned {
    TaskHandle task;
    PTAH_FIELDS(task)
    bool operator==(const Spawned&) const = default;
};
struct Killed {
    bool operator==(const Killed&) const = default;
};
struct ExitInfo {
    u64 sequence = 0;
    u64 id = 0;
    ptah::String name;
    i64 status = 0;
    PTAH_FIELDS(sequence, id, name, status)
    bool operator==(const ExitInfo&) const = default;
};
struct Exits {
    ptah::Vector<ExitInfo> exits;
    u64 up_to = 0;  // every exit up to this sequence has been looked at: watch from it next
    PTAH_FIELDS(exits, up_to)
};
struct Resync {
    u64 exit_sequence = 0;
    PTAH_FIELDS(exit_sequence)
    bool operator==(const Resync&) const = default;
};
struct Refused {
    u32 error = 0;  // a base::Error
    PTAH_FIELDS(error)
    bool operator==(const Refused&) const = default;
};

}  // namespace kernel_tasks

struct KernelTasks {
    static constexpr base::StringView name = "kernel.tasks";
    using Request =
        ptah::Variant<kernel_tasks::List, kernel_tasks::Spawn, kernel_tasks::Kill, kernel_tasks::WatchExits>;
    using Response = ptah::Variant<kernel_tasks::Page, kernel_tasks::Spawned, kernel_tasks::Killed, kernel_tasks::Exits,
                                   kernel_tasks::Resync, kernel_tasks::Refused>;
};

}  // namespace poplar::protocols
