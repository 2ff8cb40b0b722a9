#pragma once

// Starting a task from a boot module, in two steps so that a caller moving handles into the new
// task can do so only once nothing can fail any more: `prepare` does everything fallible (load
// the image, map the stack, allocate the thread, reserve handle slots); `start` moves the handles
// in and runs the thread, and cannot fail.

#include <base/span.h>
#include <base/string_view.h>
#include <object/handle.h>
#include <object/task.h>

namespace loader {

struct PreparedTask {
    base::RefPtr<Task> task;
    base::RefPtr<Thread> thread;
    base::RefPtr<MemoryObject> stack;
    u64 start_info_offset = 0;  // within the stack object
};

base::ErrorOr<PreparedTask> prepare(base::StringView module_name, usize handle_count);

// Moves `initial_handles` (at most the count given to prepare) into the task and starts it.
// `restarts`: how often this program was started again after a fault (supervision).
base::RefPtr<Task> start(PreparedTask&& prepared, base::Span<Handle> initial_handles, base::StringView arguments,
                         u32 restarts = 0);

}  // namespace loader
