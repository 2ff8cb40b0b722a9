#pragma once

// System calls from user space, in layers:
// - `raw` issues any call with any values (tests use it for garbage);
// - sys::generated::name, made from each entry of POPLAR_SYSCALLS (poplar/abi/syscalls.h), takes
//   the entry's typed arguments and turns the status into an ErrorOr of its result;
// - sys::name is that generated wrapper, or, where the entry says `hand_written`, a convenience
//   below built on it. docs/syscalls.md describes each call.

#include <base/error.h>
#include <base/result.h>
#include <base/types.h>
#include <poplar/abi/syscalls.h>
#include <type_traits>

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

// `raw`, also giving what r8 holds after the call (channel_receive's transaction).
inline RawResult raw_with_r8(u64 number, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64& r8_after) {
    // The ABI preserves the argument registers (but r8 where a call returns a third result), but
    // claiming them as outputs costs nothing and keeps a kernel bug from corrupting our state in
    // a way that is hard to trace.
    register u64 r10 asm("r10") = a3;
    register u64 r8 asm("r8") = a4;
    register u64 r9 asm("r9") = a5;
    u64 rax = number;
    u64 rdx = a2;
    asm volatile("syscall"
                 : "+a"(rax), "+d"(rdx), "+D"(a0), "+S"(a1), "+r"(r10), "+r"(r8), "+r"(r9)
                 :
                 : "rcx", "r11", "memory");
    r8_after = r8;
    return RawResult{rax, rdx};
}

inline RawResult raw(u64 number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0) {
    u64 unused;
    return raw_with_r8(number, a0, a1, a2, a3, a4, a5, unused);
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

// A typed argument as its register: pointers by address, integers zero- or sign-extended.
template <typename T>
u64 to_register(T argument) {
    if constexpr (std::is_pointer_v<T>)
        return reinterpret_cast<uptr>(argument);
    else
        return static_cast<u64>(argument);
}

// The status as an ErrorOr of the entry's result type; on failure rdx (the ABI's detail, e.g. the
// sizes a receive needed) goes to `error_detail` when given.
template <typename Result>
base::ErrorOr<Result> result_as(RawResult result, u64* error_detail) {
    if (!result.is_ok()) {
        if (error_detail) *error_detail = result.value;
        return result.error();
    }
    if constexpr (std::is_void_v<Result>)
        return {};
    else
        return static_cast<Result>(result.value);
}

}  // namespace detail

// Applies `f` to each `(type, name)` pair of an entry, separated by commas (at most six: the ABI
// header's static_assert stops a longer entry).
#define POPLAR_SYSCALL_MAP(f, ...) \
    POPLAR_SYSCALL_MAP_PICK(POPLAR_SYSCALL_ARGUMENT_COUNT(__VA_ARGS__))(f __VA_OPT__(, ) __VA_ARGS__)
#define POPLAR_SYSCALL_MAP_PICK(count) POPLAR_SYSCALL_MAP_PICK_(count)
#define POPLAR_SYSCALL_MAP_PICK_(count) POPLAR_SYSCALL_MAP_##count
#define POPLAR_SYSCALL_MAP_0(f)
#define POPLAR_SYSCALL_MAP_1(f, a) f a
#define POPLAR_SYSCALL_MAP_2(f, a, ...) f a, POPLAR_SYSCALL_MAP_1(f, __VA_ARGS__)
#define POPLAR_SYSCALL_MAP_3(f, a, ...) f a, POPLAR_SYSCALL_MAP_2(f, __VA_ARGS__)
#define POPLAR_SYSCALL_MAP_4(f, a, ...) f a, POPLAR_SYSCALL_MAP_3(f, __VA_ARGS__)
#define POPLAR_SYSCALL_MAP_5(f, a, ...) f a, POPLAR_SYSCALL_MAP_4(f, __VA_ARGS__)
#define POPLAR_SYSCALL_MAP_6(f, a, ...) f a, POPLAR_SYSCALL_MAP_5(f, __VA_ARGS__)
#define POPLAR_SYSCALL_PARAMETER(type, name) type name
#define POPLAR_SYSCALL_REGISTER(type, name) detail::to_register(name)

