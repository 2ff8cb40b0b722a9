#pragma once

// Tasks: a program from a boot module running in its own address space.

#include <base/span.h>
#include <base/string_view.h>
#include <poplar/handle.h>

namespace poplar {

class Task : public Handle {
public:
    Task() = default;
    explicit Task(HandleValue value) : Handle(value) {}

    // Starts the boot module `module`, moving `handles` to it (all of them, or none on failure).
    static base::ErrorOr<Task> spawn(base::StringView module, base::Span<Handle> handles = {});

    base::ErrorOr<void> kill() const { return sys::task_kill(value()); }
    // Waits for the task to end; returns its exit status.
    base::ErrorOr<i64> wait(u64 deadline = abi::deadline_infinite) const { return sys::task_wait(value(), deadline); }
    base::ErrorOr<abi::CpuTime> cpu_time() const { return sys::task_cpu_time(value()); }
    base::ErrorOr<void> set_weight(u64 weight) const { return sys::task_set_weight(value(), weight); }

    // The calling task's CPU time.
    static base::ErrorOr<abi::CpuTime> own_cpu_time() { return sys::task_cpu_time(abi::invalid_handle); }
};

}  // namespace poplar
