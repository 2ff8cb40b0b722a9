#include <ipc/ptah_message.h>
#include <object/service_registry.h>
#include <poplar/protocols/service_registry.h>

namespace {

ServiceRegistry registry;  // constructed with the other globals, before any task runs

}  // namespace

ServiceRegistry& ServiceRegistry::the() { return registry; }

bool ServiceRegistry::Entry::is_live() const {
    if (kernel_service) return true;
    return registry_end && !(registry_end->signals() & poplar::abi::signals::peer_closed);
}

bool ServiceRegistry::Entry::has_name(base::StringView other) const { return base::StringView(name, length) == other; }

void ServiceRegistry::clear(Entry& entry, Released& released) {
    if (!entry.gone_recorded) changes_.record(base::StringView(entry.name, entry.length), false);
    entry.gone_recorded = false;
    give_back_charge(entry);
    entry.length = 0;
    released.registry_end = base::move(entry.registry_end);
    released.account = base::move(entry.account);
    released.scope = base::move(entry.scope);
}

void ServiceRegistry::give_back_charge(Entry& entry) {
    if (!entry.charged) return;
    entry.account->release(Resource::ServiceRegistrations, 1);
    if (entry.scope) entry.scope->release();
    entry.charged = false;
}

base::ErrorOr<ServiceRegistry::Entry*> ServiceRegistry::find_slot(base::StringView name, bool& dead) {
    Entry* free = nullptr;
    Entry* first_dead = nullptr;
    for (Entry& entry : entries_) {
        if (entry.is_free()) {
            if (!free) free = &entry;
        } else if (entry.is_live()) {
            if (entry.has_name(name)) return base::Error::AlreadyExists;
        } else {
            // Its provider is gone: it no longer counts against the provider's account or scope.
            give_back_charge(entry);
            if (!first_dead) first_dead = &entry;
        }
    }
    dead = !free && first_dead != nullptr;
    return free ? free : first_dead;
}

bool ServiceRegistry::sweep() {
    bool recorded = false;
    for (Entry& entry : entries_) {
        if (entry.is_free() || entry.gone_recorded || entry.is_live()) continue;
        changes_.record(base::StringView(entry.name, entry.length), false);
        entry.gone_recorded = true;
        recorded = true;
    }
    return recorded;
}

void ServiceRegistry::notify_waiters() {
    for (SignalObserver& waiter : waiters_) waiter.notify(waiter);
}

ServiceRegistry::Entry* ServiceRegistry::find_live(base::StringView name) {
    for (Entry& entry : entries_)
        if (entry.is_live() && entry.has_name(name)) return &entry;
    return nullptr;
}

base::ErrorOr<void> ServiceRegistry::add(base::StringView name, base::RefPtr<Channel> registry_end,
                                         base::RefPtr<ResourceAccount> account, u64 provider_task_id,
                                         base::RefPtr<ServiceScope> scope) {
    ASSERT(poplar::abi::is_valid_service_name(name));
    Released released;
    IrqSpinLockGuard guard(lock_);
    Entry* slot = TRY(claim_slot(name, released));
    TRY(account->charge(Resource::ServiceRegistrations, 1));
    if (auto charged = scope->charge(); charged.is_error()) {
        account->release(Resource::ServiceRegistrations, 1);
        return charged.error();
    }
    slot->registry_end = base::move(registry_end);
    slot->account = base::move(account);
    slot->scope = base::move(scope);
    slot->provider_task_id = provider_task_id;
    slot->charged = true;
    publish(*slot, name);
    return {};
}

base::ErrorOr<void> ServiceRegistry::add_kernel_service(base::StringView name,
                                                        base::RefPtr<services::KernelService> service) {
    ASSERT(poplar::abi::is_valid_service_name(name) && poplar::abi::is_kernel_service_name(name));
    ASSERT(service);
    Released released;
    IrqSpinLockGuard guard(lock_);
    Entry* slot = TRY(claim_slot(name, released));
    slot->kernel_service = base::move(service);
    publish(*slot, name);
    return {};
}

base::ErrorOr<ServiceRegistry::Entry*> ServiceRegistry::claim_slot(base::StringView name, Released& released) {
    if (sweep()) notify_waiters();
    bool dead = false;
    Entry* slot = TRY(find_slot(name, dead));
    if (!slot) return base::Error::LimitReached;
    if (dead) clear(*slot, released);  // its watcher will find nothing to remove
    return slot;
}

