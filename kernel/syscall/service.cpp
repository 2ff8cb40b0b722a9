// service_register, service_subscribe and service_scope_narrow: the kernel's service registry
// (object/service_registry.h) and the scopes that give the right to register (object/service_scope.h).

#include <async/kernel_awaitables.h>
#include <object/service_registry.h>
#include <object/service_scope.h>
#include <sched/wait.h>
#include <sched/work_queue.h>
#include <syscall/syscall.h>

namespace {

// service_register needs this right on the scope handle: registering changes what the registry
// holds (docs/syscalls.md).
constexpr u32 scope_register_right = rights::write;
// The provider's registration end: it only receives NewClient messages (nothing reads what it
// would send).
constexpr u32 registration_rights = rights::transfer | rights::read | rights::receive | rights::wait;

struct ServiceName {
    char bytes[max_service_name_bytes];
    u64 length;
    base::StringView view() const { return base::StringView(bytes, length); }
};

// The name at (argument[pointer], argument[length]), checked at full width: InvalidArgument for a
// length out of 1..max_service_name_bytes or a name that breaks the rule, BadAddress for memory
// that cannot be read.
base::ErrorOr<ServiceName> read_name(SyscallArguments& arguments, usize pointer, usize length) {
    ServiceName name;
    name.length = arguments.argument[length];
    if (name.length == 0 || name.length > max_service_name_bytes) return base::Error::InvalidArgument;
    TRY(arguments.in<char>(pointer).read(name.bytes, name.length));
    if (!is_valid_service_name(name.view())) return base::Error::InvalidArgument;
    return name;
}

// Blocks until `name` is registered (ok), the deadline passes (TimedOut) or the thread is killed
// (Cancelled).
base::ErrorOr<void> wait_for_registration(base::StringView name, u64 deadline) {
    ServiceRegistry& registry = ServiceRegistry::the();
    arch::InterruptGuard guard;
    SignalObserver observer;
    observer.wake_thread_on(sched::current_thread(), 1);
    registry.add_waiter(observer);
    auto waited = sched::wait_until([&] { return registry.is_registered(name); }, deadline);
    registry.remove_waiter(observer);
    return waited;
}

// Removes the entry whose registry end this is once its provider's end is gone (or the job is
// cancelled: the entry then goes with it, and the provider sees peer_closed).
async::Task<base::ErrorOr<void>> watch_registration(base::RefPtr<Channel> registry_end) {
    auto waited = co_await async::wait_signals(registry_end, signals::peer_closed);
    ServiceRegistry::the().remove(registry_end.get());
    if (waited.is_error()) co_return waited.error();
    co_return base::ErrorOr<void>{};
}

}  // namespace

SyscallResult sys_service_register(SyscallArguments& arguments) {
    auto scope = TRY(arguments.task.handles().get_object<ServiceScope>(arguments.argument[0], scope_register_right));
    ServiceName name = TRY(read_name(arguments, 1, 2));
    if (!scope->allows(name.view())) return base::Error::AccessDenied;  // also every `kernel.` name
    HandleTable& handles = arguments.task.handles();
    TRY(handles.reserve(1));
    auto pair = TRY(Channel::create_pair());
    ServiceRegistry& registry = ServiceRegistry::the();
    TRY(registry.add(name.view(), pair.second, &arguments.task.account(), arguments.task.id(), scope));
    // Then its watcher (so that a refused registration costs no job). Should there be no room for
    // it, the entry goes again: to a subscriber that found it meanwhile, it is a provider that
    // ended at once (its NewClient is destroyed with the registration end, and it sees peer_closed).
    auto watcher = sched::kernel_work_queue().spawn(watch_registration(pair.second));
    if (watcher.is_error()) {
        registry.remove(pair.second.get());
        return watcher.error();
    }
    return MUST(handles.add(Handle(base::move(pair.first), registration_rights)));
}

SyscallResult sys_service_subscribe(SyscallArguments& arguments) {
    ServiceName name = TRY(read_name(arguments, 0, 1));
    u64 deadline = arguments.argument[2];
    HandleTable& handles = arguments.task.handles();
    TRY(handles.reserve(1));

    // A kernel service is always there (no waiting): it opens the session itself, or refuses with
    // NotSupported (docs/services.md).
    if (auto service = ServiceRegistry::the().find_kernel_service(name.view())) {
        auto client_end = TRY(service->open_session(arguments.task));
        return MUST(handles.add(Handle(base::move(client_end), ServiceRegistry::session_rights)));
    }

    ServiceRegistry& registry = ServiceRegistry::the();
    auto offer = TRY(ServiceRegistry::make_offer(name.view(), arguments.task.id(),
                                                 base::StringView(arguments.task.name()), &arguments.task.account()));
    for (;;) {
        // Reserved again after any wait, right before the NewClient goes: nothing blocks between
        // here and the add, so the handle's place is still there when it is added.
        TRY(handles.reserve(1));
        auto delivered = registry.deliver(name.view(), offer.new_client);
        if (delivered.failed_with(base::Error::NotFound) && deadline != deadline_now) {
            TRY(wait_for_registration(name.view(), deadline));
            continue;
        }
        // A full queue (ShouldWait): the provider is not taking clients; the caller may try again.
        // A kernel service (NotSupported) cannot be: they never go, and this name was not one.
        TRY(delivered);
        break;
    }
    return MUST(handles.add(Handle(base::move(offer.client_end), ServiceRegistry::session_rights)));
}

// The scope handle at argument 0 for making another from: WrongType, and AccessDenied without
// `duplicate` (the new handle is a duplicate's, with the given handle's rights).
base::ErrorOr<FoundHandle> scope_to_derive_from(SyscallArguments& arguments) {
    FoundHandle found = TRY(arguments.task.handles().look_up(arguments.argument[0]));
    if (!downcast<ServiceScope>(found.object)) return base::Error::WrongType;
    if (!found.has_rights(rights::duplicate)) return base::Error::AccessDenied;
    return found;
}

SyscallResult sys_service_scope_limit(SyscallArguments& arguments) {
    FoundHandle found = TRY(scope_to_derive_from(arguments));
    HandleTable& handles = arguments.task.handles();
    TRY(handles.reserve(1));
    auto limited = TRY(downcast<ServiceScope>(found.object)->limit(arguments.argument[1]));
    return MUST(handles.add(Handle(base::move(limited), found.rights)));
}

SyscallResult sys_service_scope_narrow(SyscallArguments& arguments) {
    FoundHandle found = TRY(scope_to_derive_from(arguments));
    ServiceName name = TRY(read_name(arguments, 1, 2));
    HandleTable& handles = arguments.task.handles();
    TRY(handles.reserve(1));
    auto narrower = TRY(downcast<ServiceScope>(found.object)->narrow(name.view()));
    return MUST(handles.add(Handle(base::move(narrower), found.rights)));
}
