#include <sched/fair_policy.h>

namespace sched {

void FairPolicy::enqueue(Entity& entity, bool waking) {
    SchedulingGroup& group = *entity.group;
    if (!group.queue_node.is_linked()) {
        if (waking && group.virtual_runtime + wake_credit < minimum_virtual_runtime_)
            group.virtual_runtime = minimum_virtual_runtime_ - wake_credit;
        active_.push_back(group);
    }
    group.runnable.push_back(entity);
}

void FairPolicy::enqueue_urgent(Entity& entity) {
    entity.urgent = true;
    urgent_.push_back(entity);
}

Entity* FairPolicy::pick_next() {
    if (Entity* entity = urgent_.pop_front()) {
        entity->urgent = false;
        return entity;
    }
    SchedulingGroup* best = nullptr;
    for (SchedulingGroup& group : active_)
        if (!best || group.virtual_runtime < best->virtual_runtime) best = &group;
    if (!best) return nullptr;
    Entity* entity = best->runnable.pop_front();
    if (best->runnable.is_empty()) active_.remove(*best);
    return entity;
}

void FairPolicy::remove(Entity& entity) {
    if (entity.urgent) {
        entity.urgent = false;
        urgent_.remove(entity);
        return;
    }
    SchedulingGroup& group = *entity.group;
    group.runnable.remove(entity);
    if (group.runnable.is_empty() && group.queue_node.is_linked()) active_.remove(group);
}

void FairPolicy::charge(Entity& entity, u64 nanoseconds) {
    SchedulingGroup& group = *entity.group;
    group.runtime_nanoseconds += nanoseconds;
    group.virtual_runtime += scaled(nanoseconds, group.weight);
    update_minimum(group);
}

// The charged group is the running one, which is off the active list while it runs.
void FairPolicy::update_minimum(const SchedulingGroup& running) {
    u64 lowest = running.virtual_runtime;
    for (SchedulingGroup& group : active_) lowest = base::min(lowest, group.virtual_runtime);
    if (lowest > minimum_virtual_runtime_) minimum_virtual_runtime_ = lowest;
}

bool FairPolicy::should_preempt(const Entity& running, const Entity& woken) const {
    if (woken.urgent) return true;
    if (running.group == woken.group) return false;
    return woken.group->virtual_runtime + wakeup_granularity < running.group->virtual_runtime;
}

}  // namespace sched
