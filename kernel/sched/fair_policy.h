#pragma once

// Weighted fair sharing of the CPU between scheduling groups. A group is whoever CPU time is
// charged to: each task (its threads *and* the kernel worker that runs async work on its
// behalf), and the kernel itself (its housekeeping). Within a group, runnable entities take
// turns.
//
// Each group has a virtual runtime: the CPU time it received, scaled by default_weight / weight.
// The group with the smallest virtual runtime runs next, so over time every busy group gets CPU
// in proportion to its weight. A group that slept re-enters no further back than `wake_credit`
// behind the smallest virtual runtime of those running: it gets a little priority to keep wake-up
// latency low, but cannot bank credit while idle.
//
// Portable and host-tested: no hardware, no locking (the caller serialises), no allocation.

#include <base/intrusive_list.h>
#include <base/utility.h>

namespace sched {

struct SchedulingGroup;

struct Entity {
    SchedulingGroup* group = nullptr;
    void* owner = nullptr;  // the thread (opaque to the policy)
    base::ListNode node;    // in its group's runnable list, or the urgent list
    bool urgent = false;    // on the urgent list
};

struct SchedulingGroup {
    static constexpr u32 default_weight = 100;
    static constexpr u32 max_weight = 10000;

    u32 weight = default_weight;
    u64 virtual_runtime = 0;
    u64 runtime_nanoseconds = 0;  // real CPU time charged, for observability
    base::IntrusiveList<Entity, &Entity::node> runnable;
    base::ListNode queue_node;  // in the policy's active list while something in it is runnable
    const char* name = "";
};

class FairPolicy {
public:
    static constexpr u64 wake_credit = 5'000'000;         // virtual ns a waking group may be ahead
    static constexpr u64 wakeup_granularity = 1'000'000;  // a waker preempts only if this far behind

    // Makes an entity runnable. `waking`: it was blocked (as opposed to preempted or yielding).
    void enqueue(Entity& entity, bool waking);

    // Makes an entity runnable ahead of every group, whatever its virtual runtime: a thread that
    // is being killed must reach its way out promptly, even if its group is far behind. Its CPU
    // time is still charged to its group.
    void enqueue_urgent(Entity& entity);

    // Takes the next entity to run off the queue: the first of the group with the smallest
    // virtual runtime. Null when nothing is runnable.
    Entity* pick_next();

    // Removes a runnable entity (it is being killed while queued).
    void remove(Entity& entity);

    // Charges `nanoseconds` of CPU to the entity's group.
    void charge(Entity& entity, u64 nanoseconds);

    // Whether a freshly woken entity should take the CPU from `running` now.
    bool should_preempt(const Entity& running, const Entity& woken) const;

    // The lowest virtual runtime among active groups, never going back.
    u64 minimum_virtual_runtime() const { return minimum_virtual_runtime_; }

    bool has_runnable() const { return !active_.is_empty() || !urgent_.is_empty(); }

    static u64 scaled(u64 nanoseconds, u32 weight) { return nanoseconds * SchedulingGroup::default_weight / weight; }

private:
    void update_minimum(const SchedulingGroup& running);

    base::IntrusiveList<SchedulingGroup, &SchedulingGroup::queue_node> active_;
    base::IntrusiveList<Entity, &Entity::node> urgent_;
    u64 minimum_virtual_runtime_ = 0;
};

}  // namespace sched
