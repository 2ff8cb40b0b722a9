// handle_close, handle_duplicate, handle_info, handle_replace.

#include <base/narrow.h>
#include <syscall/syscall.h>

SyscallResult sys_handle_close(SyscallArguments& arguments) {
    TRY(arguments.task.handles().close(arguments.argument[0]));
    return 0;
}

SyscallResult sys_handle_duplicate(SyscallArguments& arguments) {
    HandleTable& handles = arguments.task.handles();
    u64 rights = arguments.argument[1];
    FoundHandle original = TRY(handles.look_up(arguments.argument[0]));
    if (!original.has_rights(rights::duplicate)) return base::Error::AccessDenied;
    if (rights & ~u64(original.rights)) return base::Error::InvalidArgument;
    return TRY(handles.add(Handle(base::move(original.object), base::narrow<u32>(rights))));
}

SyscallResult sys_handle_info(SyscallArguments& arguments) {
    FoundHandle handle = TRY(arguments.task.handles().look_up(arguments.argument[0]));
    HandleInfo info{handle.object->id(), handle.object->type(), handle.rights};
    TRY(arguments.out<HandleInfo>(1).write(info));
    return 0;
}

SyscallResult sys_handle_replace(SyscallArguments& arguments) {
    return TRY(arguments.task.handles().replace(arguments.argument[0], arguments.argument[1]));
}
