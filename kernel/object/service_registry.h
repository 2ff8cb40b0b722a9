#pragma once

// The kernel's service registry: names (poplar/abi/service_name.h) mapped to providers. A provider
// registers a name and gets one end of a channel whose other end the registry keeps; each
// subscriber is sent down it as a NewClient message (poplar/protocols/service_registry.h) carrying
// the provider's end of a fresh channel to that subscriber.
//
// An entry lives while the provider's end does: once it is closed (by the provider, or because the
// provider task ended) the registry's end shows peer_closed, and from then on the entry is dead: it
// is never found, its name may be registered again, and its provider's account gets its charge
// back. A watcher job on the kernel's work queue, one per entry, waits for that signal and removes
// the entry (freeing the registry's end); a registration that finds the table full reuses the slot
// of a dead entry whose watcher has not run yet.
//
// The kernel's own services (services/kernel_service.h) are entries too, under `kernel.` names:
// entered at boot with add_kernel_service, they hold the service instead of a channel, are always
// live and are never removed. Kernel code finds them with services::lookup<T>; a user task that
// subscribes to one gets a session the service opens (KernelService::open_session), or
// NotSupported from a service without user sessions.
//
// Discovery (docs/services.md): every name that appears or disappears is one change with the next
// sequence number, in a bounded log (object/service_change_log.h). A provider's entry is recorded
// as gone exactly once: by whichever registry operation first finds it dead (each one sweeps the
// table first), its watcher's removal or the reuse of its slot. list gives the live names with the
// sequence they are current at, so a watch from that sequence misses nothing.
//
// Locking: one lock, guarding the entries and the waiting subscribers. Nothing is allocated or
// freed under it and no other lock is taken inside it but the scheduler's (waking subscribers);
// it is taken under no other lock (docs/architecture.md, "Locking"). Finding a kernel service
// takes a reference under it (an atomic increment); the registry's own reference never goes, so
// no service is freed there.

#include <base/intrusive_list.h>
#include <base/span.h>
#include <base/string_view.h>
#include <object/channel.h>
#include <object/resource_account.h>
#include <object/service_change_log.h>
#include <object/service_scope.h>
#include <poplar/abi/service_name.h>
#include <services/kernel_service.h>
#include <sync/spinlock.h>

class ServiceRegistry {
public:
    // Live and dead entries together, for the whole system (LimitReached beyond).
    static constexpr usize max_services = 128;

    static ServiceRegistry& the();

    // Enters `name` (a valid name) with `registry_end` as the registry's end of the provider's
    // channel, charged to `account` (Resource::ServiceRegistrations) and to `scope`'s budget
    // (object/service_scope.h) while it lives; the provider is task `provider_task_id`.
    // AlreadyExists while a live entry has the name; LimitReached when the table, the account or
    // the scope's budget is full.
    base::ErrorOr<void> add(base::StringView name, base::RefPtr<Channel> registry_end,
                            base::RefPtr<ResourceAccount> account, u64 provider_task_id,
                            base::RefPtr<ServiceScope> scope) EXCLUDES(lock_);

    // Enters the kernel's own `service` under `name` (a kernel name), for good. AlreadyExists,
    // LimitReached as for add.
    base::ErrorOr<void> add_kernel_service(base::StringView name, base::RefPtr<services::KernelService> service)
        EXCLUDES(lock_);

    // Removes the entry whose registry end is `registry_end`, if it is still there.
    void remove(const Channel* registry_end) EXCLUDES(lock_);

    // Who provides `name`: a user provider (its registry end) or a kernel service; both null when
    // there is no live entry.
    struct Provider {
        base::RefPtr<Channel> registry_end;
        base::RefPtr<services::KernelService> kernel_service;
        u64 task_id = 0;  // a user provider's task
    };
    // Any provider, for deliver and connect.
    static constexpr u64 any_provider = 0;
    Provider find(base::StringView name) EXCLUDES(lock_);
    // The kernel service entered under `name`, or null (also for a name a user task provides).
    base::RefPtr<services::KernelService> find_kernel_service(base::StringView name) EXCLUDES(lock_);
    bool is_registered(base::StringView name) EXCLUDES(lock_);

    // Both ends of a session channel (a subscriber's and its provider's), as channel_create gives.
    static constexpr u32 session_rights = poplar::abi::rights::transfer | poplar::abi::rights::read |
                                          poplar::abi::rights::send | poplar::abi::rights::receive |
                                          poplar::abi::rights::wait;

