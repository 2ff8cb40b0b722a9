#pragma once

// The system-call ABI, shared by the kernel and user space. docs/syscalls.md describes each call.
//
// x86_64: `syscall` with the number in rax and arguments in rdi, rsi, rdx, r10, r8, r9. On return
// rax holds the status (0, or a base::Error code) and rdx a second result (a new handle, a
// size, an address...) where the call has one. rcx and r11 are clobbered; every other register is
// preserved. Numbers and layouts never change once assigned.

#include <base/types.h>
#include <poplar/abi/ring.h>
#include <poplar/abi/service_name.h>
#include <poplar/protocols/object_type.h>

namespace poplar::abi {

// A task's name for a kernel object: an index and a generation, so a stale value never names a
// newer object. 0 is never a valid handle.
using HandleValue = u32;
constexpr HandleValue invalid_handle = 0;

// Every system call, once. The enum below, the kernel's handler declarations and dispatch table
// (kernel/syscall), the user-space wrappers (poplar/syscall.h) and the fuzzer's list of known
// numbers are made from it, so a new call is one entry here plus its handler in kernel/syscall.
//
//   X(name, number, wrapper, result, arguments...)
//
// - number: never changes once assigned. 70-79: the service registry (72, task_set_service_scope,
//   is retired). 80-89: asynchronous submission and completion rings.
// - wrapper: `generated` makes sys::name from this entry alone; `hand_written` means sys::name is a
//   convenience in poplar/syscall.h (it packs a struct, unpacks sizes...), built on
//   sys::generated::name, which every entry gets.
// - result: what rdx holds on success, as the wrapper returns it: void (nothing), u64 (a value),
//   HandleValue (a new handle), or the narrower type the value is (u32 signals, i64 a status).
// - arguments: `(type, name)` pairs in register order (rdi, rsi, rdx, r10, r8, r9), at most six.
//   Types are named as in poplar::abi and must not contain a comma.
#define POPLAR_SYSCALLS(X)                                                                                            \
    X(debug_log, 0, generated, void, (const char*, text), (usize, length))                                            \
    X(task_exit, 1, hand_written, void, (i64, status))                                                                \
    X(yield, 2, generated, void)                                                                                      \
    X(sleep, 3, generated, void, (u64, deadline))                                                                     \
    X(clock_read, 4, hand_written, u64)                                                                               \
    X(handle_close, 10, generated, void, (HandleValue, handle))                                                       \
    X(handle_duplicate, 11, generated, HandleValue, (HandleValue, handle), (u32, rights))                             \
    X(handle_info, 12, hand_written, void, (HandleValue, handle), (HandleInfo*, info))                                \
    X(handle_replace, 13, generated, HandleValue, (HandleValue, handle), (u32, rights))                               \
    X(memory_object_create, 20, generated, HandleValue, (u64, size), (u32, flags))                                    \
    X(memory_object_map, 21, generated, u64, (HandleValue, handle), (u64, address), (u32, flags))                     \
    X(memory_unmap, 22, generated, void, (u64, address), (u64, length))                                               \
    X(channel_create, 30, hand_written, void, (HandleValue*, ends))                                                   \
    X(channel_send, 31, hand_written, void, (HandleValue, channel), (const void*, bytes), (u64, byte_count),          \
      (const HandleValue*, handles), (u64, handle_count), (u64, transaction))                                         \
    X(channel_receive, 32, hand_written, u64, (HandleValue, channel), (void*, bytes), (u64, byte_capacity),           \
      (HandleValue*, handles), (u64, handle_capacity), (u64, deadline))                                               \
    X(channel_call, 33, hand_written, u64, (HandleValue, channel), (const ChannelCallArguments*, arguments),          \
      (u64, deadline))                                                                                                \
    X(channel_reply_receive, 34, hand_written, u64, (HandleValue, channel), (const ChannelCallArguments*, arguments), \
      (u64, deadline), (u64, transaction))                                                                            \
    X(event_create, 40, generated, HandleValue)                                                                       \
    X(event_signal, 41, generated, void, (HandleValue, event))                                                        \
    X(event_clear, 42, generated, void, (HandleValue, event))                                                         \
    X(wait_one, 50, generated, u32, (HandleValue, handle), (u32, wanted), (u64, deadline))                            \
    X(wait_many, 51, generated, u64, (WaitItem*, items), (u64, count), (u64, deadline))                               \
    X(task_spawn, 60, generated, HandleValue, (const char*, module), (u64, module_length),                            \
      (const HandleValue*, handles), (u64, handle_count))                                                             \
    X(task_kill, 61, generated, void, (HandleValue, task))                                                            \
    X(task_wait, 62, generated, i64, (HandleValue, task), (u64, deadline))                                            \
    X(task_cpu_time, 63, hand_written, void, (HandleValue, task), (CpuTime*, time))                                   \
    X(task_set_weight, 64, generated, void, (HandleValue, task), (u64, weight))                                       \
    X(service_register, 70, generated, HandleValue, (HandleValue, scope), (const char*, name), (u64, name_length))    \
    X(service_subscribe, 71, generated, HandleValue, (const char*, name), (u64, name_length), (u64, deadline))        \
    X(service_scope_narrow, 73, generated, HandleValue, (HandleValue, scope), (const char*, name), (u64, length))     \
    X(service_scope_limit, 74, generated, HandleValue, (HandleValue, scope), (u64, budget))                           \
    X(ring_create, 80, generated, void, (u64, entries), (RingHandles*, handles))                                      \
    X(ring_enter, 81, generated, u64, (HandleValue, ring), (u64, to_submit), (u64, min_complete), (u64, deadline))    \
    X(debug_object_counts, 90, hand_written, void, (ObjectCounts*, counts))                                           \
    X(debug_memory_usage, 91, hand_written, void, (KernelMemoryUsage*, usage))                                        \
    X(debug_kernel_work, 92, generated, void, (u64, units), (u64, account))                                           \
    X(debug_scheduler_statistics, 93, hand_written, void, (SchedulerStatistics*, statistics))                         \
    X(debug_kernel_echo, 94, generated, HandleValue)                                                                  \
    X(debug_kernel_call, 95, generated, u64, (const char*, name), (u64, name_length), (u64, bytes), (u64, iterations))

enum class Syscall : u64 {
#define POPLAR_SYSCALL_ENUMERATOR(name, number, ...) name = number,
    POPLAR_SYSCALLS(POPLAR_SYSCALL_ENUMERATOR)
#undef POPLAR_SYSCALL_ENUMERATOR
};

// Every assigned number, and one past the highest (the size of a table indexed by number).
constexpr u64 syscall_numbers[] = {
#define POPLAR_SYSCALL_NUMBER(name, number, ...) number,
    POPLAR_SYSCALLS(POPLAR_SYSCALL_NUMBER)
#undef POPLAR_SYSCALL_NUMBER
};
constexpr u64 syscall_table_size = [] {
    u64 highest = 0;
    for (u64 number : syscall_numbers) highest = number > highest ? number : highest;
    return highest + 1;
}();

// How many `(type, name)` pairs an entry lists (it counts up to nine, so that an entry with too
// many reaches the check below rather than failing somewhere stranger).
#define POPLAR_SYSCALL_ARGUMENT_COUNT(...) \
    POPLAR_SYSCALL_ARGUMENT_COUNT_(__VA_ARGS__ __VA_OPT__(, ) 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define POPLAR_SYSCALL_ARGUMENT_COUNT_(a1, a2, a3, a4, a5, a6, a7, a8, a9, count, ...) count

// Arguments travel in six registers; there is no seventh.
constexpr u64 max_syscall_arguments = 6;
#define POPLAR_SYSCALL_CHECK_ARGUMENTS(name, number, wrapper, result, ...)             \
    static_assert(POPLAR_SYSCALL_ARGUMENT_COUNT(__VA_ARGS__) <= max_syscall_arguments, \
                  #name ": a system call takes at most six arguments (rdi, rsi, rdx, r10, r8, r9)");
POPLAR_SYSCALLS(POPLAR_SYSCALL_CHECK_ARGUMENTS)
#undef POPLAR_SYSCALL_CHECK_ARGUMENTS

// What a handle allows. Duplicates may only drop rights.
namespace rights {
constexpr u32 duplicate = 1 << 0;  // handle_duplicate
constexpr u32 transfer = 1 << 1;   // move it through a channel
constexpr u32 read = 1 << 2;       // read state (handle_info needs no right)
constexpr u32 write = 1 << 3;      // change state
constexpr u32 map = 1 << 4;        // memory objects: map
constexpr u32 send = 1 << 5;       // channels: send, call
constexpr u32 receive = 1 << 6;    // channels: receive, call
constexpr u32 signal = 1 << 7;     // events: signal and clear
constexpr u32 wait = 1 << 8;       // wait_one, wait_many, task_wait
constexpr u32 manage = 1 << 9;     // tasks: kill
constexpr u32 all = (1 << 10) - 1;
}  // namespace rights

// Observable states of an object, for wait_one and wait_many.
namespace signals {
constexpr u32 readable = 1 << 0;     // channel: a message is queued
constexpr u32 writable = 1 << 1;     // channel: the peer's queue has room
constexpr u32 peer_closed = 1 << 2;  // channel: the other end is gone
constexpr u32 signaled = 1 << 3;     // event: signalled
constexpr u32 terminated = 1 << 4;   // task: it has exited or was killed
}  // namespace signals

// Deadlines are absolute monotonic nanoseconds (clock_read). These two are special.
constexpr u64 deadline_now = 0;             // do not wait: fail with ShouldWait at once
constexpr u64 deadline_infinite = ~u64(0);  // wait forever

// Limits.
constexpr u64 max_message_bytes = 64 * 1024;
constexpr u64 max_message_handles = 64;
constexpr u64 max_log_bytes = 4096;
constexpr u64 max_wait_items = 64;
constexpr u64 max_name_bytes = 64;
constexpr u64 page_size = 4096;

// The user half of the address space: [user_space_start, user_space_end). The last page below
// the canonical boundary is never mapped (a sysret there would fault in kernel mode).
constexpr u64 user_space_start = 0x10000;
constexpr u64 user_space_end = 0x00007ffffffff000;

// memory_object_create flags.
namespace memory_flags {
constexpr u32 writable = 1 << 0;
constexpr u32 executable = 1 << 1;
}  // namespace memory_flags

struct HandleInfo {
    u64 object_id;
    ObjectType object_type;
    u32 rights;
};

struct WaitItem {
    HandleValue handle;
    u32 wanted;    // signals that end the wait
    u32 observed;  // out: the object's signals when the wait ended
    u32 reserved;
};

// channel_call's arguments, in user memory.
struct ChannelCallArguments {
    const u8* send_bytes;
    u64 send_byte_count;
    const HandleValue* send_handles;
    u64 send_handle_count;
    u8* receive_bytes;
    u64 receive_byte_capacity;
    HandleValue* receive_handles;
    u64 receive_handle_capacity;
};

// What a new task finds at the address in rdi when it starts.
struct StartInfo {
    static constexpr u32 max_handles = 16;
    static constexpr u32 max_arguments = 256;
    u32 handle_count;
    HandleValue handles[max_handles];
    char name[max_name_bytes];      // the module name, null-terminated
    char arguments[max_arguments];  // for init: the kernel command line's run= value
    u32 restarts;                   // how often a supervisor had this program restarted (0: first run)
};

// task_wait's status for a task killed by task_kill (a fault gives -1000 minus the vector).
constexpr i64 killed_status = -1;

// channel_call: on failure, this bit in rdx says the request was sent (its handles moved) and
// the failure came from waiting for or receiving the reply.
constexpr u64 call_request_sent = 1ull << 63;

// channel_receive and channel_call return both sizes in rdx. channel_receive also returns the
// message's transaction in r8 (0: none; the id of the call it is the request of, or the reply to
// a call that no longer waits): a server sends its reply with that transaction.
constexpr u64 pack_message_sizes(u64 bytes, u64 handles) { return (bytes << 32) | handles; }
constexpr u64 message_bytes_of(u64 packed) { return packed >> 32; }
constexpr u64 message_handles_of(u64 packed) { return packed & 0xffffffff; }

struct CpuTime {
    u64 user_nanoseconds;         // running its own code
    u64 kernel_nanoseconds;       // in system calls and traps it made
    u64 kernel_work_nanoseconds;  // kernel async work done on its behalf
};

struct ObjectCounts {
    u64 tasks, threads, address_spaces, memory_objects, channels, events, service_scopes, rings;

    bool operator==(const ObjectCounts&) const = default;
};

// debug_kernel_work: whose account the work is charged to.
namespace work_account {
constexpr u64 caller = 0;  // the calling task (work done on its behalf)
constexpr u64 kernel = 1;  // the kernel's own housekeeping
}  // namespace work_account

struct SchedulerStatistics {
    u64 idle_nanoseconds;
    u64 context_switches;
    u64 kernel_nanoseconds;     // CPU charged to the kernel's own group (housekeeping, workers)
    u64 kernel_work_jobs_done;  // debug_kernel_work jobs finished, all accounts
    u64 executor_spawns, executor_polls, executor_wakes;  // the kernel's own executor
};

// Weights for task_set_weight: shares relative to the default.
constexpr u64 default_weight = 100;
constexpr u64 max_weight = 10000;

struct KernelMemoryUsage {
    u64 heap_bytes;     // kernel heap in use, rounded to each allocation's size class or pages
    u64 frames_in_use;  // physical frames allocated (kernel and user memory)
};

}  // namespace poplar::abi
