#pragma once

// What every system-call handler sees: the raw arguments, the calling task, and a way to report
// a detail alongside an error (rdx), e.g. the sizes a too-small receive buffer needed.

#include <arch/user_copy.h>
#include <base/result.h>
#include <object/task.h>
#include <sched/scheduler.h>

using namespace poplar::abi;

struct SyscallArguments {
    const u64* argument;   // the six argument registers, in ABI order (in the entry's frame)
    u64 error_detail = 0;  // returned in rdx when the call fails
};

using SyscallResult = base::ErrorOr<u64>;
using SyscallHandler = SyscallResult (*)(SyscallArguments&);

inline Task& current_task() { return *sched::current_thread().task(); }

// Copies a T from / to user memory.
template <typename T>
base::ErrorOr<T> copy_in(u64 address) {
    T value;
    TRY(arch::copy_from_user(&value, address, sizeof(T)));
    return value;
}

// No padding: padding bytes would carry whatever the kernel stack held there (kernel pointers).
template <typename T>
base::ErrorOr<void> copy_out(u64 address, const T& value) {
    static_assert(__has_unique_object_representations(T), "a padded struct would leak kernel stack bytes");
    return arch::copy_to_user(address, &value, sizeof(T));
}

// Blocks until `object` shows one of `wanted` signals or the deadline passes. Returns the
// signals seen. TimedOut (ShouldWait for a zero deadline) puts the signals in error_detail.
base::ErrorOr<u32> wait_for_signals(KernelObject& object, u32 wanted, u64 deadline, SyscallArguments& arguments);

// The handlers, one family per file.
#define DECLARE_SYSCALL(name) SyscallResult sys_##name(SyscallArguments&)
DECLARE_SYSCALL(debug_log);
DECLARE_SYSCALL(task_exit);
DECLARE_SYSCALL(yield);
DECLARE_SYSCALL(sleep);
DECLARE_SYSCALL(clock_read);
DECLARE_SYSCALL(handle_close);
DECLARE_SYSCALL(handle_duplicate);
DECLARE_SYSCALL(handle_info);
DECLARE_SYSCALL(handle_replace);
DECLARE_SYSCALL(memory_object_create);
DECLARE_SYSCALL(memory_object_map);
DECLARE_SYSCALL(memory_unmap);
DECLARE_SYSCALL(channel_create);
DECLARE_SYSCALL(channel_send);
DECLARE_SYSCALL(channel_receive);
DECLARE_SYSCALL(channel_call);
DECLARE_SYSCALL(event_create);
DECLARE_SYSCALL(event_signal);
DECLARE_SYSCALL(event_clear);
DECLARE_SYSCALL(wait_one);
DECLARE_SYSCALL(wait_many);
DECLARE_SYSCALL(task_spawn);
DECLARE_SYSCALL(task_kill);
DECLARE_SYSCALL(task_wait);
DECLARE_SYSCALL(task_cpu_time);
DECLARE_SYSCALL(debug_object_counts);
DECLARE_SYSCALL(debug_memory_usage);
DECLARE_SYSCALL(debug_kernel_work);
DECLARE_SYSCALL(debug_scheduler_statistics);
DECLARE_SYSCALL(task_set_weight);
#undef DECLARE_SYSCALL
