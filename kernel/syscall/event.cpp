// event_create, event_signal, event_clear.

#include <object/event.h>
#include <syscall/syscall.h>

SyscallResult sys_event_create(SyscallArguments& arguments) {
    auto event = TRY(Event::create());
    u32 handle_rights = rights::duplicate | rights::transfer | rights::signal | rights::wait | rights::read;
    return TRY(arguments.task.handles().add(Handle(base::move(event), handle_rights)));
}

// Under the handle table's lock, with no reference of their own: the cheapest way to an event.
SyscallResult sys_event_signal(SyscallArguments& arguments) {
    TRY(arguments.task.handles().with_object<Event>(arguments.argument[0], rights::signal,
                                                    [](Event& event) { event.signal(); }));
    return 0;
}

SyscallResult sys_event_clear(SyscallArguments& arguments) {
    TRY(arguments.task.handles().with_object<Event>(arguments.argument[0], rights::signal,
                                                    [](Event& event) { event.clear(); }));
    return 0;
}
