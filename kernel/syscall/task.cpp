// task_spawn, task_kill, task_wait, task_cpu_time.

#include <loader/spawn.h>
#include <syscall/syscall.h>
#include <syscall/transfer.h>

namespace {

base::ErrorOr<base::RefPtr<Task>> task_or_self(Task& caller, u64 value, u32 wanted_rights) {
    if (value == invalid_handle) return base::RefPtr<Task>(&caller);
    return caller.handles().get_object<Task>(value, wanted_rights);
}

}  // namespace

SyscallResult sys_task_spawn(SyscallArguments& arguments) {
    u64 name_length = arguments.argument[1];
    if (name_length == 0 || name_length >= max_name_bytes) return base::Error::InvalidArgument;
    char name[max_name_bytes];
    TRY(arguments.in<char>(0).read(name, name_length));
    HandleTransfer transfer;
    if (arguments.argument[3] > StartInfo::max_handles) return base::Error::InvalidArgument;
    TRY(transfer.check(arguments.task, arguments.in<HandleValue>(2), arguments.argument[3], nullptr));

    auto prepared = TRY(loader::prepare(base::StringView(name, name_length), transfer.count()));
    prepared.task->inherit_weight_limit(arguments.task);
    TRY(prepared.task->become_child_of(arguments.task));
    TRY(arguments.task.handles().reserve(1));
    Handle moved[StartInfo::max_handles];
    transfer.take_into(arguments.task, moved);
    auto task = loader::start(base::move(prepared), base::Span<Handle>(moved, transfer.count()), "");
    return MUST(arguments.task.handles().add(Handle(base::move(task), Task::spawn_rights)));
}

SyscallResult sys_task_kill(SyscallArguments& arguments) {
    auto task = TRY(arguments.task.handles().get_object<Task>(arguments.argument[0], rights::manage));
    task->kill(Task::killed_status);
    return 0;
}

SyscallResult sys_task_wait(SyscallArguments& arguments) {
    auto task = TRY(arguments.task.handles().get_object<Task>(arguments.argument[0], rights::wait));
    TRY(wait_for_signals(*task, signals::terminated, arguments.argument[1], arguments));
    return static_cast<u64>(task->exit_status());
}

SyscallResult sys_task_cpu_time(SyscallArguments& arguments) {
    auto task = TRY(task_or_self(arguments.task, arguments.argument[0], rights::read));
    TRY(arguments.out<CpuTime>(1).write(task->cpu_time()));
    return 0;
}

SyscallResult sys_task_set_weight(SyscallArguments& arguments) {
    auto task = TRY(task_or_self(arguments.task, arguments.argument[0], rights::manage));
    TRY(task->set_weight(arguments.argument[1], arguments.task));
    return 0;
}