void ServiceRegistry::publish(Entry& slot, base::StringView name) {
    __builtin_memcpy(slot.name, name.data(), name.length());
    slot.length = name.length();
    changes_.record(name, true);
    notify_waiters();
}

void ServiceRegistry::remove(const Channel* registry_end) {
    Released released;
    IrqSpinLockGuard guard(lock_);
    bool changed = sweep();
    for (Entry& entry : entries_) {
        if (entry.registry_end.get() != registry_end) continue;
        clear(entry, released);
        changed = true;
    }
    if (changed) notify_waiters();
}

ServiceRegistry::Provider ServiceRegistry::find(base::StringView name) {
    IrqSpinLockGuard guard(lock_);
    Entry* entry = find_live(name);
    if (!entry) return {};
    return {entry->registry_end, entry->kernel_service, entry->provider_task_id};
}

base::RefPtr<services::KernelService> ServiceRegistry::find_kernel_service(base::StringView name) {
    IrqSpinLockGuard guard(lock_);
    Entry* entry = find_live(name);
    return entry ? entry->kernel_service : nullptr;
}

bool ServiceRegistry::is_registered(base::StringView name) {
    IrqSpinLockGuard guard(lock_);
    return find_live(name) != nullptr;
}

void ServiceRegistry::add_waiter(SignalObserver& observer) {
    IrqSpinLockGuard guard(lock_);
    waiters_.push_back(observer);
}

void ServiceRegistry::remove_waiter(SignalObserver& observer) {
    IrqSpinLockGuard guard(lock_);
    if (observer.node.is_linked()) waiters_.remove(observer);
}

usize ServiceRegistry::list(base::Span<Name> out, u64& sequence) {
    ASSERT(out.size() >= max_services);
    IrqSpinLockGuard guard(lock_);
    if (sweep()) notify_waiters();
    usize count = 0;
    // Every name whose last change is its appearance: after the sweep, the live ones.
    for (Entry& entry : entries_) {
        if (entry.is_free() || entry.gone_recorded) continue;
        Name& name = out[count++];
        name.length = static_cast<u8>(entry.length);
        __builtin_memcpy(name.bytes, entry.name, entry.length);
    }
    sequence = changes_.sequence();
    return count;
}

ServiceRegistry::Changes ServiceRegistry::changes_after(u64 after, base::Span<ServiceChangeLog::Change> out,
                                                        usize& count, u64& sequence) {
    IrqSpinLockGuard guard(lock_);
    if (sweep()) notify_waiters();
    sequence = changes_.sequence();
    count = 0;
    if (!changes_.holds_changes_after(after)) return Changes::resync;
    count = changes_.copy_after(after, out);
    return count ? Changes::some : Changes::none;
}

u64 ServiceRegistry::sequence() {
    IrqSpinLockGuard guard(lock_);
    if (sweep()) notify_waiters();
    return changes_.sequence();
}

base::ErrorOr<ServiceRegistry::Offer> ServiceRegistry::make_offer(base::StringView name, u64 client_task_id,
                                                                  base::StringView client_name,
                                                                  ResourceAccount* account) {
    auto pair = TRY(Channel::create_pair());
    Handle provider_end(base::move(pair.second), session_rights);
    poplar::protocols::service_registry::NewClient new_client{
        name, {ipc::handle_value_of(0)}, client_task_id, client_name};
    poplar::protocols::ServiceProvider::Request request = new_client;
    MessagePointer message = TRY(ipc::encode_message(request, base::Span<Handle>(&provider_end, 1), account));
    return Offer{base::move(message), base::move(pair.first)};
}

base::ErrorOr<void> ServiceRegistry::deliver(base::StringView name, MessagePointer& new_client, u64 only_provider) {
    for (;;) {
        Provider provider = find(name);
        if (provider.kernel_service) return base::Error::NotSupported;
        if (!provider.registry_end) return base::Error::NotFound;
        if (only_provider != any_provider && provider.task_id != only_provider) return base::Error::NotFound;
        auto written = provider.registry_end->write(new_client);
        // The provider went between the look-up and the write: its entry is dead, look again.
        if (written.failed_with(base::Error::PeerClosed)) continue;
        return written;
    }
}

base::ErrorOr<base::RefPtr<Channel>> ServiceRegistry::connect(base::StringView name, Client client, u64 only_provider) {
    if (!find(name).registry_end) return base::Error::NotFound;  // no channel made for nobody
    Offer offer = TRY(make_offer(name, client.task_id, client.name, nullptr));
    TRY(deliver(name, offer.new_client, only_provider));
    return base::move(offer.client_end);
}
