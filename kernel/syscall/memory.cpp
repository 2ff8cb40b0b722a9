// memory_object_create, memory_object_map, memory_unmap.

#include <base/narrow.h>
#include <object/memory_object.h>
#include <syscall/syscall.h>

SyscallResult sys_memory_object_create(SyscallArguments& arguments) {
    auto object = TRY(MemoryObject::create(arguments.argument[0], arguments.argument[1], &arguments.task.account()));
    u32 handle_rights = rights::duplicate | rights::transfer | rights::read | rights::map |
                        (object->flags() & memory_flags::writable ? rights::write : 0);
    return TRY(arguments.task.handles().add(Handle(base::move(object), handle_rights)));
}

SyscallResult sys_memory_object_map(SyscallArguments& arguments) {
    Task& task = arguments.task;
    u64 flags = arguments.argument[2];
    auto object = TRY(task.handles().get_object<MemoryObject>(arguments.argument[0], rights::map));
    if (flags > 0xffffffff) return base::Error::InvalidArgument;
    if (flags & memory_flags::writable) {
        FoundHandle handle = TRY(task.handles().look_up(arguments.argument[0]));
        if (!handle.has_rights(rights::write)) return base::Error::AccessDenied;
    }
    return TRY(task.address_space().map(base::move(object), arguments.argument[1], base::narrow<u32>(flags)));
}

SyscallResult sys_memory_unmap(SyscallArguments& arguments) {
    TRY(arguments.task.address_space().unmap(arguments.argument[0], arguments.argument[1]));
    return 0;
}
