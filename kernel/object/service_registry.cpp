#include <object/service_registry.h>

namespace {

ServiceRegistry registry;  // constructed with the other globals, before any task runs

}  // namespace

ServiceRegistry& ServiceRegistry::the() { return registry; }

bool ServiceRegistry::Entry::is_live() const {
    return registry_end && !(registry_end->signals() & poplar::abi::signals::peer_closed);
}

bool ServiceRegistry::Entry::has_name(base::StringView other) const { return base::StringView(name, length) == other; }

void ServiceRegistry::sweep(base::RefPtr<Channel> (&released)[max_services]) {
    for (usize i = 0; i < max_services; ++i)
        if (entries_[i].registry_end && !entries_[i].is_live()) released[i] = base::move(entries_[i].registry_end);
}

base::ErrorOr<void> ServiceRegistry::add(base::StringView name, base::RefPtr<Channel> registry_end) {
    ASSERT(poplar::abi::is_valid_service_name(name));
    base::RefPtr<Channel> released[max_services];  // dropped after the lock (closing an end takes other locks)
    IrqSpinLockGuard guard(lock_);
    sweep(released);
    Entry* free = nullptr;
    for (Entry& entry : entries_) {
        if (entry.registry_end && entry.has_name(name)) return base::Error::AlreadyExists;
        if (!entry.registry_end && !free) free = &entry;
    }
    if (!free) return base::Error::LimitReached;
    __builtin_memcpy(free->name, name.data(), name.length());
    free->length = name.length();
    free->registry_end = base::move(registry_end);
    for (SignalObserver& waiter : waiters_) waiter.notify(waiter);
    return {};
}

void ServiceRegistry::remove(const Channel* registry_end) {
    base::RefPtr<Channel> released;
    IrqSpinLockGuard guard(lock_);
    for (Entry& entry : entries_)
        if (entry.registry_end.get() == registry_end) released = base::move(entry.registry_end);
}

base::RefPtr<Channel> ServiceRegistry::find(base::StringView name) {
    base::RefPtr<Channel> released[max_services];
    IrqSpinLockGuard guard(lock_);
    sweep(released);
    for (Entry& entry : entries_)
        if (entry.is_live() && entry.has_name(name)) return entry.registry_end;
    return nullptr;
}

bool ServiceRegistry::is_registered(base::StringView name) {
    IrqSpinLockGuard guard(lock_);
    for (Entry& entry : entries_)
        if (entry.is_live() && entry.has_name(name)) return true;
    return false;
}

void ServiceRegistry::add_waiter(SignalObserver& observer) {
    IrqSpinLockGuard guard(lock_);
    waiters_.push_back(observer);
}

void ServiceRegistry::remove_waiter(SignalObserver& observer) {
    IrqSpinLockGuard guard(lock_);
    if (observer.node.is_linked()) waiters_.remove(observer);
}