// One wrapper per entry: the entry's arguments in order, then where to put rdx should the call
// fail (optional; most callers only want the error).
namespace generated {

using namespace poplar::abi;  // the list names its types as poplar::abi does

#define POPLAR_SYSCALL_WRAPPER(name, number, wrapper, Result, ...)                                                     \
    inline base::ErrorOr<Result> name(POPLAR_SYSCALL_MAP(POPLAR_SYSCALL_PARAMETER, __VA_ARGS__) __VA_OPT__(, )         \
                                          u64* error_detail = nullptr) {                                               \
        return detail::result_as<Result>(                                                                              \
            raw(Syscall::name __VA_OPT__(, ) POPLAR_SYSCALL_MAP(POPLAR_SYSCALL_REGISTER, __VA_ARGS__)), error_detail); \
    }
POPLAR_SYSCALLS(POPLAR_SYSCALL_WRAPPER)
#undef POPLAR_SYSCALL_WRAPPER

}  // namespace generated

// sys::name is the generated wrapper unless the entry says a convenience below stands in for it.
#define POPLAR_SYSCALL_EXPORT(name, number, wrapper, ...) POPLAR_SYSCALL_EXPORT_##wrapper(name)
#define POPLAR_SYSCALL_EXPORT_generated(name) using generated::name;
#define POPLAR_SYSCALL_EXPORT_hand_written(name)
POPLAR_SYSCALLS(POPLAR_SYSCALL_EXPORT)
#undef POPLAR_SYSCALL_EXPORT
#undef POPLAR_SYSCALL_EXPORT_generated
#undef POPLAR_SYSCALL_EXPORT_hand_written

// The hand-written conveniences, one per `hand_written` entry. Each does what a list entry cannot
// say: a result that is not rdx (a struct the call fills, two handles), a call that cannot fail or
// cannot return, or a detail from rdx on failure worth a type.

// The sizes of a received message (channel_receive, channel_call).
struct MessageSizes {
    u64 bytes = 0;
    u64 handles = 0;
    u64 transaction = 0;  // channel_receive: the call it asks an answer to (send the reply with it)

    static MessageSizes unpack(u64 packed) {
        return MessageSizes{abi::message_bytes_of(packed), abi::message_handles_of(packed)};
    }
};

// Hand-written: it does not return, which an ErrorOr cannot say.
[[noreturn]] inline void task_exit(i64 status) {
    (void)generated::task_exit(status);
    __builtin_trap();
}

// Monotonic nanoseconds. Hand-written: it never fails, so callers get the bare value (rdx is not
// even looked at: this is the call the null-syscall benchmark times).
inline u64 clock_read() { return raw(Syscall::clock_read).value; }

// Hand-written: returns the struct the call fills.
inline base::ErrorOr<abi::HandleInfo> handle_info(HandleValue handle) {
    abi::HandleInfo info{};
    TRY(generated::handle_info(handle, &info));
    return info;
}

struct ChannelPair {
    HandleValue first;
    HandleValue second;
};

// Hand-written: returns the two ends the call writes to memory.
inline base::ErrorOr<ChannelPair> channel_create() {
    HandleValue ends[2] = {};
    TRY(generated::channel_create(ends));
    return ChannelPair{ends[0], ends[1]};
}

// Hand-written: unpacks the sizes, and on BufferTooSmall gives the waiting message's sizes to
// `needed` (when given).
// Hand-written: the transaction, which defaults to 0 (a message that answers no call).
inline base::ErrorOr<void> channel_send(HandleValue channel, const void* bytes, u64 byte_count,
                                        const HandleValue* handles, u64 handle_count, u64 transaction = 0) {
    return generated::channel_send(channel, bytes, byte_count, handles, handle_count, transaction);
}

// Hand-written: unpacks the sizes, takes the transaction from r8, and on BufferTooSmall gives the
// waiting message's sizes to `needed` (when given).
inline base::ErrorOr<MessageSizes> channel_receive(HandleValue channel, void* bytes, u64 byte_capacity,
                                                   HandleValue* handles, u64 handle_capacity, u64 deadline,
                                                   MessageSizes* needed = nullptr) {
    u64 transaction = 0;
    auto result = raw_with_r8(static_cast<u64>(Syscall::channel_receive), channel, reinterpret_cast<uptr>(bytes),
                              byte_capacity, reinterpret_cast<uptr>(handles), handle_capacity, deadline, transaction);
    if (!result.is_ok()) {
        if (needed && result.error() == base::Error::BufferTooSmall) *needed = MessageSizes::unpack(result.value);
        return result.error();
    }
    MessageSizes sizes = MessageSizes::unpack(result.value);
    sizes.transaction = transaction;
    return sizes;
}

