// System calls about the caller itself: logging, exit, yield, sleep, the clock, and debug counts.

#include <debug/log.h>
#include <sched/wait.h>
#include <services/supervision.h>
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
    i64 status = static_cast<i64>(arguments.argument[0]);
    // An abnormal end is the supervisor's business (as a fault is): only the call that ended it.
    if (arguments.task.kill(status) && status != 0) services::supervise_exit(arguments.task, status);
    sched::exit_current();
}

SyscallResult sys_yield(SyscallArguments&) {
    sched::yield();
    return 0;
}

SyscallResult sys_sleep(SyscallArguments& arguments) {
    u64 deadline = arguments.argument[0];
    if (deadline == deadline_now) return 0;
    arch::InterruptGuard guard;
    // Nothing but the deadline (or a kill) ends it.
    auto slept = sched::wait_until([] { return false; }, deadline);
    if (slept.failed_with(base::Error::Cancelled)) return base::Error::Cancelled;
    return 0;
}

SyscallResult sys_clock_read(SyscallArguments&) { return time::monotonic_nanoseconds(); }
