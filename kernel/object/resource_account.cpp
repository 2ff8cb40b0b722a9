#include <object/resource_account.h>
#include <new>

namespace {

constexpr u64 mebibyte = 1024 * 1024;

constexpr u64 limits[] = {
    8192,           // QueuedMessages
    16 * mebibyte,  // QueuedBytes
    256,            // MemoryObjects
    64 * mebibyte,  // MemoryBytes
    32,             // LiveChildren
    16,             // ServiceRegistrations
};
static_assert(sizeof(limits) / sizeof(limits[0]) == static_cast<usize>(Resource::count));

}  // namespace

base::ErrorOr<base::RefPtr<ResourceAccount>> ResourceAccount::create() {
    auto* account = new (std::nothrow) ResourceAccount();
    if (!account) return base::Error::NoMemory;
    return base::adopt_ref(account);
}

u64 ResourceAccount::limit(Resource resource) { return limits[static_cast<usize>(resource)]; }

// Counters change from any task (a message is released where it dies) and from preemptible
// code: each is updated atomically, a charge with compare-and-swap so it never passes its limit.
base::ErrorOr<void> ResourceAccount::charge(Resource resource, u64 amount) {
    u64& used = used_[static_cast<usize>(resource)];
    u64 now = __atomic_load_n(&used, __ATOMIC_RELAXED);
    do {
        if (amount > limit(resource) - now) return base::Error::LimitReached;
    } while (!__atomic_compare_exchange_n(&used, &now, now + amount, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return {};
}

void ResourceAccount::release(Resource resource, u64 amount) {
    u64 before = __atomic_fetch_sub(&used_[static_cast<usize>(resource)], amount, __ATOMIC_RELAXED);
    ASSERT(amount <= before);
}

base::ErrorOr<void> ResourceAccount::charge(Resource first, u64 first_amount, Resource second, u64 second_amount) {
    TRY(charge(first, first_amount));
    if (auto charged = charge(second, second_amount); charged.is_error()) {
        release(first, first_amount);
        return charged.error();
    }
    return {};
}

void ResourceAccount::release(Resource first, u64 first_amount, Resource second, u64 second_amount) {
    release(first, first_amount);
    release(second, second_amount);
}
