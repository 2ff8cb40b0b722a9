// event_create, event_signal, event_clear.

#include <object/event.h>
#include <syscall/syscall.h>

SyscallResult sys_event_create(SyscallArguments& arguments) {
    auto event = TRY(Event::create());
    u32 handle_rights = rights::duplicate | rights::transfer | rights::signal | rights::wait | rights::read;
    return TRY(arguments.task.handles().add(Handle(base::move(event), handle_rights)));
}

SyscallResult sys_event_signal(SyscallArguments& arguments) {
    auto event = TRY(arguments.task.handles().get_object<Event>(arguments.argument[0], rights::signal));
    event->signal();
    return 0;
}

SyscallResult sys_event_clear(SyscallArguments& arguments) {
    auto event = TRY(arguments.task.handles().get_object<Event>(arguments.argument[0], rights::signal));
    event->clear();
    return 0;
}
