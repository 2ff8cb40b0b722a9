// wait_one and wait_many: block until objects show signals.

#include <base/bounded_vector.h>
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
    WaitItem items[max_wait_items];  // plain data: only the first `count` are written
    TRY(arguments.in<WaitItem>(0).read(items, count));
    // Only `count` references are taken and dropped, not max_wait_items.
    base::BoundedVector<base::RefPtr<KernelObject>, max_wait_items> objects;
    HandleTable& handles = arguments.task.handles();
    for (u64 i = 0; i < count; ++i) {
        objects.append(TRY(handles.get_object<KernelObject>(items[i].handle, rights::wait)));
        if (items[i].wanted == 0) return base::Error::InvalidArgument;
    }

    base::BoundedVector<sched::WaitSource, max_wait_items> sources;
    for (u64 i = 0; i < count; ++i) sources.append({objects[i].get(), items[i].wanted});
    auto ready = sched::wait_for_any(sources.span(), deadline);
    for (u64 i = 0; i < count; ++i) items[i].observed = sources[i].observed;
    TRY(arguments.out<WaitItem>(0).write(items, count));
    return TRY(ready);
}
