// service_register, service_subscribe and service_scope_narrow: the kernel's service registry
// (object/service_registry.h) and the scopes that give the right to register (object/service_scope.h).

#include <async/kernel_awaitables.h>
#include <object/service_registry.h>
#include <object/service_scope.h>
#include <sched/wait.h>
#include <sched/work_queue.h>
#include <syscall/service_operations.h>
#include <syscall/syscall.h>
#include <time/clock.h>
#include <time/timer.h>

namespace {

// service_register needs this right on the scope handle: registering changes what the registry
// holds (docs/syscalls.md).
constexpr u32 scope_register_right = rights::write;
// The provider's registration end: it only receives NewClient messages (nothing reads what it
// would send).
constexpr u32 registration_rights = rights::transfer | rights::read | rights::receive | rights::wait;

base::ErrorOr<ServiceName> read_name(SyscallArguments& arguments, usize pointer, usize length) {
    return read_service_name(arguments.argument[pointer], arguments.argument[length]);
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

base::ErrorOr<ServiceName> read_service_name(u64 address, u64 length) {
    ServiceName name;
    name.length = length;
    if (name.length == 0 || name.length > max_service_name_bytes) return base::Error::InvalidArgument;
    TRY(UserIn<char>(address).read(name.bytes, name.length));
    if (!is_valid_service_name(name.view())) return base::Error::InvalidArgument;
    return name;
}

base::ErrorOr<u32> service_try_subscribe(Task& subscriber, base::StringView name) {
    HandleTable& handles = subscriber.handles();
    TRY(handles.reserve(1));
    // A kernel service is always there (no waiting): it opens the session itself, or refuses with
    // NotSupported (docs/services.md).
    ServiceRegistry& registry = ServiceRegistry::the();
    if (auto service = registry.find_kernel_service(name)) {
        auto client_end = TRY(service->open_session(subscriber));
        return MUST(handles.add(Handle(base::move(client_end), ServiceRegistry::session_rights)));
    }
    // NotFound costs an offer made for nothing: a waiting subscriber tries once per registration.
    auto offer = TRY(
        ServiceRegistry::make_offer(name, subscriber.id(), base::StringView(subscriber.name()), &subscriber.account()));
    // Reserved right before the NewClient goes: nothing blocks between here and the add, so the
    // handle's place is still there when it is added. A full queue (ShouldWait): the provider is
    // not taking clients; the caller may try again.
    TRY(handles.reserve(1));
    TRY(registry.deliver(name, offer.new_client));
    return MUST(handles.add(Handle(base::move(offer.client_end), ServiceRegistry::session_rights)));
}

SyscallResult sys_service_subscribe(SyscallArguments& arguments) {
    ServiceName name = TRY(read_name(arguments, 0, 1));
    u64 deadline = arguments.argument[2];
    for (;;) {
        auto subscribed = service_try_subscribe(arguments.task, name.view());
        if (subscribed.failed_with(base::Error::NotFound) && deadline != deadline_now) {
            TRY(wait_for_registration(name.view(), deadline));
            continue;
        }
        return TRY(subscribed);
    }
}

namespace {

// A job's wait for a registration (any change to the registry wakes it: it then looks again).
class RegistrationAwaiter {
public:
    RegistrationAwaiter(base::StringView name, u64 deadline) : name_(name), deadline_(deadline) {
        observer_.notify = [](SignalObserver& self) { static_cast<RegistrationAwaiter*>(self.context)->waker_.wake(); };
        observer_.context = this;
    }
    ~RegistrationAwaiter() { stop(); }
    bool await_ready() const { return async::current_job_cancelled() || ServiceRegistry::the().is_registered(name_); }
    void await_suspend(std::coroutine_handle<> handle) {
        async::current_job()->set_resume_point(handle);
        waker_ = async::current_waker();
        ServiceRegistry::the().add_waiter(observer_);
        waiting_ = true;
        if (ServiceRegistry::the().is_registered(name_)) waker_.wake();  // registered meanwhile
        if (deadline_ != async::no_deadline) {
            timer_.callback = [](time::Timer& timer) {
                static_cast<RegistrationAwaiter*>(timer.context)->waker_.wake();
            };
            timer_.context = this;
            time::arm(timer_, deadline_);
            armed_ = true;
        }
    }
    base::ErrorOr<void> await_resume() {
        stop();
        if (async::current_job_cancelled()) return base::Error::Cancelled;
        if (ServiceRegistry::the().is_registered(name_)) return {};
        if (deadline_ != async::no_deadline && deadline_ <= time::monotonic_nanoseconds()) return base::Error::TimedOut;
        return base::Error::ShouldWait;  // a change to another name: wait again
    }

private:
    void stop() {
        if (base::exchange(waiting_, false)) ServiceRegistry::the().remove_waiter(observer_);
        if (base::exchange(armed_, false)) time::cancel(timer_);
    }

    base::StringView name_;
    u64 deadline_;
    async::Waker waker_;
    SignalObserver observer_;
    time::Timer timer_;
    bool waiting_ = false;
    bool armed_ = false;
};

}  // namespace

async::Task<base::ErrorOr<u32>> service_subscribe_job(base::RefPtr<Task> subscriber, ServiceName name, u64 deadline) {
    for (;;) {
        base::ErrorOr<u32> subscribed = base::Error::Cancelled;
        {
            // The check and the attempt in one step: a task's table is released once its jobs are
            // cancelled, and a handle added after that would keep the session open in a dead task.
            arch::InterruptGuard guard;
            if (!async::current_job_cancelled()) subscribed = service_try_subscribe(*subscriber, name.view());
        }
        if (!subscribed.failed_with(base::Error::NotFound)) co_return subscribed;
        if (deadline != async::no_deadline && deadline <= time::monotonic_nanoseconds())
            co_return base::Error::TimedOut;
        auto waited = co_await RegistrationAwaiter(name.view(), deadline);
        if (!waited.failed_with(base::Error::ShouldWait)) CO_TRY(waited);
    }
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
