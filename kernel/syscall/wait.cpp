// wait_one and wait_many: block until objects show signals.

#include <base/narrow.h>
#include <sched/wait.h>
#include <syscall/syscall.h>

base::ErrorOr<u32> wait_for_signals(KernelObject& object, u32 wanted, u64 deadline, SyscallArguments& arguments) {
    sched::WaitSource source{&object, wanted};
    auto waited = sched::wait_for(source, deadline);
    if (waited.is_error()) {
        arguments.error_detail = source.observed;
        return waited.error();
    }
    return source.observed;
}

SyscallResult sys_wait_one(SyscallArguments& arguments) {
    auto object = TRY(arguments.task.handles().get_object<KernelObject>(arguments.argument[0], rights::wait));
    u64 wanted = arguments.argument[1];
    if (wanted == 0 || wanted > 0xffffffff) return base::Error::InvalidArgument;
    return TRY(wait_for_signals(*object, base::narrow<u32>(wanted), arguments.argument[2], arguments));
}

SyscallResult sys_wait_many(SyscallArguments& arguments) {
    u64 count = arguments.argument[1], deadline = arguments.argument[2];
    if (count == 0 || count > max_wait_items) return base::Error::InvalidArgument;
    WaitItem items[max_wait_items];
    TRY(arguments.in<WaitItem>(0).read(items, count));
    base::RefPtr<KernelObject> objects[max_wait_items];
    HandleTable& handles = arguments.task.handles();
    for (u64 i = 0; i < count; ++i) {
        objects[i] = TRY(handles.get_object<KernelObject>(items[i].handle, rights::wait));
        if (items[i].wanted == 0) return base::Error::InvalidArgument;
    }

    sched::WaitSource sources[max_wait_items];
    for (u64 i = 0; i < count; ++i) sources[i] = {objects[i].get(), items[i].wanted};
    auto ready = sched::wait_for_any(base::Span<sched::WaitSource>(sources, count), deadline);
    for (u64 i = 0; i < count; ++i) items[i].observed = sources[i].observed;
    TRY(arguments.out<WaitItem>(0).write(items, count));
    return TRY(ready);
}