    // A subscription on its way to a user provider: the NewClient for it (carrying the provider's
    // end of a fresh channel) and the subscriber's end of that channel.
    struct Offer {
        MessagePointer new_client;
        base::RefPtr<Channel> client_end;
    };
    // The NewClient for subscriber `client_task_id`/`client_name` of `name`, charged to `account`
    // (none for the kernel).
    static base::ErrorOr<Offer> make_offer(base::StringView name, u64 client_task_id, base::StringView client_name,
                                           ResourceAccount* account);
    // Writes `new_client` to the live user provider of `name` (only if it is task `only_provider`,
    // unless any_provider): NotFound when there is none, NotSupported for a kernel service,
    // ShouldWait when the provider is not taking clients.
    base::ErrorOr<void> deliver(base::StringView name, MessagePointer& new_client, u64 only_provider = any_provider)
        EXCLUDES(lock_);
    // Who a session is for, as its NewClient says: the kernel itself (task 0, "kernel"; only the
    // kernel's own use may say so), or a user task on whose behalf the kernel connects.
    struct Client {
        u64 task_id;
        base::StringView name;
    };
    static constexpr Client kernel_client{0, "kernel"};
    // The kernel as a client of a user service (kernel -> user): the kernel's end of a fresh
    // session with the provider of `name` (only if it is task `only_provider`, unless
    // any_provider). No waiting: NotFound when no such user provider has the name.
    base::ErrorOr<base::RefPtr<Channel>> connect(base::StringView name, Client client = kernel_client,
                                                 u64 only_provider = any_provider) EXCLUDES(lock_);

    // Subscribers waiting for a name: `observer` is notified (it only wakes) whenever a name is
    // added. It must be removed before it goes.
    void add_waiter(SignalObserver& observer) EXCLUDES(lock_);
    void remove_waiter(SignalObserver& observer) EXCLUDES(lock_);
    // Waiters are notified on every change too (a name added or gone), for watchers of the log.

    // A name as list gives it.
    struct Name {
        u8 length = 0;
        char bytes[poplar::abi::max_service_name_bytes] = {};
        base::StringView view() const { return base::StringView(bytes, length); }
    };
    // Every live name (at most max_services: `out` must hold that many) into `out`, and the
    // sequence number of the last change they include. Returns how many.
    usize list(base::Span<Name> out, u64& sequence) EXCLUDES(lock_);

    // The changes after `after`, oldest first, into `out` (at most its size); `sequence` gets the
    // last change's number. Resync when the log no longer holds all of them, or `after` is past
    // the last change.
    enum class Changes { some, none, resync };
    Changes changes_after(u64 after, base::Span<ServiceChangeLog::Change> out, usize& count, u64& sequence)
        EXCLUDES(lock_);
    // The last change's sequence number (after recording any provider found gone).
    u64 sequence() EXCLUDES(lock_);

private:
    struct Entry {
        char name[poplar::abi::max_service_name_bytes] = {};
        usize length = 0;
        base::RefPtr<Channel> registry_end;                    // a user provider's; null for a kernel service
        base::RefPtr<services::KernelService> kernel_service;  // set for good; null for a user provider
        base::RefPtr<ResourceAccount> account;
        base::RefPtr<ServiceScope> scope;  // the scope registered with, charged while `charged`
        u64 provider_task_id = 0;          // a user provider's task
        bool charged = false;        // the account and the scope hold one registration for it (until it is found dead)
        bool gone_recorded = false;  // its disappearance is in the change log (it is dead)
        bool is_free() const { return !registry_end && !kernel_service; }
        bool is_live() const;
        bool has_name(base::StringView other) const;
    };
    // What an entry held, dropped by the caller after the lock: freeing an end takes other locks.
    struct Released {
        base::RefPtr<Channel> registry_end;
        base::RefPtr<ResourceAccount> account;
        base::RefPtr<ServiceScope> scope;
    };
    // Gives back what a live or just-dead entry holds against the account and the scope.
    static void give_back_charge(Entry& entry);
    // A free slot for `name` (a dead entry's, emptied into `released`): AlreadyExists while a live
    // entry has the name, LimitReached when the table is full. The caller fills it, then publishes.
    base::ErrorOr<Entry*> claim_slot(base::StringView name, Released& released) REQUIRES(lock_);
    // Names a filled slot `name`: it is live from here, the change is logged and waiters woken.
    void publish(Entry& slot, base::StringView name) REQUIRES(lock_);
    using WaiterList = base::IntrusiveList<SignalObserver, &SignalObserver::node>;

    // Empties `entry` into `released`, giving its charge back if it still holds one.
    void clear(Entry& entry, Released& released) REQUIRES(lock_);
    // A free slot, else that of a dead entry (its charge given back; the caller clears it), else
    // null. AlreadyExists when a live entry has `name`.
    base::ErrorOr<Entry*> find_slot(base::StringView name, bool& dead) REQUIRES(lock_);
    Entry* find_live(base::StringView name) REQUIRES(lock_);
    // Records the disappearance of every dead entry not yet recorded; true if there was one.
    bool sweep() REQUIRES(lock_);
    void notify_waiters() REQUIRES(lock_);

    IrqSpinLock lock_;
    Entry entries_[max_services] GUARDED_BY(lock_);
    WaiterList waiters_ GUARDED_BY(lock_);
    ServiceChangeLog changes_ GUARDED_BY(lock_);
};
