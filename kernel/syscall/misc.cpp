// System calls about the caller itself: logging, exit, yield, sleep, the clock, and debug counts.

#include <debug/log.h>
#include <syscall/syscall.h>
#include <time/clock.h>

SyscallResult sys_debug_log(SyscallArguments& arguments) {
    u64 length = arguments.argument[1];
    if (length > max_log_bytes) return base::Error::InvalidArgument;
    char text[max_log_bytes];
    TRY(arguments.in<char>(0).read(text, length));
    while (length > 0 && text[length - 1] == '\n') --length;
    log::info("[{}] {}", arguments.task.name(), base::StringView(text, length));
    return 0;
}

SyscallResult sys_task_exit(SyscallArguments& arguments) {
    arguments.task.kill(static_cast<i64>(arguments.argument[0]));
    sched::exit_current();
}

SyscallResult sys_yield(SyscallArguments&) {
    sched::yield();
    return 0;
}

SyscallResult sys_sleep(SyscallArguments& arguments) {
    u64 deadline = arguments.argument[0];
    arch::InterruptGuard guard;  // block_current's condition: nothing is shared here
    for (;;) {
        if (deadline != deadline_infinite && deadline <= time::monotonic_nanoseconds()) return 0;
        if (sched::block_current(deadline) == WakeReason::Killed) return base::Error::Cancelled;
    }
}

SyscallResult sys_clock_read(SyscallArguments&) { return time::monotonic_nanoseconds(); }
