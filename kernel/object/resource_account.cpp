#include <arch/arch.h>
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
};
static_assert(sizeof(limits) / sizeof(limits[0]) == static_cast<usize>(Resource::count));

}  // namespace

base::ErrorOr<base::RefPtr<ResourceAccount>> ResourceAccount::create() {
    auto* account = new (std::nothrow) ResourceAccount();
    if (!account) return base::Error::NoMemory;
    return base::adopt_ref(account);
}

u64 ResourceAccount::limit(Resource resource) { return limits[static_cast<usize>(resource)]; }

base::ErrorOr<void> ResourceAccount::charge(Resource resource, u64 amount) {
    arch::InterruptGuard guard;
    u64& used = used_[static_cast<usize>(resource)];
    if (amount > limit(resource) - used) return base::Error::LimitReached;
    used += amount;
    return {};
}

void ResourceAccount::release(Resource resource, u64 amount) {
    arch::InterruptGuard guard;
    u64& used = used_[static_cast<usize>(resource)];
    ASSERT(amount <= used);
    used -= amount;
}

u64 ResourceAccount::used(Resource resource) const {
    arch::InterruptGuard guard;
    return used_[static_cast<usize>(resource)];
}
