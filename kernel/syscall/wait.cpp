// wait_one and wait_many: block until objects show signals.

#include <base/narrow.h>
#include <syscall/syscall.h>

base::ErrorOr<u32> wait_for_signals(KernelObject& object, u32 wanted, u64 deadline, SyscallArguments& arguments) {
    arch::InterruptGuard guard;
    SignalObserver observer;
    observer.wake_thread_on(sched::current_thread(), wanted);
    for (;;) {
        u32 seen = object.signals();
        if (seen & wanted) return seen;
        arguments.error_detail = seen;
        if (deadline == deadline_now) return base::Error::ShouldWait;
        object.add_observer(observer);
        WakeReason reason = sched::block_current(deadline);
        object.remove_observer(observer);
        if (object.signals() & wanted) return object.signals();
        if (reason == WakeReason::TimedOut) return base::Error::TimedOut;
        if (reason == WakeReason::Killed) return base::Error::Cancelled;
    }
}

SyscallResult sys_wait_one(SyscallArguments& arguments) {
    const Handle* handle = TRY(arguments.task.handles().get(arguments.argument[0]));
    if (!handle->has_rights(rights::wait)) return base::Error::AccessDenied;
    u64 wanted = arguments.argument[1];
    if (wanted == 0 || wanted > 0xffffffff) return base::Error::InvalidArgument;
    base::RefPtr<KernelObject> object = handle->object();
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
        const Handle* handle = TRY(handles.get(items[i].handle));
        if (!handle->has_rights(rights::wait)) return base::Error::AccessDenied;
        if (items[i].wanted == 0) return base::Error::InvalidArgument;
        objects[i] = handle->object();
    }

    SignalObserver observers[max_wait_items];
    Thread& thread = sched::current_thread();
    arch::InterruptGuard guard;
    auto first_ready = [&]() -> u64 {
        for (u64 i = 0; i < count; ++i)
            if (objects[i]->signals() & items[i].wanted) return i;
        return count;
    };
    u64 ready = first_ready();
    base::Error failure = base::Error::ShouldWait;
    if (ready == count && deadline != deadline_now) {
        for (u64 i = 0; i < count; ++i) {
            observers[i].wake_thread_on(thread, items[i].wanted);
            objects[i]->add_observer(observers[i]);
        }
        for (;;) {
            WakeReason reason = sched::block_current(deadline);
            ready = first_ready();
            if (ready < count) break;
            if (reason == WakeReason::TimedOut) {
                failure = base::Error::TimedOut;
                break;
            }
            if (reason == WakeReason::Killed) {
                failure = base::Error::Cancelled;
                break;
            }
        }
        for (u64 i = 0; i < count; ++i) objects[i]->remove_observer(observers[i]);
    }
    for (u64 i = 0; i < count; ++i) items[i].observed = objects[i]->signals();
    TRY(arguments.out<WaitItem>(0).write(items, count));
    if (ready == count) return failure;
    return ready;
}
