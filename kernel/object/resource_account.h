#pragma once

// What one task has the kernel hold for it, against its limits. Each task has an account; what
// it creates is charged there until that thing is gone, even after the task itself has ended
// (a message it sent may still sit in a queue). An account holds no other object, so charges
// never form chains or cycles. Exceeding a limit gives LimitReached and changes nothing.
//
// Limits elsewhere: handles per task (HandleTable::max_handles), mappings per address space
// (AddressSpace), kernel work queued for a task (sched::WorkQueue::max_live_jobs).

#include <base/ref_counted.h>
#include <base/result.h>

enum class Resource {
    QueuedMessages,        // messages it sent that are not yet received or destroyed
    QueuedBytes,           // their bytes
    MemoryObjects,         // memory objects it created that are alive
    MemoryBytes,           // their size
    LiveChildren,          // tasks it spawned that have not ended
    ServiceRegistrations,  // live entries it made in the service registry
    count
};

class ResourceAccount : public base::RefCounted<ResourceAccount> {
public:
    static base::ErrorOr<base::RefPtr<ResourceAccount>> create();

    static u64 limit(Resource resource);

    // Charges `amount` of `resource`, or LimitReached if that would pass the limit.
    base::ErrorOr<void> charge(Resource resource, u64 amount);
    void release(Resource resource, u64 amount);
    // Both charges or neither (one object costs a count and a size).
    base::ErrorOr<void> charge(Resource first, u64 first_amount, Resource second, u64 second_amount);
    void release(Resource first, u64 first_amount, Resource second, u64 second_amount);

private:
    ResourceAccount() = default;
    u64 used_[static_cast<usize>(Resource::count)] = {};
};