// channel_call's arguments for a request of `send_count` handle values and a reply buffer.
inline abi::ChannelCallArguments call_arguments(const u8* send_bytes, u64 send_byte_count,
                                                const HandleValue* send_handles, u64 send_count, u8* reply_bytes,
                                                u64 reply_capacity, HandleValue* reply_handles,
                                                u64 reply_handle_capacity) {
    return abi::ChannelCallArguments{
        .send_bytes = send_bytes,
        .send_byte_count = send_byte_count,
        .send_handles = send_handles,
        .send_handle_count = send_count,
        .receive_bytes = reply_bytes,
        .receive_byte_capacity = reply_capacity,
        .receive_handles = reply_handles,
        .receive_handle_capacity = reply_handle_capacity,
    };
}

// Hand-written: takes the arguments struct by reference, unpacks the sizes, and on failure says in
// `request_sent` (when given) whether the request went out (its handles moved) before the reply
// failed, and in `needed` the sizes a too-small buffer needed.
inline base::ErrorOr<MessageSizes> channel_call(HandleValue channel, const abi::ChannelCallArguments& arguments,
                                                u64 deadline, MessageSizes* needed = nullptr,
                                                bool* request_sent = nullptr) {
    u64 detail = 0;
    auto packed = generated::channel_call(channel, &arguments, deadline, &detail);
    if (!packed.is_ok()) {
        if (request_sent) *request_sent = detail & abi::call_request_sent;
        detail &= ~abi::call_request_sent;
        if (needed && packed.error() == base::Error::BufferTooSmall) *needed = MessageSizes::unpack(detail);
        return packed.error();
    }
    return MessageSizes::unpack(packed.value());
}

// Hand-written: a server's reply (answering call `transaction`, the request's) and its wait for
// the next message, in one call; the message's sizes and transaction as channel_receive gives
// them. On failure, `reply_sent` (when given) says whether the reply went.
inline base::ErrorOr<MessageSizes> channel_reply_receive(HandleValue channel,
                                                         const abi::ChannelCallArguments& arguments, u64 deadline,
                                                         u64 transaction, MessageSizes* needed = nullptr,
                                                         bool* reply_sent = nullptr) {
    u64 received_transaction = 0;
    auto result = raw_with_r8(static_cast<u64>(Syscall::channel_reply_receive), channel,
                              reinterpret_cast<uptr>(&arguments), deadline, transaction, 0, 0, received_transaction);
    if (!result.is_ok()) {
        u64 detail = result.value;
        if (reply_sent) *reply_sent = detail & abi::call_request_sent;
        detail &= ~abi::call_request_sent;
        if (needed && result.error() == base::Error::BufferTooSmall) *needed = MessageSizes::unpack(detail);
        return result.error();
    }
    MessageSizes sizes = MessageSizes::unpack(result.value);
    sizes.transaction = received_transaction;
    return sizes;
}

// Hand-written: returns the struct the call fills. `task` 0 names the caller.
inline base::ErrorOr<abi::CpuTime> task_cpu_time(HandleValue task) {
    abi::CpuTime time{};
    TRY(generated::task_cpu_time(task, &time));
    return time;
}

// Hand-written: returns the struct the call fills.
inline base::ErrorOr<abi::ObjectCounts> debug_object_counts() {
    abi::ObjectCounts counts{};
    TRY(generated::debug_object_counts(&counts));
    return counts;
}

// Hand-written: returns the struct the call fills.
inline base::ErrorOr<abi::KernelMemoryUsage> debug_memory_usage() {
    abi::KernelMemoryUsage usage{};
    TRY(generated::debug_memory_usage(&usage));
    return usage;
}

// Hand-written: returns the struct the call fills.
inline base::ErrorOr<abi::SchedulerStatistics> debug_scheduler_statistics() {
    abi::SchedulerStatistics statistics{};
    TRY(generated::debug_scheduler_statistics(&statistics));
    return statistics;
}

// A channel end served by a kernel coroutine on the caller's work queue, which sends every message
// back unchanged (lib/poplar/protocols/kernel_echo.h).

// A deadline `nanoseconds` from now, saturating rather than wrapping into "forever".
inline u64 deadline_after(u64 nanoseconds) {
    u64 now = clock_read();
    u64 deadline;
    if (!base::checked_add(now, nanoseconds, deadline) || deadline == abi::deadline_infinite)
        return abi::deadline_infinite - 1;
    return deadline;
}

}  // namespace poplar::sys
