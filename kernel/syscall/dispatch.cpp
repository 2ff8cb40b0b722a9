// The system-call table and the one place where results become the ABI's registers.

#include <arch/syscall.h>
#include <syscall/syscall.h>

namespace {

constexpr auto make_table() {
    struct Table {
        SyscallHandler handlers[static_cast<usize>(Syscall::count)] = {};
    } table;
    auto set = [&](Syscall number, SyscallHandler handler) { table.handlers[static_cast<usize>(number)] = handler; };
    set(Syscall::debug_log, sys_debug_log);
    set(Syscall::task_exit, sys_task_exit);
    set(Syscall::yield, sys_yield);
    set(Syscall::sleep, sys_sleep);
    set(Syscall::clock_read, sys_clock_read);
    set(Syscall::handle_close, sys_handle_close);
    set(Syscall::handle_duplicate, sys_handle_duplicate);
    set(Syscall::handle_info, sys_handle_info);
    set(Syscall::handle_replace, sys_handle_replace);
    set(Syscall::memory_object_create, sys_memory_object_create);
    set(Syscall::memory_object_map, sys_memory_object_map);
    set(Syscall::memory_unmap, sys_memory_unmap);
    set(Syscall::channel_create, sys_channel_create);
    set(Syscall::channel_send, sys_channel_send);
    set(Syscall::channel_receive, sys_channel_receive);
    set(Syscall::channel_call, sys_channel_call);
    set(Syscall::event_create, sys_event_create);
    set(Syscall::event_signal, sys_event_signal);
    set(Syscall::event_clear, sys_event_clear);
    set(Syscall::wait_one, sys_wait_one);
    set(Syscall::wait_many, sys_wait_many);
    set(Syscall::task_spawn, sys_task_spawn);
    set(Syscall::task_kill, sys_task_kill);
    set(Syscall::task_wait, sys_task_wait);
    set(Syscall::task_cpu_time, sys_task_cpu_time);
    set(Syscall::debug_object_counts, sys_debug_object_counts);
    set(Syscall::debug_memory_usage, sys_debug_memory_usage);
    set(Syscall::debug_kernel_work, sys_debug_kernel_work);
    set(Syscall::debug_scheduler_statistics, sys_debug_scheduler_statistics);
    set(Syscall::task_set_weight, sys_task_set_weight);
    return table;
}

constexpr auto table = make_table();

}  // namespace

void handle_syscall(u64 number, SyscallArguments& arguments, u64& status, u64& value) {
    SyscallHandler handler = number < static_cast<u64>(Syscall::count) ? table.handlers[number] : nullptr;
    if (!handler) {
        status = static_cast<u64>(base::Error::NotSupported);
        value = 0;
        return;
    }
    SyscallResult result = handler(arguments);
    if (result.is_ok()) {
        status = 0;
        value = result.value();
    } else {
        status = static_cast<u64>(result.error());
        value = arguments.error_detail;
    }
}
