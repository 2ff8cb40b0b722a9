#pragma once

// System calls from user space: `raw` issues any call with any values (tests use it for garbage),
// and one typed wrapper per call in lib/poplar/abi/syscalls.h turns the status into an ErrorOr.
// docs/syscalls.md describes each call.

#include <base/error.h>
#include <base/result.h>
#include <base/types.h>
#include <poplar/abi/syscalls.h>

namespace poplar::sys {

using abi::HandleValue;
using abi::Syscall;

// What comes back from the kernel: rax and rdx.
struct RawResult {
    u64 status;
    u64 value;

    bool is_ok() const { return status == 0; }
    base::Error error() const { return static_cast<base::Error>(status); }
    // As a Result: the status as an error, or the second value.
    base::ErrorOr<u64> result() const {
        if (!is_ok()) return error();
        return value;
    }
};

inline RawResult raw(u64 number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0) {
    // The ABI preserves the argument registers, but claiming them as outputs costs nothing and
    // keeps a kernel bug from corrupting our state in a way that is hard to trace.
    register u64 r10 asm("r10") = a3;
    register u64 r8 asm("r8") = a4;
    register u64 r9 asm("r9") = a5;
    u64 rax = number;
    u64 rdx = a2;
    asm volatile("syscall"
                 : "+a"(rax), "+d"(rdx), "+D"(a0), "+S"(a1), "+r"(r10), "+r"(r8), "+r"(r9)
                 :
                 : "rcx", "r11", "memory");
    return RawResult{rax, rdx};
}

inline RawResult raw(Syscall call, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0) {
    return raw(static_cast<u64>(call), a0, a1, a2, a3, a4, a5);
}

// For passing pointers and handles to `raw`.
template <typename T>
inline u64 arg(T* pointer) {
    return reinterpret_cast<uptr>(pointer);
}

namespace detail {

inline base::ErrorOr<void> to_void(RawResult result) {
    if (!result.is_ok()) return result.error();
    return {};
}

inline base::ErrorOr<u64> to_value(RawResult result) {
    if (!result.is_ok()) return result.error();
    return result.value;
}

inline base::ErrorOr<HandleValue> to_handle(RawResult result) {
    if (!result.is_ok()) return result.error();
    return static_cast<HandleValue>(result.value);
}

}  // namespace detail

// The sizes of a received message (channel_receive, channel_call).
struct MessageSizes {
    u64 bytes = 0;
    u64 handles = 0;

