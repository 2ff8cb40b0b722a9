// System calls about the caller itself: logging, exit, yield, sleep, the clock, and debug counts.

#include <debug/log.h>
#include <mm/heap.h>
#include <mm/physical_memory.h>
#include <object/channel.h>
#include <object/event.h>
#include <syscall/syscall.h>
#include <time/clock.h>

SyscallResult sys_debug_log(SyscallArguments& arguments) {
    u64 length = arguments.argument[1];
    if (length > max_log_bytes) return base::Error::InvalidArgument;
    char text[max_log_bytes];
    TRY(arch::copy_from_user(text, arguments.argument[0], length));
    while (length > 0 && text[length - 1] == '\n') --length;
    log::info("[{}] {}", current_task().name(), base::StringView(text, length));
    return 0;
}

SyscallResult sys_task_exit(SyscallArguments& arguments) {
    current_task().kill(static_cast<i64>(arguments.argument[0]));
    sched::exit_current();
}

SyscallResult sys_yield(SyscallArguments&) {
    sched::yield();
    return 0;
}

SyscallResult sys_sleep(SyscallArguments& arguments) {
    u64 deadline = arguments.argument[0];
    arch::InterruptGuard guard;
    for (;;) {
        if (deadline != deadline_infinite && deadline <= time::monotonic_nanoseconds()) return 0;
        if (sched::block_current(deadline) == WakeReason::Killed) return base::Error::Cancelled;
    }
}

SyscallResult sys_clock_read(SyscallArguments&) { return time::monotonic_nanoseconds(); }

SyscallResult sys_debug_object_counts(SyscallArguments& arguments) {
    ObjectCounts counts{};
    counts.tasks = KernelObject::live_count(ObjectType::Task);
    counts.threads = Thread::live_count();
    counts.address_spaces = KernelObject::live_count(ObjectType::AddressSpace);
    counts.memory_objects = KernelObject::live_count(ObjectType::MemoryObject);
    counts.channels = KernelObject::live_count(ObjectType::Channel);
    counts.events = KernelObject::live_count(ObjectType::Event);
    TRY(copy_out(arguments.argument[0], counts));
    return 0;
}

SyscallResult sys_debug_memory_usage(SyscallArguments& arguments) {
    const auto& frames = mm::frame_allocator();
    KernelMemoryUsage usage{mm::heap_statistics().bytes_in_use, frames.total_frames() - frames.free_frames()};
    TRY(copy_out(arguments.argument[0], usage));
    return 0;
}