    static MessageSizes unpack(u64 packed) {
        return MessageSizes{abi::message_bytes_of(packed), abi::message_handles_of(packed)};
    }
};

inline base::ErrorOr<void> debug_log(const char* text, usize length) {
    return detail::to_void(raw(Syscall::debug_log, arg(text), length));
}

[[noreturn]] inline void task_exit(i64 status) {
    raw(Syscall::task_exit, static_cast<u64>(status));
    __builtin_trap();
}

inline base::ErrorOr<void> yield() { return detail::to_void(raw(Syscall::yield)); }

inline base::ErrorOr<void> sleep(u64 deadline) { return detail::to_void(raw(Syscall::sleep, deadline)); }

// Monotonic nanoseconds. Never fails.
inline u64 clock_read() { return raw(Syscall::clock_read).value; }

inline base::ErrorOr<void> handle_close(HandleValue handle) {
    return detail::to_void(raw(Syscall::handle_close, handle));
}

inline base::ErrorOr<HandleValue> handle_duplicate(HandleValue handle, u32 rights) {
    return detail::to_handle(raw(Syscall::handle_duplicate, handle, rights));
}

inline base::ErrorOr<HandleValue> handle_replace(HandleValue handle, u32 rights) {
    return detail::to_handle(raw(Syscall::handle_replace, handle, rights));
}

inline base::ErrorOr<abi::HandleInfo> handle_info(HandleValue handle) {
    abi::HandleInfo info{};
    auto result = raw(Syscall::handle_info, handle, arg(&info));
    if (!result.is_ok()) return result.error();
    return info;
}

inline base::ErrorOr<HandleValue> memory_object_create(u64 size, u32 flags) {
    return detail::to_handle(raw(Syscall::memory_object_create, size, flags));
}

// `address` 0 lets the kernel choose. Returns the mapping's address.
inline base::ErrorOr<u64> memory_object_map(HandleValue handle, u64 address, u32 flags) {
    return detail::to_value(raw(Syscall::memory_object_map, handle, address, flags));
}

inline base::ErrorOr<void> memory_unmap(u64 address, u64 length) {
    return detail::to_void(raw(Syscall::memory_unmap, address, length));
}

struct ChannelPair {
    HandleValue first;
    HandleValue second;
};

inline base::ErrorOr<ChannelPair> channel_create() {
    HandleValue values[2] = {};
    auto result = raw(Syscall::channel_create, arg(values));
    if (!result.is_ok()) return result.error();
    return ChannelPair{values[0], values[1]};
}

inline base::ErrorOr<void> channel_send(HandleValue channel, const void* bytes, u64 byte_count,
                                        const HandleValue* handles, u64 handle_count) {
    return detail::to_void(raw(Syscall::channel_send, channel, arg(bytes), byte_count, arg(handles), handle_count));
}

// On BufferTooSmall, `needed` (when given) receives the sizes of the waiting message.
inline base::ErrorOr<MessageSizes> channel_receive(HandleValue channel, void* bytes, u64 byte_capacity,
                                                   HandleValue* handles, u64 handle_capacity, u64 deadline,
                                                   MessageSizes* needed = nullptr) {
    auto result =
        raw(Syscall::channel_receive, channel, arg(bytes), byte_capacity, arg(handles), handle_capacity, deadline);
    if (!result.is_ok()) {
        if (needed && result.error() == base::Error::BufferTooSmall) *needed = MessageSizes::unpack(result.value);
        return result.error();
    }
    return MessageSizes::unpack(result.value);
}

// On failure, `request_sent` (when given) says whether the request went out (its handles moved)
// before the reply failed.
inline base::ErrorOr<MessageSizes> channel_call(HandleValue channel, const abi::ChannelCallArguments& arguments,
                                                u64 deadline, MessageSizes* needed = nullptr,
                                                bool* request_sent = nullptr) {
    auto result = raw(Syscall::channel_call, channel, arg(&arguments), deadline);
    if (!result.is_ok()) {
        if (request_sent) *request_sent = result.value & abi::call_request_sent;
        u64 detail = result.value & ~abi::call_request_sent;
        if (needed && result.error() == base::Error::BufferTooSmall) *needed = MessageSizes::unpack(detail);
        return result.error();
    }
    return MessageSizes::unpack(result.value);
}

inline base::ErrorOr<HandleValue> event_create() { return detail::to_handle(raw(Syscall::event_create)); }

inline base::ErrorOr<void> event_signal(HandleValue event) {
    return detail::to_void(raw(Syscall::event_signal, event));
}

inline base::ErrorOr<void> event_clear(HandleValue event) { return detail::to_void(raw(Syscall::event_clear, event)); }

// Returns the signals observed when the wait ended.
inline base::ErrorOr<u32> wait_one(HandleValue handle, u32 wanted, u64 deadline) {
    auto result = raw(Syscall::wait_one, handle, wanted, deadline);
    if (!result.is_ok()) return result.error();
    return static_cast<u32>(result.value);
}

// Returns the index of the first satisfied item; every item's `observed` is written.
inline base::ErrorOr<u64> wait_many(abi::WaitItem* items, u64 count, u64 deadline) {
    return detail::to_value(raw(Syscall::wait_many, arg(items), count, deadline));
}

inline base::ErrorOr<HandleValue> task_spawn(const char* module, u64 module_length, const HandleValue* handles,
                                             u64 handle_count) {
    return detail::to_handle(raw(Syscall::task_spawn, arg(module), module_length, arg(handles), handle_count));
}

inline base::ErrorOr<void> task_kill(HandleValue task) { return detail::to_void(raw(Syscall::task_kill, task)); }

// Returns the task's exit status.
inline base::ErrorOr<i64> task_wait(HandleValue task, u64 deadline) {
    auto result = raw(Syscall::task_wait, task, deadline);
    if (!result.is_ok()) return result.error();
    return static_cast<i64>(result.value);
}

// `task` 0 names the caller.
inline base::ErrorOr<abi::CpuTime> task_cpu_time(HandleValue task) {
    abi::CpuTime time{};
    auto result = raw(Syscall::task_cpu_time, task, arg(&time));
    if (!result.is_ok()) return result.error();
    return time;
}

inline base::ErrorOr<abi::ObjectCounts> debug_object_counts() {
    abi::ObjectCounts counts{};
    auto result = raw(Syscall::debug_object_counts, arg(&counts));
    if (!result.is_ok()) return result.error();
    return counts;
}

inline base::ErrorOr<abi::KernelMemoryUsage> debug_memory_usage() {
    abi::KernelMemoryUsage usage{};
    auto result = raw(Syscall::debug_memory_usage, arg(&usage));
    if (!result.is_ok()) return result.error();
    return usage;
}

inline base::ErrorOr<void> task_set_weight(HandleValue task, u64 weight) {
    return detail::to_void(raw(Syscall::task_set_weight, task, weight));
}

// Kernel async work on an account (abi::work_account); `units` 0 cancels what is pending.
inline base::ErrorOr<void> debug_kernel_work(u64 units, u64 account) {
    return detail::to_void(raw(Syscall::debug_kernel_work, units, account));
}

inline base::ErrorOr<abi::SchedulerStatistics> debug_scheduler_statistics() {
    abi::SchedulerStatistics statistics{};
    auto result = raw(Syscall::debug_scheduler_statistics, arg(&statistics));
    if (!result.is_ok()) return result.error();
    return statistics;
}

// A channel end served by a kernel coroutine on the caller's work queue, which sends every message
// back unchanged (lib/poplar/protocols/kernel_echo.h).
inline base::ErrorOr<HandleValue> debug_kernel_echo() { return detail::to_handle(raw(Syscall::debug_kernel_echo)); }

// A deadline `nanoseconds` from now, saturating rather than wrapping into "forever".
inline u64 deadline_after(u64 nanoseconds) {
    u64 now = clock_read();
    u64 deadline;
    if (!base::checked_add(now, nanoseconds, deadline) || deadline == abi::deadline_infinite)
        return abi::deadline_infinite - 1;
    return deadline;
}

}  // namespace poplar::sys
